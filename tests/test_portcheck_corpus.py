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


@dataclass
class Expect:
    """What port-check must say about one folder.

    functions : function -> AGREES, PRINTS (agrees and prints), DIFFERS or NOT_CHECKED
    outside : (function, case prefix) pairs reported outside the contract, not counted
    hints : function -> words the explanation of its failing rows must hold
    exit : the folder's exit status
    """

    functions: dict
    exit: int
    outside: set = field(default_factory=set)
    hints: dict = field(default_factory=dict)


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
    uncounted = [r for r in rep.rows if not r.counted]
    assert all(any(_matches(e, r) for e in want.outside) for r in uncounted), rep.format_table()
    assert all(any(_matches(e, r) for r in uncounted) for e in want.outside), rep.format_table()
    for function, words in want.hints.items():
        rows = [r for r in rep.rows if r.function == function and r.counted]
        texts = [r.detail + " " + r.prints for r in rows if not r.ok or r.prints or r.detail]
        assert texts and all(words in t for t in texts), (function, texts)
    assert rep.exit_status == want.exit, rep.format_table()


@needs_octave
def test_every_expected_verdict_is_the_truth():
    """The table above against the independent harness (formulas, finite differences)."""
    folders = [os.path.join(CORPUS, name) for name in sorted(EXPECTED)]
    weights = str(EX4WEIGHTS) if EX4WEIGHTS.exists() else None
    outs, inputs = portcheck_truth.run_harness(folders, weights)
    wrong = []
    for name, folder in zip(sorted(EXPECTED), folders, strict=True):
        truth = portcheck_truth.judge(outs[folder], inputs)
        assert set(truth) == set(EXPECTED[name].functions), name
        for function, expected in EXPECTED[name].functions.items():
            correct, why = truth[function]
            if correct != (expected in (AGREES, PRINTS)):
                wrong.append((name, function, expected, why))
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
