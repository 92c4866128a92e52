"""nn3.OctaveRNG and randperm against GNU Octave: numbers recorded from Octave 7.3
(tests/fixtures/octave_rng.json, made by tests/fixtures/octave_rng_fixture.m; the command is in
the file) and, where octave-cli is installed, Octave run now. MatlabRNG.randperm against the values
MATLAB's documentation publishes."""

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from parity import TOLERANCES  # matlab_ref/parity.py

import nn3
from nn3.core.octave_rng import OctaveRNG, make_rng, mt19937_init_by_array, octave_seed_key
from nn3.errors import OptionError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = json.loads((FIXTURES / "octave_rng.json").read_text())
OCTAVE = shutil.which("octave-cli")
needs_octave = pytest.mark.needs_octave


def _octave_seed(text):
    """A seed as mat2str printed it ("1.5", "NaN", "-Inf", "[1 2 3]")."""
    words = text.strip("[]").split()
    values = [float(w.replace("Inf", "inf").replace("NaN", "nan")) for w in words]
    return values[0] if len(values) == 1 else values


def _check_against(rec):
    """Every recorded stream, permutation and flag against nn3."""
    assert rec["rng_equals_state_equals_twister"]
    assert rec["rng_default_equals_rng0"]
    for entry in rec["long"]:
        values = np.array(entry["values"])
        assert values.size == rec["n_values"]
        np.testing.assert_array_equal(OctaveRNG(entry["seed"]).rand(1, values.size)[0], values)
    for entry in rec["short"]:
        got = OctaveRNG(_octave_seed(entry["seed"])).rand(1, 6)[0]
        np.testing.assert_array_equal(got, entry["values"], err_msg=f"seed {entry['seed']}")
    np.testing.assert_array_equal(OctaveRNG(0).rand(3, 4), np.array(rec["rng0_rand_3x4"]))
    for entry in rec["randperm"]:
        gen = OctaveRNG(entry["seed"])
        p = gen.randperm(entry["n"], entry["k"])
        expected = np.array(entry["p"], dtype=np.intp).reshape(-1)
        np.testing.assert_array_equal(p, expected, err_msg=str(entry))
        assert gen.rand(1, 1)[0, 0] == entry["next_rand"], entry  # randperm drew exactly k


# --------------------------------------------------------------------------------------------
# Recorded from Octave (runs everywhere)


def test_recorded_octave_streams_bit_for_bit():
    assert RECORDED["octave_version"].startswith("7.")
    assert len(RECORDED["long"]) == 5 and RECORDED["n_values"] >= 1000
    _check_against(RECORDED)


def test_issue_values_and_column_order():
    # Octave 7.3, rng(0); rand(1, 3) as it prints them.
    np.testing.assert_allclose(OctaveRNG(0).rand(1, 3), [[0.8444, 0.7580, 0.4206]], atol=5e-5)
    r = OctaveRNG(5).rand(3, 4)
    np.testing.assert_array_equal(r.ravel(order="F"), OctaveRNG(5).rand(1, 12)[0])
    gen = OctaveRNG(5)
    first, rest = gen.rand(1, 1), gen.rand(1, 11)
    np.testing.assert_array_equal(np.concatenate([first[0], rest[0]]), r.ravel(order="F"))
    np.testing.assert_array_equal(OctaveRNG(0).randperm(8), [7, 1, 5, 3, 2, 4, 8, 6])


def test_octave_and_matlab_streams_differ_from_the_same_seed():
    assert OctaveRNG(0).rand(1, 1)[0, 0] != nn3.MatlabRNG(0).rand(1, 1)[0, 0]
    # Octave seeds MT19937 with init_by_array([s]), MATLAB with init_genrand(s) (5489 for 0).
    assert OctaveRNG(5489).rand(1, 1)[0, 0] != nn3.MatlabRNG(0).rand(1, 1)[0, 0]


def test_init_by_array_reference_outputs():
    # Matsumoto and Nishimura's mt19937ar.c test: init_by_array({0x123, 0x234, 0x345, 0x456})
    # prints genrand_int32() outputs starting 1067595299 955945823 477289528 4107218783.
    rs = np.random.RandomState()
    rs.set_state(("MT19937", mt19937_init_by_array([0x123, 0x234, 0x345, 0x456]), 624))
    first = rs.randint(0, 2**32, size=4, dtype=np.uint64).tolist()
    assert first == [1067595299, 955945823, 477289528, 4107218783]


def test_seed_conversion_rules():
    assert octave_seed_key(0) == [0]
    assert octave_seed_key(1.5) == [2] and octave_seed_key(2.5) == [3]
    assert octave_seed_key(0.4) == [0] and octave_seed_key(0.5) == [1]
    assert octave_seed_key(-3) == [0] and octave_seed_key(math.nan) == [0]
    assert octave_seed_key(math.inf) == [0] and octave_seed_key(-math.inf) == [0]
    assert octave_seed_key(2**32) == [2**32 - 1] and octave_seed_key(1e10) == [2**32 - 1]
    assert octave_seed_key([1, 2, 3]) == [1, 2, 3]
    assert octave_seed_key(np.uint32(7)) == [7]
    for bad in ([], np.zeros(625), "abc", None, 1 + 2j):
        with pytest.raises(OptionError):
            octave_seed_key(bad)


def test_zero_pairs_are_skipped_like_octave():
    # Octave's rand is on (0, 1): a pair of outputs giving 0.0 is skipped and the next taken.
    gen = OctaveRNG(0)
    queue = [np.array([0.5, 0.0, 0.25, 0.0]), np.array([0.0, 0.75]), np.array([0.125])]

    class Stub:
        def random_sample(self, n):
            return queue.pop(0)[:n]

    gen._state = Stub()
    np.testing.assert_array_equal(gen.rand(1, 4), [[0.5, 0.25, 0.75, 0.125]])


def test_randperm_edge_cases_and_errors():
    assert OctaveRNG(3).randperm(0).shape == (0,)
    assert OctaveRNG(3).randperm(5, 0).shape == (0,)
    p = OctaveRNG(11).randperm(50)
    assert sorted(p.tolist()) == list(range(1, 51))
    # randperm(n, k) is the first k of the same shuffle, from k draws.
    np.testing.assert_array_equal(OctaveRNG(11).randperm(50, 7), p[:7])
    for gen in (OctaveRNG(0), nn3.MatlabRNG(0)):
        with pytest.raises(OptionError):
            gen.randperm(-1)
        with pytest.raises(OptionError):
            gen.randperm(2.5)
    with pytest.raises(OptionError, match="at most n"):
        OctaveRNG(0).randperm(3, 4)


def test_matlab_randperm_documented_values():
    # MATLAB's randperm documentation (fresh session, i.e. rng default): randperm(6) and
    # rng default; randperm(8).
    np.testing.assert_array_equal(nn3.MatlabRNG(0).randperm(6), [6, 3, 5, 1, 2, 4])
    np.testing.assert_array_equal(nn3.MatlabRNG(0).randperm(8), [6, 3, 7, 8, 5, 1, 2, 4])
    with pytest.raises(OptionError, match="undocumented"):
        nn3.MatlabRNG(0).randperm(8, 4)


def test_make_rng_by_engine_name():
    assert isinstance(make_rng("matlab", 3), nn3.MatlabRNG)
    assert isinstance(make_rng("Octave", 3), OctaveRNG)
    np.testing.assert_array_equal(make_rng("octave", 3).rand(2), OctaveRNG(3).rand(2))
    np.testing.assert_array_equal(make_rng(seed=3).rand(2), nn3.MatlabRNG(3).rand(2))
    assert nn3.OctaveRNG is OctaveRNG and nn3.make_rng is make_rng
    for engine, seed in (("julia", 0), ("octave", -1), ("octave", math.nan), ("matlab", 1.5)):
        with pytest.raises(OptionError):
            make_rng(engine, seed)


def test_rand_initialize_weights_takes_an_octave_rng():
    W = nn3.rand_initialize_weights(3, 2, rng=OctaveRNG(4))
    np.testing.assert_array_equal(W, OctaveRNG(4).rand(2, 4) * 2 * 0.12 - 0.12)


# --------------------------------------------------------------------------------------------
# Octave run now (skipped without octave-cli)


def _octave(code, cwd):
    proc = subprocess.run(
        [OCTAVE, "--no-gui", "--norc", "-q", "--eval", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@needs_octave
def test_live_octave_streams(tmp_path):
    out = tmp_path / "rng.json"
    _octave(f"addpath('{FIXTURES}'); octave_rng_fixture('{out}', 20000)", tmp_path)
    live = json.loads(out.read_text())
    _check_against(live)


@needs_octave
def test_live_octave_large_randperm(tmp_path):
    out = tmp_path / "p.txt"
    _octave(
        f"rng(12345); p = randperm(100000); q = randperm(10^7, 1000); "
        f"fid = fopen('{out}', 'w'); fprintf(fid, '%d\\n', p, q); fclose(fid);",
        tmp_path,
    )
    values = np.loadtxt(out, dtype=np.int64)
    gen = OctaveRNG(12345)
    np.testing.assert_array_equal(gen.randperm(100000), values[:100000])
    np.testing.assert_array_equal(gen.randperm(10**7, 1000), values[100000:])


# An ex4-style run as an Octave student writes it (written for nn3): rng(seed), the
# randInitializeWeights formula, the project's fmincg equivalent (matlab_ref/cgmin.m) for 50
# iterations on data/digits.mat with matlab_ref/nnCostFunction.m.
EX4_SCRIPT = """
addpath('{ref}');
data = load('{data}');
X = data.X; y = data.y;
rng({seed});
epsilon_init = 0.12;
Theta1 = rand(25, 1 + 64) * 2 * epsilon_init - epsilon_init;
Theta2 = rand(10, 1 + 25) * 2 * epsilon_init - epsilon_init;
initial_nn_params = [Theta1(:); Theta2(:)];
costFunc = @(p) nnCostFunction(p, 64, 25, 10, X, y, 1);
[nn_params, cost] = cgmin(costFunc, initial_nn_params, optimset('MaxIter', 50, 'Display', 'off'));
T1 = reshape(nn_params(1:25 * 65), 25, 65);
T2 = reshape(nn_params(25 * 65 + 1:end), 10, 26);
pred = predict(T1, T2, X);
save('-mat7-binary', '{out}', 'initial_nn_params', 'nn_params', 'cost', 'pred');
"""


@needs_octave
@pytest.mark.parametrize("seed", [0, 7])
def test_octave_student_ex4_run_is_reproduced_from_the_seed(tmp_path, seed):
    out = tmp_path / "ex4.mat"
    script = EX4_SCRIPT.format(
        ref=ROOT / "matlab_ref", data=ROOT / "data" / "digits.mat", seed=seed, out=out
    )
    _octave(script, tmp_path)
    ref = nn3.load_mat(out)

    gen = OctaveRNG(seed)
    T1 = nn3.rand_initialize_weights(64, 25, rng=gen)
    T2 = nn3.rand_initialize_weights(25, 10, rng=gen)
    p0 = nn3.unroll(T1, T2)
    np.testing.assert_array_equal(p0, ref["initial_nn_params"].ravel())  # the seed alone

    data = nn3.load_mat(ROOT / "data" / "digits.mat")
    X, y = data["X"], data["y"]
    res = nn3.fmincg(nn3.make_objective(X, y, 64, 25, 10, 1.0), p0, maxiter=50)
    # The parity table's 50-iteration tolerances (fmincg_digits_50.mat): the cost history to its
    # 50-iteration band, the final parameters to their bound, the same predictions. Its tighter
    # early bands were measured from one starting point only; from other seeds and with other
    # exp/log builds the early iterations drift a little more (measured here, seed 7: 1.4e-12
    # at iteration 5), so they are not applied to arbitrary seeds.
    table = TOLERANCES["fmincg_digits_50.mat"]
    fx_tol = table["fX"].rtol(50)
    fX = ref["cost"].ravel()
    assert res.fun_history.shape == fX.shape
    rel = np.abs(res.fun_history - fX) / np.abs(fX)
    assert rel.max() <= fx_tol, f"cost history moved {rel.max():.1e} > {fx_tol:.0e}"
    outcome = table["final_params"].compare(res.x.reshape(-1, 1), ref["nn_params"])
    assert outcome.ok, f"final_params: {outcome.measured}"
    Theta1, Theta2 = nn3.roll(res.x, 64, 25, 10)
    np.testing.assert_array_equal(nn3.predict(Theta1, Theta2, X), ref["pred"].ravel())
