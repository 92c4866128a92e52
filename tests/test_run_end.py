"""Results never lost after the work is done; one line, never a traceback.

Each test here failed on the code before these guarantees: an unwritable ``--out`` found only
after training, a non-UTF-8 data file name that made the save fail, an output that is one of the
inputs, a reset file mode, a full disk while writing v7.3 (tracebacks, a segfault), stdout that
cannot be written, names with newlines and escape sequences, and option values that made
OverflowError/MemoryError tracebacks or NaN predictions.
"""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli

DATA = Path(__file__).resolve().parent.parent / "data"
DIGITS = DATA / "digits.mat"

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX file systems and descriptors")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def nn3_process(*args, **kwargs):
    """``python -m nn3 ARGS`` in a real process (the console script's set-up included)."""
    kwargs.setdefault("capture_output", True)
    return subprocess.run(
        [sys.executable, "-m", "nn3", *map(str, args)], text=True, timeout=300, **kwargs
    )


def one_error_line(output, needle):
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("nn3: error: ") and needle in lines[0], output
    assert "Traceback" not in output


@pytest.fixture
def mount_tmpfs(tmp_path):
    """``mount_tmpfs(options)``: a small tmpfs folder (root only; skipped where mount fails)."""
    mounted = []

    def mount(options):
        where = tmp_path / f"mnt{len(mounted)}"
        where.mkdir()
        r = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True
        )
        if r.returncode:
            pytest.skip(f"cannot mount a tmpfs here ({r.stderr.decode().strip()})")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    out = tmp_path_factory.mktemp("w") / "w.mat"
    r = run("train", DIGITS, "--maxiter", 2, "-q", "--out", out)
    assert r.exit_code == 0, r.output
    return out


def leftovers(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".nn3-"))


# --- Checked before the work: an --out that cannot be written ---------------------------------


@posix
def test_read_only_out_folder_is_refused_before_training(mount_tmpfs):
    ro = mount_tmpfs("ro,size=64k")
    r = run("train", DIGITS, "--maxiter", 30, "--out", ro / "w.mat")
    assert r.exit_code == 2
    one_error_line(r.output, "cannot write to")  # no "Iteration" line: nothing was trained
    assert "Read-only file system" in r.output
    r = run("predict", DIGITS, "--x", "1", "--out", ro / "p.mat")  # every command checks first
    assert r.exit_code == 2 and "cannot write to" in r.output


def test_out_that_is_a_device_is_refused(tmp_path):
    if not os.path.exists(os.devnull):
        pytest.skip("no /dev/null")
    r = run("train", DIGITS, "--maxiter", 30, "--out", os.devnull)
    assert r.exit_code == 2
    one_error_line(r.output, "is not a regular file")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


# --- Metadata never fails a save ------------------------------------------------------------


@posix
def test_data_file_name_that_is_not_utf8_trains_and_saves(tmp_path):
    try:
        data = tmp_path / os.fsdecode(b"digits-\xff.mat")
        shutil.copy(DIGITS, data)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses non-UTF-8 names")
    out = tmp_path / "w.mat"
    for fmt in ("5", "7.3"):
        r = run("train", data, "--maxiter", 2, "-q", "--out", out, "--format", fmt)
        assert r.exit_code == 0, r.output
        w = nn3.load_mat(out)
        assert str(w["data_file"]).endswith("digits-\\xff.mat")  # the byte, shown losslessly
        assert w["Theta1"].shape == (25, 65)


# --- An output is never one of the inputs or another output ---------------------------------


@pytest.mark.parametrize(
    "case",
    ["plot=out", "out=data", "out=data (other spelling)", "out=init", "out=data (hard link)"],
)
def test_train_refuses_an_output_that_is_an_input(tmp_path, weights, case):
    data = tmp_path / "d.mat"
    shutil.copy(DIGITS, data)
    init = tmp_path / "init.mat"
    shutil.copy(weights, init)
    args = ["train", data, "--maxiter", 2, "-q"]
    if case == "plot=out":
        args += ["--out", tmp_path / "same.mat", "--plot", tmp_path / "same.mat"]
        needle = "--plot"
    elif case == "out=data":
        args += ["--out", data]
        needle = "--out"
    elif case == "out=data (other spelling)":
        (tmp_path / "sub").mkdir()
        args += ["--out", tmp_path / "sub" / ".." / "d.mat"]
        needle = "is the same file as DATA"
    elif case == "out=init":
        args += ["--init", init, "--out", init]
        needle = "is the same file as --init"
    else:
        link = tmp_path / "link.mat"
        os.link(data, link)
        args += ["--out", link]
        needle = "is the same file as DATA"
    before = {p: p.read_bytes() for p in (data, init)}
    r = run(*args)
    assert r.exit_code == 2
    one_error_line(r.output, needle)
    assert {p: p.read_bytes() for p in (data, init)} == before
    assert not (tmp_path / "same.mat").exists()


def test_predict_and_show_refuse_an_output_that_is_an_input(tmp_path, weights):
    w = tmp_path / "w.mat"
    shutil.copy(weights, w)
    before = w.read_bytes()
    for args in (
        ["predict", w, DIGITS, "--out", w],
        ["predict", w, "--x", ",".join(["1"] * 64), "--out", w],
        ["show", w, "--out", w],
    ):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        one_error_line(r.output, "is the same file as")
        assert w.read_bytes() == before


# --- The previous file's mode is kept --------------------------------------------------------


@posix
@pytest.mark.parametrize("fmt", ["5", "7.3"])
def test_replacing_a_file_keeps_its_permission_bits(tmp_path, fmt):
    out = tmp_path / "w.mat"
    nn3.save_mat(out, {"a": 1.0}, format=fmt)
    os.chmod(out, 0o600)
    nn3.save_mat(out, {"a": 2.0}, format=fmt)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    os.chmod(out, 0o640)
    r = run("train", DIGITS, "--maxiter", 2, "-q", "--out", out, "--format", fmt)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    new = tmp_path / "new.mat"  # a new file: what the umask allows
    mask = os.umask(0o022)
    try:
        nn3.save_mat(new, {"a": 1.0}, format=fmt)
    finally:
        os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


# --- A full disk: one line, exit 2, the previous file intact ---------------------------------


@posix
@pytest.mark.parametrize("fmt", ["7.3", "5"])
def test_full_disk_is_one_line_and_keeps_the_previous_file(mount_tmpfs, fmt):
    small = mount_tmpfs("size=1m")
    target = small / "big.mat"
    nn3.save_mat(target, {"previous": 1.0}, format=fmt)
    before = target.read_bytes()
    # In a process: the old code wrote 222 lines of h5py tracebacks, then segfaulted.
    script = (
        "import sys, numpy as np, nn3\n"
        "try:\n"
        "    nn3.save_mat(sys.argv[1], {'X': np.random.default_rng(0).random((400, 1000))},"
        " format=sys.argv[2])\n"
        "except nn3.MatFileError as exc:\n"
        "    print(exc, file=sys.stderr); sys.exit(2)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", script, str(target), fmt], capture_output=True, text=True
    )
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == f"{target}: cannot write (No space left on device)"
    assert target.read_bytes() == before
    assert leftovers(small) == []


@posix
def test_full_disk_through_the_cli(mount_tmpfs, weights):
    small = mount_tmpfs("size=256k")
    out = small / "p.mat"
    nn3.save_mat(out, {"previous": 1.0}, format="7.3")
    before = out.read_bytes()
    (small / "filler").write_bytes(b"\0" * (256 * 1024 - 3 * 4096))
    r = nn3_process("predict", weights, DIGITS, "--out", out, "--format", "7.3")
    assert r.returncode == 2, r.stderr
    one_error_line(r.stderr, "No space left on device")
    assert out.read_bytes() == before
    assert leftovers(small) == []


# --- stdout that cannot be written never costs the result ------------------------------------


def _complete(path, maxiter):
    w = nn3.load_mat(path)
    return w["iterations"][0, 0] == maxiter and not w["interrupted"][0, 0]


@posix
@pytest.mark.parametrize("how", ["/dev/full", "closed", "head -1"])
def test_progress_that_cannot_be_written_never_costs_the_result(tmp_path, how):
    out = tmp_path / "w.mat"
    args = [sys.executable, "-m", "nn3", "train", str(DIGITS), "--maxiter", "20", "--out", str(out)]
    if how == "/dev/full":
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full")
        with open("/dev/full", "w") as full:
            r = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
        returncode, stderr = r.returncode, r.stderr
    elif how == "closed":
        r = subprocess.run(
            args, stderr=subprocess.PIPE, text=True, timeout=300, preexec_fn=lambda: os.close(1)
        )
        returncode, stderr = r.returncode, r.stderr
    else:  # nn3 train ... | head -1
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().startswith("Iteration")
        proc.stdout.close()
        stderr = proc.stderr.read()
        returncode = proc.wait(timeout=300)
    assert returncode == 0, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert len(stderr.strip().splitlines()) <= 1, stderr
    assert "standard output" in stderr
    assert _complete(out, 20)


# --- Names on the command line: one line, escapes shown, never sent raw ----------------------


def test_names_with_newlines_and_escape_sequences_are_escaped(tmp_path, weights):
    evil = tmp_path / "no\nsuch\x1b[31m.mat"
    r = run("train", evil)
    assert r.exit_code == 2
    one_error_line(r.output, "no\\nsuch\\x1b[31m.mat")
    assert "\x1b" not in r.output
    out = tmp_path / "p\n\x1b]0;title\x07.mat"
    r = run("predict", weights, DIGITS, "--out", out)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    saved = [line for line in r.output.splitlines() if line.startswith("Saved p")]
    assert len(saved) == 1 and saved[0].endswith("p\\n\\x1b]0;title\\x07.mat")
    assert out.exists()


# --- Option values that make no sense: exit 2, one line, before any work ---------------------


@pytest.mark.parametrize(
    "args, needle",
    [
        (["compare", "{w}", "{w}", "--ulps", "100000000000000000000000"], "--ulps must be"),
        (
            ["show", "{data}", "--rows", "20000", "--cols", "20000", "--out", "{t}/x.png"],
            "--rows",
        ),
        (["show", "{data}", "--rows", "2000", "--cols", "2000", "--out", "{t}/x.png"], "pixels"),
        (["check-grad", "--examples", "1000000000", "--input", "1000"], "--examples 1000000000"),
        (["predict", "{w}", "--x", "nan,nan"], "--x: 'nan' is not a finite number"),
        (["predict", "{w}", "--x", "1,inf"], "--x: 'inf' is not a finite number"),
        (["train", "{data}", "--epsilon", "1e308", "-q", "--out", "{t}/e.mat"], "--epsilon"),
    ],
)
def test_senseless_option_values_are_refused_up_front(tmp_path, weights, args, needle):
    if args[0] == "show":
        pytest.importorskip("matplotlib")
    args = [a.format(w=weights, data=DIGITS, t=tmp_path) for a in args]
    r = run(*args)
    assert r.exit_code == 2, r.output
    one_error_line(r.output, needle)
    assert not (tmp_path / "e.mat").exists()


def test_epsilon_bound_is_documented_and_inclusive(tmp_path):
    r = run("train", DIGITS, "--epsilon", "1000", "--maxiter", 1, "-q", "--out", tmp_path / "w.mat")
    assert r.exit_code in (0, 3), r.output  # allowed; saturated weights may fail cleanly (3)
    assert "RuntimeWarning" not in r.output
    r = run("train", DIGITS, "--epsilon", "1000.5", "--out", tmp_path / "w.mat")
    assert r.exit_code == 2 and "up to 1000" in r.output


# --- A model nn3 saves is a model nn3 loads: scaling near the limits of doubles ---------------


def test_normalize_on_a_huge_feature_saves_weights_predict_accepts(tmp_path):
    """A feature of 1e300 scale: its std used to overflow to Inf (numpy's RuntimeWarnings, exit
    0, sigma = Inf in the file) and predict refused the file."""
    rng = np.random.default_rng(5)
    X = rng.random((200, 3))
    y = (X[:, 0] + X[:, 1] > 1.0) + 1.0
    X[:, 1] *= 1e300
    data = tmp_path / "huge.mat"
    nn3.save_mat(data, {"X": X, "y": y})
    out = tmp_path / "w.mat"
    r = nn3_process("train", data, "--normalize", "--maxiter", 30, "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr, r.stderr
    w = nn3.load_mat(out)
    assert np.all(np.isfinite(w["sigma"])) and np.all(w["sigma"] > 0)
    r = nn3_process("predict", out, data)
    assert r.returncode == 0, r.stderr
    accuracy = float(r.stdout.split("Accuracy: ")[1].split("%")[0])
    assert accuracy == pytest.approx(float(w["train_accuracy"][0, 0]))


# --- Labels as the user has them: named, numbered when asked, shown safely -------------------


def test_classes_auto_numbers_labels_with_missing_classes(tmp_path):
    """{1, 2^63} with --classes auto used to be kept as class numbers, and the error blamed
    --hidden; {1, 100000} trained a 100000-output network in silence."""
    X = np.random.default_rng(6).random((40, 3))
    for labels in ([1.0, 2.0**63], [1.0, 100000.0]):
        y = np.array(labels * 20)
        data = tmp_path / "d.mat"
        nn3.save_mat(data, {"X": X, "y": y})
        r = run(
            "train", data, "--classes", "auto", "--maxiter", 2, "-q", "--out", tmp_path / "w.mat"
        )
        assert r.exit_code == 0, r.output
        w = nn3.load_mat(tmp_path / "w.mat")
        assert w["Theta2"].shape[0] == 2
        assert w["classes"][:, 0].tolist() == labels
        assert "2 classes" in r.stderr


def test_text_labels_reach_the_terminal_escaped_and_short(tmp_path):
    """Class names are the data's: a terminal escape sequence in one (it could retitle the
    window or hide text) is shown escaped, and a 100 KB label is shown cut, with its length."""
    evil = ["cat\x1b]0;title\x07", "dog\x1b[2J\u202e", "x" * 100_000]
    labels = np.empty((60, 1), dtype=object)
    for i in range(60):
        labels[i, 0] = evil[i % 3]
    X = np.random.default_rng(7).random((60, 3)) + (np.arange(60) % 3)[:, None]
    data = tmp_path / "text.mat"
    nn3.save_mat(data, {"X": X, "y": labels})
    out = tmp_path / "w.mat"
    r = run("train", data, "--maxiter", 40, "-q", "--out", out)
    assert r.exit_code == 0, r.output
    for output in (r.output,):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
        assert max(len(line) for line in output.splitlines()) < 400
    mapping = [line for line in r.stderr.splitlines() if "classes, numbered" in line]
    assert len(mapping) == 1
    assert "cat\\x1b]0;title\\x07" in mapping[0] and "dog\\x1b[2J\\u202e" in mapping[0]
    assert "x" * 40 + "... (100000 characters)" in mapping[0]
    shown = set()
    for sample in ("0.5,0.5,0.5", "1.5,1.5,1.5", "2.5,2.5,2.5"):
        r = run("predict", out, "--x", sample)
        assert r.exit_code == 0, r.output
        assert "\x1b" not in r.output and "\x07" not in r.output and "\u202e" not in r.output
        assert max(len(line) for line in r.output.splitlines()) < 200
        shown.add(r.stdout.splitlines()[0])
    assert any("cat\\x1b]0;title\\x07 (class 1)" in line for line in shown), shown
    assert any("... (100000 characters) (class 3)" in line for line in shown), shown


# --- make-data onto a full disk, or past a file size limit: one line, never a crash ----------


@posix
def test_make_data_past_the_file_size_limit_is_one_line(tmp_path):
    """RLIMIT_FSIZE: HDF5's failed write used to crash the process (SIGSEGV, exit 139)."""
    import resource

    out = tmp_path / "big.mat"
    out.write_bytes(b"previous")
    limit = 2 * 2**20

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = nn3_process(
        "make-data", "--rows", 20000, "--features", 50, "--out", out, preexec_fn=small_files
    )
    assert r.returncode == 2, (r.returncode, r.stderr)
    one_error_line(r.stderr, f"{out}: cannot write (File too large)")
    assert out.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


@posix
def test_make_data_checks_the_free_space_first(mount_tmpfs):
    small = mount_tmpfs("size=2m")
    out = small / "big.mat"
    out.write_bytes(b"previous")
    r = nn3_process("make-data", "--rows", 20000, "--features", 50, "--out", out)
    assert r.returncode == 2, r.stderr
    one_error_line(r.stderr, "on disk and")
    assert "free" in r.stderr and str(small) in r.stderr
    assert out.read_bytes() == b"previous"
    assert leftovers(small) == []


FILL_THE_DISK = """
import sys, numpy as np, nn3
from nn3.mat import blocks, writer
target, how = sys.argv[1], sys.argv[2]
try:
    if how == "blocks":  # the streaming writer of make-data and predict --stream
        with blocks.V73BlockWriter(target) as out:
            X = out.matrix("X", 40000, 50)
            for start in range(0, 40000, 4000):
                X.write_rows(start, np.random.default_rng(start).random((4000, 50)))
    else:  # save_mat's v7.3 writer for large variables: HDF5 writes to disk
        writer.V73_IN_MEMORY_BYTES = 1
        nn3.save_mat(target, {"X": np.random.default_rng(0).random((4000, 100))}, format="7.3")
except nn3.MatFileError as exc:
    print(exc, file=sys.stderr)
    sys.exit(2)
"""


@posix
@pytest.mark.parametrize("how", ["blocks", "save_mat"])
def test_hdf5_writing_onto_a_full_disk_is_one_line_and_keeps_the_previous_file(mount_tmpfs, how):
    small = mount_tmpfs("size=1m")
    target = small / "big.mat"
    target.write_bytes(b"previous")
    r = subprocess.run(
        [sys.executable, "-c", FILL_THE_DISK, str(target), how],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2, (r.returncode, r.stderr)  # not -11: HDF5 never saw the failure
    assert r.stderr.strip() == f"{target}: cannot write (No space left on device)"
    assert target.read_bytes() == b"previous"
    assert leftovers(small) == []
