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
