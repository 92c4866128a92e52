"""Fuzzing the reader: mutated v4, v5 and v7.3 files load or raise nn3's own error, nothing else.

Each valid file is mutated by hypothesis (bit flips, truncation, overwritten or inserted random
bytes). ``nn3.load_mat`` must either return variables (which then pass or fail nn3's data
checks with an ``Nn3Error``) or raise ``MatFileError``; any other exception fails the test.

CI runs a fixed (derandomized) set of ``NN3_FUZZ_EXAMPLES`` examples per file (default 250).
For a longer, randomized manual run::

    NN3_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py -q --hypothesis-show-statistics
"""

import os

import numpy as np
import pytest
import scipy.io
import scipy.sparse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn3
from nn3.errors import MatFileError, Nn3Error
from nn3.workflow.data import validate_data

LONG_RUN = "NN3_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("NN3_FUZZ_EXAMPLES", "250"))


def _variables():
    rng = np.random.default_rng(2)
    return {
        "X": rng.random((12, 3)),
        "y": (np.arange(12) % 3 + 1).astype(np.uint8).reshape(-1, 1),
        "note": "fuzz",
        "chars": np.array(list("fuzzchar")).reshape(2, 2, 2),  # an N-D char array
        "data": {"X": rng.random((4, 2)), "flags": np.array([[True, False]])},
        "cell": np.array([[1.0, "two"]], dtype=object),
        "sp": scipy.sparse.csc_matrix(np.eye(3)),
        "z": np.array([[1 + 2j]]),
        "empty": np.zeros((0, 2)),
    }


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-bases")
    v = _variables()
    nn3.save_mat(folder / "v5.mat", v)  # compressed
    scipy.io.savemat(folder / "v6.mat", v, do_compression=False, oned_as="column")
    scipy.io.savemat(folder / "v4.mat", {"X": v["X"], "y": v["y"].astype(float)}, format="4")
    nn3.save_mat(folder / "v73.mat", v, format="7.3")
    out = {name: (folder / f"{name}.mat").read_bytes() for name in ("v5", "v6", "v4", "v73")}
    for name, data in out.items():  # the unmutated files are valid
        path = folder / f"check-{name}.mat"
        path.write_bytes(data)
        assert "X" in nn3.load_mat(path)
    out["v73-stream"] = out["v73"]
    # A small CSV as users save them: a comment, CR LF line ends, blanks around commas.
    X, y = v["X"], v["y"][:, 0]
    rows = [f"{a:.6f}, {b:.17g},{c}" for a, b, c in zip(X[:, 0], X[:, 1], y, strict=True)]
    out["text"] = ("% exam1, exam2, admitted\r\n" + "\r\n".join(rows) + "\r\n").encode()
    path = folder / "check-text.csv"
    path.write_bytes(out["text"])
    assert nn3.load_mat(path)["check_text"].shape == (12, 3)
    return out, tmp_path_factory.mktemp("fuzz-cases")


mutation = st.tuples(
    st.sampled_from(["flip", "truncate", "overwrite", "insert"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.binary(min_size=1, max_size=16),
    st.integers(min_value=0, max_value=7),
)


def mutate(data, mutations):
    data = bytearray(data)
    for kind, where, noise, bit in mutations:
        pos = min(int(where * len(data)), max(len(data) - 1, 0))
        if kind == "flip" and data:
            data[pos] ^= 1 << bit
        elif kind == "truncate":
            del data[pos:]
        elif kind == "overwrite":
            data[pos : pos + len(noise)] = noise
        else:
            data[pos:pos] = noise
    return bytes(data)


def check_mutated(path):
    try:
        variables = nn3.load_mat(path)
    except MatFileError:
        return "refused"
    assert isinstance(variables, dict)
    try:
        X = nn3.get_variable(variables, "X", str(path))
        y = nn3.get_variable(variables, "y", str(path))
        validate_data(X, y, str(path))
    except Nn3Error:
        return "loaded, bad data"
    return "loaded"


def check_mutated_text(path):
    """A numeric text file: a matrix, or one of nn3's errors (a bad cell is a DataError)."""
    try:
        variables = nn3.load_mat(path)
    except Nn3Error:
        return "refused"
    (data,) = variables.values()
    assert data.dtype == np.float64 and data.ndim == 2 and data.size
    return "loaded"


def check_streaming(path):
    """What the streaming engine asks of a v7.3 file before reading it, through nn3.mat's
    helpers: each dataset opened under ``h5py_errors`` and sized by ``unstored_claim``, which
    must give a reason (or None), never h5py's exception."""
    import h5py

    from nn3.mat._hdf5 import h5py_errors, unstored_claim

    try:
        f = h5py.File(path, "r")
    except OSError:
        return "refused"
    outcome = "checked"
    with f:
        try:
            with h5py_errors(f"{path}"):
                names = list(f.keys())
        except MatFileError:
            return "refused"
        for name in names:
            where = f"{path}: variable '{name}'"
            try:
                with h5py_errors(where):
                    obj = f.get(name)
                    is_dataset = isinstance(obj, h5py.Dataset)
            except MatFileError:
                outcome = "refused"
                continue
            if is_dataset:
                why = unstored_claim(obj, where)
                assert why is None or (why.startswith(where) and "\n" not in why), why
                outcome = outcome if why is None else "refused"
    return outcome


CHECKS = {"text": (check_mutated_text, ".csv"), "v73-stream": (check_streaming, ".mat")}


def fuzz(base, originals, folder, examples=EXAMPLES):
    """Run the property on ``examples`` mutations of one base file; the outcomes, counted."""
    outcomes = {}
    check, suffix = CHECKS.get(base, (check_mutated, ".mat"))

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not LONG_RUN,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(mutations=st.lists(mutation, min_size=1, max_size=4))
    def run(mutations):
        path = folder / f"{base}-case{suffix}"
        path.write_bytes(mutate(originals[base], mutations))
        outcome = check(path)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    run()
    return outcomes


@pytest.mark.parametrize("base", ["v5", "v6", "v4", "v73", "v73-stream", "text"])
def test_mutated_files_load_or_raise_nn3_errors(bases, base):
    originals, folder = bases
    outcomes = fuzz(base, originals, folder)
    print(f"fuzz {base}: {sum(outcomes.values())} cases: {outcomes}")
    # Both outcomes happen: the mutations are neither all harmless nor all fatal.
    assert outcomes.get("refused", 0) > 0
    assert sum(outcomes.values()) >= min(EXAMPLES, 50)


# A bug in the reader must fail the property above, not read as "corrupt file": only the errors
# bad data cause become MatFileError. Each case injects a bug into a
# parsing helper that fires on some inputs only, and the fuzz run must stop with that bug.


def _buggy(original, error, when):
    def helper(*args, **kwargs):
        result = original(*args, **kwargs)
        if when(args, result):
            raise error("injected bug")
        return result

    return helper


INJECTED = {
    # v5 and v6: a slip in the element reader, when an element holds 8 bytes or fewer.
    "v5": ("v5._V5.element", TypeError, lambda args, r: len(r[1]) <= 8),
    "v6": ("v5._V5.element", AttributeError, lambda args, r: len(r[1]) <= 8),
    # v4: a slip in the header parser, after the first variable.
    "v4": ("v4._header", TypeError, lambda args, r: len(args) > 1 and args[1] > 0),
    # v7.3: a slip reading attributes, when one is missing.
    "v73": ("v73.read_attr", AttributeError, lambda args, r: r is None),
    # The streaming checks: a slip in the helper behind unstored_claim, on datasets it passes.
    "v73-stream": ("_hdf5._unstored_claim", KeyError, lambda args, r: r is None),
    # Text: a slip in the careful line reader, on lines with a comma.
    "text": ("text._TextReader._parse", TypeError, lambda args, r: b"," in args[1]),
}


@pytest.mark.parametrize("base", sorted(INJECTED))
def test_the_fuzz_property_fails_when_the_reader_has_a_bug(bases, base, monkeypatch):
    import importlib

    originals, folder = bases
    target, error, when = INJECTED[base]
    # "module.name" or "module.Class.method" inside nn3.mat, patched where the reader looks it up.
    module_name, *owners, name = target.split(".")
    owner = importlib.import_module(f"nn3.mat.{module_name}")
    for attribute in owners:
        owner = getattr(owner, attribute)
    monkeypatch.setattr(owner, name, _buggy(getattr(owner, name), error, when))
    # The unmutated file: the bug escapes as itself.
    check, suffix = CHECKS.get(base, (check_mutated, ".mat"))
    path = folder / f"{base}-bug{suffix}"
    path.write_bytes(originals[base])
    if base == "text":  # only the careful reader has the bug: it reads what the fast one refuses
        path.write_bytes(originals[base] + b"1,,2,3\r\n")
    with pytest.raises(error, match="injected bug"):
        check(path)
    # And the fuzz property fails with it (hypothesis re-raises the bug).
    with pytest.raises(error, match="injected bug"):
        fuzz(base, originals, folder, examples=20)
