"""``nn3 port-check`` on a corpus of student-style exercise 4 solutions (tests/portcheck_corpus).

The corpus was written for nn3 in the styles public solutions use (see its README). For every
function of every folder the expected verdict below was decided by reading the code, and it is
confirmed independently of port-check and of nn3: tests/portcheck_truth.py calls each function in
Octave through a harness of its own, on inputs of its own, and judges it against a plain
transcription of the formulas, finite differences and the course's published values. The tests
assert that

- the expected verdicts are the truth (a correct function is expected to agree, a wrong one to
  differ, another exercise's file not to be exercise 4's);
- port-check gives every expected verdict, names the cause where the table says, counts no case
  outside a function's contract, and ends each folder with the right exit status.
"""

import json
import os
from dataclasses import dataclass, field

import portcheck_truth
import pytest
from click.testing import CliRunner
from support import EX4WEIGHTS, needs_octave

from nn3.cli import cli
from nn3.portcheck import report

CORPUS = os.path.join(os.path.dirname(__file__), "portcheck_corpus")

AGREES, PRINTS, DIFFERS, NOT_CHECKED = "agrees", "agrees, prints", "differs", "not checked"
MATLAB_ONLY = "not checked: MATLAB-only"


@dataclass
class Expect:
    """What port-check must say about one folder.

    functions : function -> AGREES, PRINTS (agrees and prints), DIFFERS, NOT_CHECKED (another
        exercise's file) or MATLAB_ONLY (Octave cannot run it: not checked)
    outside : (function, case prefix) pairs reported outside the contract, not counted
    hints : function -> words the explanation of its failing rows must hold
    exit : the folder's exit status
    matlab : written for MATLAB (R2018b+): the truth is decided with MATLAB's functions
    """

    functions: dict
    exit: int
    outside: set = field(default_factory=set)
    hints: dict = field(default_factory=dict)
    matlab: bool = False


_S, _SG, _NN, _P, _R = (
    "sigmoid",
    "sigmoidGradient",
    "nnCostFunction",
    "predict",
    "randInitializeWeights",
)
_CF, _BP = "costFunction", "backpropagation"
_ALL = {_S: AGREES, _SG: AGREES, _NN: AGREES, _P: AGREES, _R: AGREES}
_NET = {_S: AGREES, _SG: AGREES, _NN: AGREES}
_BIN_NN = {(_NN, "binary")}

EXPECTED = {
    # --- correct code (exit 0) ---
    "c01_eye_index": Expect(_ALL, 0, _BIN_NN, {_R: "epsilon 0.12, the course's"}),
    "c02_octave_style": Expect(_ALL, 0, _BIN_NN),
    "c03_loop_index": Expect(_ALL, 0, _BIN_NN),
    "c04_yy_crlf_latin1": Expect(_NET, 0, _BIN_NN),
    "c05_broadcast_handout": Expect(_ALL, 0, set(), {_R: "the handout's rule"}),
    "c06_bsxfun_expformula": Expect(_NET, 0, {(_SG, "z_extremes")}),
    "c07_find_repmat": Expect(_NET, 0),
    "c08_whole_course": Expect({**_ALL, _CF: NOT_CHECKED}, 0, _BIN_NN),
    "c09_course_repo/machine-learning-ex2/ex2": Expect(
        {_S: AGREES, _CF: NOT_CHECKED, _P: NOT_CHECKED}, 0
    ),
    "c09_course_repo/machine-learning-ex3/ex3": Expect({_S: AGREES, _P: AGREES}, 0),
    "c09_course_repo/machine-learning-ex4/ex4": Expect(_ALL, 0, _BIN_NN),
    "c10_printing": Expect(
        {_S: AGREES, _SG: PRINTS, _NN: PRINTS},
        0,
        _BIN_NN,
        {_NN: "m: missing ';' at line 5", _SG: "sigmoidGradient of"},
    ),
    "c11_doc_lambda": Expect({_S: AGREES, _SG: AGREES, _CF: AGREES, _BP: AGREES}, 0),
    "c12_other_order": Expect({_S: AGREES, _NN: NOT_CHECKED}, 0),
    # repository roots whose own files of checked names are all passed over (a script, another
    # exercise's functions): the exercises below them are found and checked
    "c13_script_at_root/lab/machine-learning-ex4/ex4": Expect(_ALL, 0, _BIN_NN),
    "c14_other_exercise_at_root/ex4": Expect(_ALL, 0),
    "c15_deep_course/coursera/ml/machine-learning-ex/ex4": Expect(
        _ALL, 0, set(), {_R: "the handout's rule"}
    ),
    # MATLAB R2018b+: sum(A, 'all'), sum(A, [1 2]) and height run through nn3's shims
    "c16_matlab_all": Expect({_S: AGREES, _SG: AGREES, _NN: AGREES, _P: AGREES}, 0, matlab=True),
    # a toolbox function Octave has no shim for: not checked, neither agreeing nor differing
    "c17_matlab_toolbox": Expect(
        {_S: AGREES, _SG: AGREES, _NN: MATLAB_ONLY, _P: AGREES},
        0,
        hints={_NN: "MATLAB-only function dummyvar"},
        matlab=True,
    ),
    # --- unfinished or wrong code (exit 1) ---
    "w01_template": Expect(
        {_S: AGREES, _SG: DIFFERS, _NN: DIFFERS, _P: DIFFERS, _R: DIFFERS},
        1,
        {(_NN, "binary"), (_P, "binary")},
        {
            _SG: "all zeros: the function is not written",
            _NN: "J is 0: the cost is not computed",
            _P: "all zeros",
            _R: "every weight is 0",
        },
    ),
    "w02_part1_only": Expect({**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "returns no grad"}),
    "w03_bare_rand": Expect({_S: AGREES, _R: DIFFERS}, 1, set(), {_R: "a bare rand"}),
    "w04_swapped_predict": Expect(
        {_S: AGREES, _P: DIFFERS}, 1, {(_P, "binary")}, {_P: "the outputs are swapped"}
    ),
    "w05_bias_in_grad": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "the bias column is regularised"}
    ),
    "w06_zero_based_labels": Expect({**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "0-based"}),
    "w07_missing_1_over_m": Expect({**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "not divided by m"}),
    "w08_no_transpose": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "a missing or extra transpose"}
    ),
    "w09_sigmoidgrad_no_sigmoid": Expect(
        {_S: AGREES, _SG: DIFFERS, _NN: DIFFERS},
        1,
        _BIN_NN,
        {_SG: "applied to z, not to sigmoid(z)", _NN: "it calls your sigmoidGradient.m"},
    ),
    "w10_hardcoded": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "agrees on the ex4 sizes (400-25-10) only"}
    ),
    "w11_matrix_divide_sigmoid": Expect({_S: DIFFERS}, 1, set(), {_S: "./"}),
    "w12_unroll_rows": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "grad is unrolled row by row"}
    ),
    "w13_grad_row": Expect({**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "grad is a row"}),
    "w14_J_row": Expect({**_NET, _NN: DIFFERS}, 1, set(), {_NN: "J must be one number"}),
    "w15_doc_verbatim": Expect(
        {_S: AGREES, _SG: AGREES, _CF: DIFFERS, _BP: DIFFERS},
        1,
        set(),
        {_CF: "one-hot rows", _BP: "y is used as the target directly"},
    ),
    "w16_reg_over_m": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "lambda/m instead of lambda/(2m)"}
    ),
    "w17_params_rows": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "nn_params is unrolled row by row"}
    ),
    "w18_sigmoid_sign": Expect({_S: DIFFERS}, 1, set(), {_S: "a sign error"}),
    "w19_predict_row": Expect({_S: AGREES, _P: DIFFERS}, 1, {(_P, "binary")}, {_P: "p is a row"}),
    "w20_randn_init": Expect({_R: DIFFERS}, 1, set(), {_R: "randn"}),
    "w21_grad_unregularised": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "the gradient is not regularised (the cost is)"}
    ),
    "w22_grad_reg_misspelt": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "the gradient is not regularised (the cost is)"}
    ),
    "w23_cost_unregularised": Expect(
        {**_NET, _NN: DIFFERS}, 1, _BIN_NN, {_NN: "the cost is not regularised (the gradient is)"}
    ),
    "w24_no_regularisation": Expect(
        {**_NET, _NN: DIFFERS},
        1,
        _BIN_NN,
        {_NN: "regularisation is missing from both the cost and the gradient"},
    ),
    "w25_no_sigmoid_file": Expect(
        {_SG: DIFFERS, _NN: DIFFERS, _P: DIFFERS, _R: AGREES},
        1,
        {(_NN, "binary"), (_P, "binary")},
        {
            _SG: "sigmoid.m is missing from the folder",
            _NN: "both need sigmoid.m, which is missing from the folder",
            _P: "sigmoid.m is missing from the folder",
        },
    ),
}

#: The folders named on the command line (c09 is a repository root; its exercises are found).
NAMED = sorted({k.split("/")[0] for k in EXPECTED})


def test_the_table_covers_the_corpus():
    on_disk = sorted(d for d in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, d)))
    assert on_disk == NAMED


_RUN = {}


def corpus_run():
    """port-check on every corpus folder (computed once)."""
    if "run" not in _RUN:
        _RUN["run"] = report.port_check([os.path.join(CORPUS, d) for d in NAMED])
    return _RUN["run"]


def folder_report(name):
    path = os.path.join(CORPUS, name)
    found = [r for r in corpus_run().reports if r.folder.rstrip("/") == path]
    assert len(found) == 1, [r.folder for r in corpus_run().reports]
    return found[0]


def _outcome(rep, function):
    if any(function + ".m here is" in n for n in rep.not_checked):
        return NOT_CHECKED
    every = [r for r in rep.rows if r.function == function]
    if every and all(r.kind == "matlab_only" for r in every):
        return MATLAB_ONLY
    rows = [r for r in rep.rows if r.function == function and r.counted]
    assert rows, f"{function}: no counted rows"
    if all(r.ok for r in rows):
        return PRINTS if any(r.prints for r in rows) else AGREES
    return DIFFERS


def _matches(entry, row):
    """Whether ``row`` is the case ``entry`` names: (function, case id or network name)."""
    function, case = entry
    return row.function == function and case in (row.case_id, row.case_id.split("_")[0])


@needs_octave
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdicts_and_exit_status(name):
    want = EXPECTED[name]
    rep = folder_report(name)
    assert not rep.error, rep.error
    got = {f: _outcome(rep, f) for f in want.functions}
    assert got == want.functions, rep.format_table()
    checked = set(rep.functions) | {f for f in want.functions if want.functions[f] == NOT_CHECKED}
    assert checked == set(want.functions)  # nothing else was looked at
    uncounted = [r for r in rep.rows if not r.counted and r.kind != "matlab_only"]
    assert all(any(_matches(e, r) for e in want.outside) for r in uncounted), rep.format_table()
    assert all(any(_matches(e, r) for r in uncounted) for e in want.outside), rep.format_table()
    for function, words in want.hints.items():
        rows = [
            r for r in rep.rows if r.function == function and (r.counted or r.kind == "matlab_only")
        ]
        texts = [r.detail + " " + r.prints for r in rows if not r.ok or r.prints or r.detail]
        assert texts and all(words in t for t in texts), (function, texts)
    assert rep.exit_status == want.exit, rep.format_table()


_TRUTH = {}


def truth(supply=()):
    """The independent harness's verdicts on every corpus folder, with ``supply``'s stand-ins
    (computed once per set of stand-ins): name -> function -> (correct, why)."""
    if supply not in _TRUTH:
        folders = [os.path.join(CORPUS, name) for name in sorted(EXPECTED)]
        weights = str(EX4WEIGHTS) if EX4WEIGHTS.exists() else None
        outs, inputs = portcheck_truth.run_harness(folders, weights, supply=supply)
        _TRUTH[supply] = {
            name: (portcheck_truth.judge(outs[folder], inputs), outs[folder], inputs)
            for name, folder in zip(sorted(EXPECTED), folders, strict=True)
        }
    return _TRUTH[supply]


@needs_octave
def test_every_expected_verdict_is_the_truth():
    """The table above against the independent harness (formulas, finite differences).

    Code written for MATLAB is judged with the harness's stand-ins for MATLAB's functions; a
    function expected not to be checked (MATLAB-only) must fail in Octave as it is and be right
    in MATLAB: not checking it is then the only honest verdict. Every other folder must get the
    same truth both ways (the stand-ins change nothing for code Octave runs).
    """
    octave, matlab = truth(), truth(portcheck_truth.MATLAB)
    wrong = []
    for name, want in EXPECTED.items():
        plain, with_matlab = octave[name][0], matlab[name][0]
        assert set(plain) == set(want.functions), name
        for function, expected in want.functions.items():
            if expected == MATLAB_ONLY:
                if plain[function][0] or not with_matlab[function][0]:
                    wrong.append((name, function, expected, plain[function], with_matlab[function]))
                continue
            correct, why = (with_matlab if want.matlab else plain)[function]
            if correct != (expected in (AGREES, PRINTS)):
                wrong.append((name, function, expected, why))
            if not want.matlab and with_matlab[function][0] != correct:
                wrong.append((name, function, "the same with MATLAB's stand-ins", why))
    assert wrong == []


def test_the_truth_harness_can_tell_wrong_from_right():
    """The judge itself: a right output passes, one element moved by 1e-6 does not."""
    inputs = portcheck_truth.truth_inputs()
    N = inputs["A"]
    G1, G2 = portcheck_truth.finite_difference_grads(N, 0.0)
    from reference_impl import matlab_cost_grad

    J, R1, R2 = matlab_cost_grad(N["X"], N["y"], N["T1"], N["T2"], 0.0)
    assert abs(G1 - R1).max() < 1e-8 and abs(G2 - R2).max() < 1e-8
    good = {"sigmoid": 1 / (1 + __import__("numpy").exp(-inputs["z"]))}
    assert portcheck_truth._sigmoid(good, inputs)[0]
    bad = {"sigmoid": good["sigmoid"].copy()}
    bad["sigmoid"][0, 3] += 1e-6
    assert not portcheck_truth._sigmoid(bad, inputs)[0]


@needs_octave
def test_counts_before_and_after():
    """The whole corpus: no correct function flagged, no wrong one missed, every exit right."""
    false_pos = false_neg = exits_right = 0
    for name, want in EXPECTED.items():
        rep = folder_report(name)
        for function, expected in want.functions.items():
            got = _outcome(rep, function)
            if expected in (AGREES, PRINTS) and got == DIFFERS:
                false_pos += 1
            if expected == DIFFERS and got != DIFFERS:
                false_neg += 1
        exits_right += rep.exit_status == want.exit
    assert (false_pos, false_neg, exits_right) == (0, 0, len(EXPECTED))


@needs_octave
def test_repository_root_is_searched_and_each_exercise_checked():
    res = CliRunner().invoke(cli, ["port-check", os.path.join(CORPUS, "c09_course_repo")])
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.count("Checking ") == 3
    assert "machine-learning-ex4/ex4 (found in" in out
    assert ".old" not in out  # hidden folders are not searched
    summary = out[out.index("Summary:") :].splitlines()[1:]
    assert len(summary) == 3 and all(": OK: all" in line for line in summary)


@needs_octave
def test_several_folders_exit_1_when_one_differs_and_json_has_every_check():
    names = ["c01_eye_index", "w04_swapped_predict", "c08_whole_course"]
    args = ["port-check", "--json", *(os.path.join(CORPUS, n) for n in names)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1, res.output
    doc = json.loads(res.output)
    assert doc["exit_status"] == 1
    by_name = {os.path.basename(f["folder"].rstrip("/")): f for f in doc["folders"]}
    assert [by_name[n]["exit_status"] for n in names] == [0, 1, 0]
    assert by_name["c08_whole_course"]["not_checked"][0].startswith("costFunction.m here is")
    checks = by_name["w04_swapped_predict"]["checks"]
    pred = [c for c in checks if c["function"] == "predict"]
    assert [c["verdict"] for c in pred] == ["differs", "outside_contract", "differs", "differs"]
    assert all("swapped" in c["hint"] for c in pred)
    assert [c["counted"] for c in pred] == [True, False, True, True]
    assert all(isinstance(c["largest_difference"], float) for c in pred)
    for c in by_name["c01_eye_index"]["checks"]:
        assert set(c) >= {"function", "case", "verdict", "largest_difference", "hint"}


@needs_octave
def test_strict_fails_a_printing_function():
    folder = os.path.join(CORPUS, "c10_printing")
    assert CliRunner().invoke(cli, ["port-check", folder]).exit_code == 0
    res = CliRunner().invoke(cli, ["port-check", "--strict", folder])
    assert res.exit_code == 1
    assert "PRINTS" in res.output and "FAILED" in res.output


@needs_octave
@pytest.mark.parametrize(
    "root, passed_over, found",
    [
        ("c13_script_at_root", "backpropagation.m is a script", "lab/machine-learning-ex4/ex4"),
        ("c14_other_exercise_at_root", "costFunction.m here is another function", "ex4"),
        ("c15_deep_course", None, "coursera/ml/machine-learning-ex/ex4"),
    ],
)
def test_a_root_whose_files_are_all_passed_over_is_searched_below(root, passed_over, found):
    """A root holding only a script or another exercise's files of checked names (or a folder
    below it holding only those, c15's ex2) is not the exercise: the folders below are."""
    folder = os.path.join(CORPUS, root)
    res = CliRunner().invoke(cli, ["port-check", folder])
    assert res.exit_code == 0, res.output
    assert res.output.count("Checking ") == 1, res.output
    assert f"Checking {os.path.join(folder, found)} (found in {folder})" in res.output
    assert "error" not in res.output
    if passed_over:
        assert f"Not checked in {folder}: {passed_over}" in res.output
    doc = json.loads(CliRunner().invoke(cli, ["port-check", "--json", folder]).output)
    (only,) = doc["folders"]
    assert only["exit_status"] == 0 and only["result"] == "agrees"
    assert bool(only["given_not_checked"]) == bool(passed_over)


def test_a_folder_of_scripts_and_other_exercises_only_is_bad_input(tmp_path):
    """Nothing to check anywhere: exit 2, and the message says why the files were passed over."""
    (tmp_path / "backpropagation.m").write_text("x = 1;\ndisp(x)\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "predict.m").write_text("function p = predict(theta, X)\np = X * theta;\n")
    found = report.find(str(tmp_path))
    assert found.folders == [] and "backpropagation.m is a script" in found.note
    res = CliRunner().invoke(cli, ["port-check", str(tmp_path)])
    assert res.exit_code == 2
    assert "none of the functions nn3 checks is there" in res.output
    assert "backpropagation.m is a script, not a function" in res.output


@needs_octave
def test_matlab_only_reductions_run_through_the_shims_and_are_said():
    rep = folder_report("c16_matlab_all")
    assert rep.passed and rep.exit_status == 0, rep.format_table()
    notes = "\n".join(rep.shims)
    assert "sum(..., 'all') (nnCostFunction.m line 16; squaredWeights.m line 3)" in notes
    assert "sum(..., [1 2]) (nnCostFunction.m line 16)" in notes
    assert "height(x) (nnCostFunction.m line 8; predict.m line 3)" in notes
    assert "through nn3's shim" in rep.format_table()
    assert len(rep.shims) == 3
    # the folder's own files are unchanged, and folders that need no shim get none
    assert not folder_report("c05_broadcast_handout").shims


@needs_octave
def test_a_matlab_only_function_without_a_shim_is_not_checked():
    """Neither agrees nor differs: exit 0 with a "not checked" line; --strict fails it."""
    folder = os.path.join(CORPUS, "c17_matlab_toolbox")
    rep = folder_report("c17_matlab_toolbox")
    nn = [r for r in rep.rows if r.function == "nnCostFunction"]
    assert {r.verdict for r in nn} == {"not checked (MATLAB-only)"}
    assert not any(r.counted for r in nn)
    assert all("at line 7 of nnCostFunction.m: Octave cannot run it" in r.detail for r in nn)
    assert all("Octave form: Y = (y == 1:num_labels)" in r.detail for r in nn)
    res = CliRunner().invoke(cli, ["port-check", folder])
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("OK: all 10 checks agree") and "nnCostFunction.m not checked" in last
    strict = CliRunner().invoke(cli, ["port-check", "--strict", folder])
    assert strict.exit_code == 1, strict.output
    assert "FAILED" in strict.output
    doc = json.loads(CliRunner().invoke(cli, ["port-check", "--json", folder]).output)
    checks = [c for c in doc["folders"][0]["checks"] if c["function"] == "nnCostFunction"]
    assert {(c["verdict"], c["counted"]) for c in checks} == {("matlab_only", False)}


_REGULARISATION_HINT = {
    (True, False): "the gradient is not regularised (the cost is)",
    (False, True): "the cost is not regularised (the gradient is)",
    (False, False): "regularisation is missing from both the cost and the gradient",
}


@needs_octave
@pytest.mark.parametrize(
    "name",
    [
        "w21_grad_unregularised",
        "w22_grad_reg_misspelt",
        "w23_cost_unregularised",
        "w24_no_regularisation",
    ],
)
def test_the_hint_says_which_part_lacks_regularisation(name):
    """The harness decides which of J and grad is regularised; the hint names that one only."""
    _judged, out, inputs = truth()[name]
    parts = portcheck_truth.regularisation(out, inputs)
    want = _REGULARISATION_HINT[(parts["cost"], parts["gradient"])]
    rows = [
        r
        for r in folder_report(name).rows
        if r.function == "nnCostFunction" and r.counted and not r.ok
    ]
    assert rows
    for r in rows:
        assert want in r.detail, r.detail
        others = [h for h in _REGULARISATION_HINT.values() if h != want]
        assert not any(h in r.detail for h in others), r.detail
        assert "regularisation is missing: lambda is not used" not in r.detail


@needs_octave
def test_a_missing_course_file_is_the_cause_named_not_a_helper_that_needs_it_too():
    """sigmoid.m is missing; with the course's sigmoid.m supplied the harness finds every
    function right: so that file is the cause, for each of them."""
    name = "w25_no_sigmoid_file"
    plain = truth()[name][0]
    supplied = truth(portcheck_truth.COURSE)[name][0]
    assert [f for f, (ok, _w) in plain.items() if not ok] == [
        "nnCostFunction",
        "predict",
        "sigmoidGradient",
    ]
    assert all(ok for ok, _why in supplied.values()), supplied
    rep = folder_report(name)
    for r in rep.rows:
        assert "fix that first" not in r.detail, r.detail
        if r.function != "randInitializeWeights":
            assert "sigmoid.m is missing from the folder" in r.detail, r.detail
    # outside the contract, an error that has nothing to do with the labels is said as it is
    outside = [r for r in rep.rows if r.kind == "outside_contract"]
    assert {r.function for r in outside} == {"nnCostFunction", "predict"}
    for r in outside:
        assert "indexing with y" not in r.detail and "1 for every row" not in r.detail
        assert "Not counted; here: 'sigmoid' undefined" in r.detail, r.detail


@needs_octave
def test_outside_the_contract_an_index_error_blames_indexing_with_y():
    rep = folder_report("c01_eye_index")
    (row,) = [r for r in rep.rows if r.kind == "outside_contract"]
    assert "one-hot targets built by indexing with y cannot take label 0" in row.detail
    assert "I(0,_)" in row.detail
