"""``nn3 port-check``: student-style MATLAB code in tests/portcheck_cases, run in GNU Octave.

Each folder is checked once per session (one Octave process each); the tests read the reports.
"""

import os
import shutil
import time

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.portcheck import cases, nn3_side, report
from nn3.portcheck.octave import CallResult

HERE = os.path.join(os.path.dirname(__file__), "portcheck_cases")
needs_octave = pytest.mark.needs_octave

_REPORTS = {}


def checked(name, time_limit=10.0):
    """The report for one folder of student code (computed once)."""
    if name not in _REPORTS:
        start = time.monotonic()
        r = report.check_folder(os.path.join(HERE, name), time_limit=time_limit)
        _REPORTS[name] = (r, time.monotonic() - start)
    return _REPORTS[name][0]


def rows(r, function):
    return [row for row in r.rows if row.function == function]


@needs_octave
@pytest.mark.parametrize("folder", ["loop", "vectorised"])
def test_correct_code_agrees(folder):
    r = checked(folder)
    assert r.passed, r.format_table()
    assert {row.verdict for row in r.rows} == {"agrees"}
    # every function of the folder was checked on every case that applies
    counts = {f: len(rows(r, f)) for f in r.functions}
    assert counts["nnCostFunction"] == len(cases.NETWORKS)
    assert counts["predict"] == 4 and counts["randInitializeWeights"] == 3
    assert counts["sigmoid"] == counts["sigmoidGradient"] == 3


@needs_octave
def test_document_signatures_are_checked_at_lambda_0():
    r = checked("vectorised")
    for f in ("costFunction", "backpropagation"):
        labels = [row.case for row in rows(r, f)]
        assert labels == [c.label for c in cases.NETWORKS_NO_LAMBDA], labels


@needs_octave
def test_regularised_bias_column_is_named():
    r = checked("bias_reg")
    assert not r.passed
    for row in rows(r, "nnCostFunction"):
        if row.case.endswith("lambda 0"):
            assert row.verdict == "agrees"
        else:
            # the binary case is outside ex4's contract, but the cause is named there too
            want = "outside contract" if row.case_id.startswith("binary") else "DIFFERS"
            assert row.verdict == want
            assert "the bias column is regularised" in row.detail
    assert rows(r, "sigmoid")[0].verdict == "agrees"


@needs_octave
def test_rand_times_2_minus_1_range_is_named():
    r = checked("init_range")
    for row in rows(r, "randInitializeWeights"):
        assert row.verdict == "DIFFERS"
        assert "rand(...) * 2 - 1" in row.detail


@needs_octave
def test_off_by_one_label_is_named():
    r = checked("off_by_one")
    cost = [row for row in rows(r, "nnCostFunction") if row.case.split()[1] != "2-4-1"]
    assert cost and all("off-by-one label" in row.detail for row in cost)
    assert all("column k+1" in row.detail for row in cost)
    pred = [row for row in rows(r, "predict") if row.case.split()[1] != "2-4-1"]
    assert pred and all(
        row.verdict == "DIFFERS" and "off-by-one label" in row.detail for row in pred
    )
    assert "p(1): Octave 0, nn3 1" in pred[0].detail


@needs_octave
def test_function_that_errors_is_one_line():
    r = checked("errors")
    for row in r.rows:
        want = "outside contract" if row.case_id.startswith("binary") else "ERROR"
        assert row.verdict == want
        assert "'sigmod' undefined" in row.detail and "\n" not in row.detail


@needs_octave
def test_endless_loop_hits_the_time_limit():
    r = checked("loops", time_limit=1.0)
    verdicts = [row.verdict for row in r.rows]
    assert verdicts[0] == "TIME LIMIT"
    assert set(verdicts[1:]) == {"NOT RUN"}
    assert _REPORTS["loops"][1] < 20


@needs_octave
def test_printing_function_is_reported_and_agrees():
    r = checked("prints")
    assert r.passed and r.exit_status == 0
    assert {row.verdict for row in r.rows} == {"agrees (prints)"}
    assert all(row.prints == "g: missing ';' at line 2" for row in r.rows)
    strict = report.check_folder(os.path.join(HERE, "prints"), strict=True)
    assert not strict.passed and strict.exit_status == 1
    assert {row.verdict for row in strict.rows} == {"PRINTS"}


@needs_octave
def test_cli_exit_statuses_and_save(tmp_path):
    runner = CliRunner()
    out = tmp_path / "expected.mat"
    ok = runner.invoke(cli, ["port-check", os.path.join(HERE, "vectorised"), "--save", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "OK: all 27 checks agree with nn3" in ok.output
    bad = runner.invoke(cli, ["port-check", os.path.join(HERE, "bias_reg")])
    assert bad.exit_code == 1 and "FAILED" in bad.output
    # the regression-test recipe (docs/how-to/regression-tests.md), on the saved file
    d = nn3.load_mat(out)
    assert d["Theta1"].shape == (25, 401) and d["Theta2"].shape == (10, 26)
    J, grad = nn3.nn_cost_function(
        nn3.unroll(d["Theta1"], d["Theta2"]), 400, 25, 10, d["X"], d["y"], lambda_=1.0
    )
    nn3.assert_mat_allclose(J, (out, "J"))
    nn3.assert_mat_allclose(grad, (out, "grad"), rtol=1e-9)
    nn3.assert_mat_allclose(nn3.predict(d["Theta1"], d["Theta2"], d["X"]), (out, "p"), ulps=0)
    assert d["outputs"]["costFunction"]["odd_lambda0"]["J"].shape == (1, 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (["port-check", "no/such/dir"], "no such folder"),
        (["port-check", "EMPTY"], "none of the functions"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message, tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "notes.txt").write_text("no .m files here")
    (tmp_path / "sub" / "deeper" / "computeCost.m").write_text("function J = computeCost(X)\n")
    args = [str(tmp_path) if a == "EMPTY" else a for a in args]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    assert message in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_without_octave_gives_the_install_command(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    res = CliRunner().invoke(cli, ["port-check", os.path.join(HERE, "loop")])
    assert res.exit_code == 2
    assert "apt-get install -y --no-install-recommends octave" in res.output
    assert len(res.output.strip().splitlines()) == 1


def _nn_call(case_id):
    return next(c for c in cases.calls_for(["nnCostFunction"]) if c.case_id == case_id)


def test_small_difference_above_tolerance_is_caught_and_located():
    """No Octave needed: a CallResult made from nn3's own outputs, one element nudged."""
    inputs = cases.inputs()
    call = _nn_call("odd_lambda1p5")
    exp = nn3_side.expected(call, inputs)
    assert report.evaluate(call, CallResult("ok", dict(exp)), inputs).verdict == "agrees"
    grad = exp["grad"].copy()
    scale = np.abs(grad).max()
    grad[26] += 1e-7 * scale  # 100 times the tolerance, far below any fault
    row = report.evaluate(call, CallResult("ok", {"J": exp["J"], "grad": grad}), inputs)
    assert row.verdict == "DIFFERS"
    # odd 11-7-5: Theta1 is 7x12, so grad(27) is Theta1_grad(6, 4)
    assert "grad(27) = Theta1_grad(6, 4)" in row.detail
    grad[26] = exp["grad"][26, 0] + 1e-13 * scale  # rounding-sized: agrees
    row = report.evaluate(call, CallResult("ok", {"J": exp["J"], "grad": grad}), inputs)
    assert row.verdict == "agrees"


def test_row_vector_grad_is_a_wrong_size():
    inputs = cases.inputs()
    call = _nn_call("debug_lambda1")
    exp = nn3_side.expected(call, inputs)
    row = report.evaluate(call, CallResult("ok", {"J": exp["J"], "grad": exp["grad"].T}), inputs)
    assert row.verdict == "WRONG SIZE" and "grad is a row" in row.detail


# --- reading .m files without running them (no Octave needed) ---


@pytest.mark.parametrize(
    "text, want",
    [
        ("function g = sigmoid(z)\ng = z;\nend\n", ("sigmoid", ("g",), ("z",))),
        (
            "%% header\r\n% more\r\nfunction [J grad] = nnCostFunction(a, ...\r\n  b, c)\r\n",
            ("nnCostFunction", ("J", "grad"), ("a", "b", "c")),
        ),
        (
            "## Octave\nfunction [J, grad] = nnCostFunction (p, il,\n   hl)\nendfunction\n",
            ("nnCostFunction", ("J", "grad"), ("p", "il", "hl")),
        ),
        ("%{\nfunction x = hidden(q)\n%}\nfunction [~, p] = predict(T1, T2, X)\n", None),
        ("function sigmoid(z)\n", ("sigmoid", (), ("z",))),
        ("x = 1;\nfunction y = f(z)\nend\n", "script"),
    ],
)
def test_signatures_are_read_from_the_first_function(tmp_path, text, want):
    from nn3.portcheck import source

    path = tmp_path / "f.m"
    path.write_bytes(text.encode("latin-1"))
    sig = source.read_signature(path)
    if want == "script":
        assert sig is None
    elif want is None:
        assert (sig.name, sig.outputs, sig.inputs) == (
            "predict",
            ("~", "p"),
            ("T1", "T2", "X"),
        )
    else:
        assert (sig.name, sig.outputs, sig.inputs) == want


def test_latin1_bytes_and_strings_do_not_confuse_the_reader(tmp_path):
    from nn3.portcheck import source

    path = tmp_path / "nnCostFunction.m"
    path.write_bytes(
        b"function J = nnCostFunction(x)\r\n% r\xe9tropropagation 'quote\r\n"
        b"s = 'it''s % not a comment';\r\nJ = x' * x\r\nend\r\n"
    )
    assert source.read_signature(path).inputs == ("x",)
    assert source.printing_line(path, "J") == 4
    assert source.printing_line(path, "s") is None


@pytest.mark.parametrize(
    "function, first_line, checked",
    [
        ("costFunction", "function [J, grad] = costFunction(theta, X, y)", False),
        ("costFunction", "function [J, grad] = costFunction(obj, theta, X, y)", False),
        ("costFunction", "function J = costFunction(X, y, Theta1, Theta2)", True),
        ("predict", "function p = predict(theta, X)", False),
        ("predict", "function p = predict(Theta1, Theta2, X)", True),
        ("nnCostFunction", "function [J g] = nnCostFunction(p, a, b, c, X, y, l)", True),
        ("nnCostFunction", "function [J g] = nnCostFunction(X, y, p, l, a, b, c)", False),
        ("nnCostFunction", "function [J g] = nnCostFunction(p, a, b, c, d, X, y, l)", False),
        ("nnCostFunction", "function [J g] = nnCostFunction(varargin)", True),
        ("randInitializeWeights", "function W = randInitializeWeights(L_in, L_out, e)", True),
    ],
)
def test_another_exercises_file_is_recognised(tmp_path, function, first_line, checked):
    from nn3.portcheck import contracts

    (tmp_path / f"{function}.m").write_text(first_line + "\nend\n")
    check = contracts.check_file(tmp_path, function)
    assert check.checked == checked, check.reason
    if not checked:
        assert check.reason.startswith(f"{function}.m here is another function (")


# --- MATLAB-only forms: which need a shim, what the shims compute, what no shim covers ---


def test_the_scan_finds_matlab_only_forms_in_code_only(tmp_path):
    from nn3.portcheck import compat

    (tmp_path / "nnCostFunction.m").write_text(
        "function [J grad] = nnCostFunction(p, a, b, c, X, y, l)\r\n"
        "% sum(A, 'all') in a comment is not code\r\n"
        "s = 'sum(A, ''all'')';\r\n"
        "J = sum(X .^ 2, ...\r\n    'all') + helper(X);\r\n"
        'K = max(X, [], [1 2]) + min(X, [], 2) + sum(X, 2) + mean(X, "all");\r\n'
        "n = height(X) + s.sum(1) + width(X);\r\n"
        "grad = [];\r\nend\r\n"
    )
    (tmp_path / "helper.m").write_text("function v = helper(X)\nv = any(X > 0, 1:2);\nend\n")
    (tmp_path / "unused.m").write_text("function v = unused(X)\nv = prod(X, 'all');\nend\n")
    # the folder's own width.m is what Octave runs: no shim, no note
    (tmp_path / "width.m").write_text("function w = width(X)\nw = size(X, 2);\nend\n")
    (tmp_path / "counts.m").write_text(
        "function c = counts(y)\nsum = 0;\nc = sum(1, 'all');\nend\n"
    )
    uses = compat.scan(str(tmp_path), ["nnCostFunction", "counts"])
    got = sorted((u.file, u.line, u.form) for u in uses)
    assert got == [
        ("helper.m", 2, "any(..., 1:2)"),
        ("nnCostFunction.m", 4, "sum(..., 'all')"),
        ("nnCostFunction.m", 6, "max(..., [], [1 2])"),
        ("nnCostFunction.m", 6, "mean(..., 'all')"),
        ("nnCostFunction.m", 7, "height(x)"),
    ]
    notes = compat.notes(uses)
    assert any(
        n.startswith("ran MATLAB-only sum(..., 'all') (nnCostFunction.m line 4)") for n in notes
    )


@needs_octave
def test_the_shims_compute_what_matlab_documents(tmp_path):
    """Each shim against numpy on a 3-D array with a NaN, and every other call unchanged."""
    import subprocess

    from nn3.portcheck import compat

    compat.write_shims(str(tmp_path / "shims"), [*compat.REDUCTIONS, *compat.SIZE_FUNCTIONS])
    A = np.arange(1.0, 25.0).reshape((2, 3, 4), order="F") * np.where(
        np.arange(24).reshape((2, 3, 4), order="F") % 5 == 0, -1.0, 1.0
    )
    B = A.copy()
    B[1, 2, 3] = np.nan
    nn3.save_mat(str(tmp_path / "in.mat"), {"A": A, "B": B})
    exprs = {
        "sum_all": ("sum(A, 'all')", A.sum()),
        "sum_12": ("sum(A, [1 2])", A.sum(axis=(0, 1), keepdims=True)),
        "sum_13": ("sum(A, [1 3])", A.sum(axis=(0, 2), keepdims=True)),
        "sum_23": ("sum(A, 2:3)", A.sum(axis=(1, 2), keepdims=True)),
        "sum_omit": ("sum(B, 'all', 'omitnan')", np.nansum(B)),
        "sum_nan": ("sum(B, 'all')", np.nan),
        "prod_all": ("prod(A(:, :, 1), 'all')", A[:, :, 0].prod()),
        "mean_all": ("mean(A, 'all')", A.mean()),
        "mean_13": ("mean(A, [1 3])", A.mean(axis=(0, 2), keepdims=True)),
        "median_all": ("median(A, 'all')", np.median(A)),
        "max_all": ("max(A, [], 'all')", A.max()),
        "max_12": ("max(A, [], [1 2])", A.max(axis=(0, 1), keepdims=True)),
        "min_all": ("min(A, [], 'all')", A.min()),
        "any_all": ("any(A > 23, 'all')", 1.0),
        "all_all": ("all(A ~= 0, 'all')", 1.0),
        "all_12": ("all(A > 0, [1 2])", (A > 0).all(axis=(0, 1), keepdims=True).astype(float)),
        "height": ("height(A(:, :, 1))", 2.0),
        "width": ("width(A(:, :, 1))", 3.0),
        # Octave's own forms, through the shims unchanged
        "sum_2": ("sum(A, 2)", A.sum(axis=1, keepdims=True)),
        "mean_plain": ("mean(A(:, :, 2))", A[:, :, 1].mean(axis=0, keepdims=True)),
        "max_pair": ("max(A(:, :, 1), 3)", np.maximum(A[:, :, 0], 3)),
        "median_2": ("median(A(:, :, 1), 2)", np.median(A[:, :, 0], axis=1, keepdims=True)),
    }
    lines = [
        "warning('off', 'all');",
        f"addpath('{tmp_path / 'shims'}');",
        f"load('{tmp_path / 'in.mat'}');",
        "[mx, ix] = max(A, [], 'all'); [mn, in_] = min(A, [], 'all');",
        "clear all; load('" + str(tmp_path / "in.mat") + "');",  # the shims survive clear all
    ]
    lines += [f"r.{k} = double({e});" for k, (e, _want) in exprs.items()]
    lines.append("[r.mx, r.ix] = max(A, [], 'all'); [r.mn, r.in_] = min(A, [], 'all');")
    lines.append(f"save('-v7', '{tmp_path / 'out.mat'}', '-struct', 'r');")
    (tmp_path / "run.m").write_text("\n".join(lines) + "\n")
    subprocess.run(
        ["octave-cli", "--norc", "--quiet", str(tmp_path / "run.m")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    out = nn3.load_mat(str(tmp_path / "out.mat"))
    for key, (expr, want) in exprs.items():
        got = np.asarray(out[key], dtype=float)
        want = np.asarray(want, dtype=float)
        if want.ndim == 0:
            want = want.reshape(1, 1)
        assert got.squeeze().shape == want.squeeze().shape, expr
        np.testing.assert_allclose(got.squeeze(), want.squeeze(), rtol=1e-14, err_msg=expr)
    flat = A.ravel(order="F")
    assert out["mx"] == flat.max() and out["ix"] == np.argmax(flat) + 1
    assert out["mn"] == flat.min() and out["in_"] == np.argmin(flat) + 1


@pytest.mark.parametrize(
    "message, want",
    [
        (
            "'dummyvar' undefined near line 7, column 5\n\nThe 'dummyvar' function belongs to "
            "the statistics package from Octave Forge ... (nnCostFunction.m line 7)",
            "MATLAB-only function dummyvar (Statistics and Machine Learning Toolbox) at line 2 "
            "of nnCostFunction.m",
        ),
        (
            "'string' undefined near line 3, column 1\n\nThe 'string' function is not yet "
            "implemented in Octave.\n (nnCostFunction.m line 3)",
            "MATLAB-only function string at line 3 of nnCostFunction.m: Octave cannot run it; "
            "not checked (Octave form: none known)",
        ),
        (
            "sum: unrecognized type argument 'omitnan' (nnCostFunction.m line 4)",
            "MATLAB-only syntax sum(..., 'omitnan') at line 4 of nnCostFunction.m",
        ),
        ("'sigmoid' undefined near line 2, column 5", ""),
        ("'Theta1_grd' undefined near line 9, column 1", ""),
        ("index (0,_): out of bound; value 0 out of bound 3", ""),
    ],
)
def test_matlab_only_errors_are_recognised(tmp_path, message, want):
    from nn3.portcheck import compat

    (tmp_path / "nnCostFunction.m").write_text(
        "function J = nnCostFunction(a, b, c, d, X, y, l)\nY = dummyvar(y);\n"
        "s = string(1);\nJ = sum(X, 'omitnan');\nend\n"
    )
    got = compat.matlab_only(message, str(tmp_path), "nnCostFunction")
    assert (want in got) if want else got == ""


def test_index_zero_and_outside_explanations():
    from nn3.portcheck import contracts
    from nn3.portcheck.verdicts import index_zero

    assert index_zero("I(0,_): subscripts must be either integers 1 to (2^63)-1 or logicals")
    assert index_zero("Y(_,0): subscripts must be either integers 1 to (2^63)-1 or logicals")
    assert index_zero("yy(0): subscripts must be ...") and index_zero("index (-1,_): out of bound")
    assert not index_zero("index (11,_): out of bound; value 11 out of bound 10")
    assert not index_zero("'sigmoid' undefined near line 4, column 3")
    nn = contracts.outside_contract("nnCostFunction", "binary_lambda1")
    assert "indexing with y" in nn.explain("I(0,_): ...", "index_error")
    assert "indexing with y" not in nn.explain("'sigmoid' undefined", "error")
    p = contracts.outside_contract("predict", "binary_lambda1")
    assert "1 for every row" in p.explain("first difference p(2)", "values")
    assert "1 for every row" not in p.explain("'sigmoid' undefined", "error")


@needs_octave
def test_a_helper_that_differs_is_not_blamed_for_a_missing_file(tmp_path):
    """nnCostFunction fails because sigmoid.m is missing; sigmoidGradient.m differs for a reason
    of its own (it does not call sigmoid): the missing file is the cause named, not the helper."""
    (tmp_path / "sigmoidGradient.m").write_text(
        "function g = sigmoidGradient(z)\ng = z .* (1 - z);\nend\n"
    )
    (tmp_path / "nnCostFunction.m").write_text(
        "function [J, grad] = nnCostFunction(p, il, hl, K, X, y, lambda)\n"
        "h = sigmoid(X);\nJ = sigmoidGradient(h(1));\ngrad = p;\nend\n"
    )
    rep = report.check_folder(str(tmp_path))
    sg = [r for r in rep.rows if r.function == "sigmoidGradient"]
    assert all(r.kind == "differs" and "applied to z" in r.detail for r in sg[:1])
    nn = [r for r in rep.rows if r.function == "nnCostFunction" and r.counted]
    assert nn and all("sigmoid.m is missing from the folder" in r.detail for r in nn)
    assert not any("sigmoidGradient.m" in r.detail for r in nn), [r.detail for r in nn]


def test_a_folder_where_nothing_could_be_run_says_so():
    """Every function MATLAB-only: exit 0 and "NOTHING CHECKED", never "OK"; --strict fails."""
    from nn3.portcheck.verdicts import Row

    def folder(strict):
        rows = [
            Row("nnCostFunction", c, "-", "matlab_only", "MATLAB-only function x", strict=strict)
            for c in ("debug 3-5-3 lambda 0", "odd 11-7-5 lambda 1.5")
        ]
        return report.FolderReport("f", functions=["nnCostFunction"], rows=rows, strict=strict)

    lenient, strict = folder(False), folder(True)
    assert lenient.exit_status == 0 and lenient.result == "not_checked"
    assert lenient.summary().startswith("NOTHING CHECKED: Octave cannot run the code")
    assert strict.exit_status == 1 and strict.result == "differs"
    assert strict.summary().startswith("FAILED: 2 of 2 checks do not agree")
