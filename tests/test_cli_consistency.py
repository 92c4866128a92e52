"""What a newcomer to the command line meets: each option defined once and read the same way
everywhere, outputs given by ``--out``, defaults said in ``--help``, files found as MATLAB's
``load`` finds them, pictures in the format their name says, progress with a total and an ETA.
"""

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
import nn3.cli
from nn3.cli import cli
from nn3.cli._common import Progress

CLI = Path(nn3.cli.__file__).resolve().parent
DATA = CLI.parent.parent / "data"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _declared_options(path):
    """The ``--option`` strings a module passes to ``click.option`` (or to options._option)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "option":
            found += [
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and str(a.value).startswith("--")
            ]
    return found


def test_each_option_is_defined_once():
    seen = {}
    for path in sorted(CLI.glob("*.py")):
        for option in _declared_options(path):
            seen.setdefault(option, []).append(path.name)
    repeated = {option: files for option, files in seen.items() if len(files) > 1}
    assert repeated == {}
    # compare and port-check share one --json
    assert seen["--json"] == ["options.py"]
    # the options of the library's settings come from options.py, spelled by OPTION_NAMES
    assert "--x-var" not in seen and "--stream" in seen and seen["--stream"] == ["options.py"]


def test_train_command_body_is_short():
    source = (CLI / "train.py").read_text(encoding="utf-8")
    function = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name == "train"
    )
    body = function.body[1:]  # after the docstring
    assert body[-1].end_lineno - body[0].lineno + 1 <= 40


def test_the_same_option_reads_the_same_in_every_command():
    helps = {}
    for command in ("train", "predict", "cost", "make-data"):
        text = re.sub(r"\s+", " ", run(command, "--help").output)
        helps[command] = text
    for command in ("train", "predict", "cost"):
        assert "--x-var TEXT" in helps[command]
    assert helps["train"].count("--block-rows N") == helps["predict"].count("--block-rows N") == 1


def test_make_data_writes_to_out_and_keeps_the_positional_file(tmp_path):
    r = run("make-data", "--out", tmp_path / "a.mat", "--rows", 20, "--features", 3)
    assert r.exit_code == 0, r.output
    r = run("make-data", tmp_path / "b.mat", "--rows", 20, "--features", 3)
    assert r.exit_code == 0, r.output
    a, b = nn3.load_mat(tmp_path / "a.mat"), nn3.load_mat(tmp_path / "b.mat")
    assert np.array_equal(a["X"], b["X"])
    r = run("make-data", "--rows", 20, "--features", 3)
    assert r.exit_code == 2 and "--out OUT.mat" in r.output
    r = run(
        "make-data", tmp_path / "c.mat", "--out", tmp_path / "d.mat", "--rows", 2, "--features", 3
    )
    assert r.exit_code == 2 and "give the output once" in r.output
    r = run("make-data", "--out", tmp_path / "e.mat", "--rows", 0, "--features", 3)
    assert r.exit_code == 2 and "--rows must be at least 1, got 0" in r.output


def test_cost_says_its_lambda_default_differs_from_train():
    text = re.sub(r"\s+", " ", run("cost", "--help").output)
    assert "[default: 0.0]" in text and "nn3 train defaults to 1" in text
    text = re.sub(r"\s+", " ", run("train", "--help").output)
    assert "nn3 cost defaults to 0" in text and "[default: 1.0]" in text


def test_info_shows_logicals_as_true_and_false(tmp_path):
    nn3.save_mat(
        tmp_path / "f.mat", {"flag": np.array([[True, False]]), "off": np.array([[False]])}
    )
    rows = {
        line.split()[0]: line.split()
        for line in run("info", tmp_path / "f.mat").output.splitlines()[2:]
    }
    assert rows["flag"][1:] == ["logical", "1x2", "false", "true", "0"]
    assert rows["off"][3:5] == ["false", "false"]


def test_data_without_an_extension_is_found_as_matlab_load_finds_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mydata.mat").write_bytes((DATA / "data.mat").read_bytes())
    r = run("train", "mydata", "--hidden", 3, "--maxiter", 2, "-q", "--out", "w.mat")
    assert r.exit_code == 0, r.output
    assert nn3.load_mat("w.mat")["data_file"] == "mydata.mat"
    r = run("info", "w")
    assert r.exit_code == 0 and r.output.startswith("w.mat: MAT-file v5")
    r = run("info", "missing")
    assert r.exit_code == 2 and "missing" in r.output


def test_pictures_are_written_in_the_format_of_their_extension_or_refused(tmp_path):
    pytest.importorskip("matplotlib")
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "d.jpg")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "d.jpg").read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "d.pdf")
    assert r.exit_code == 0 and (tmp_path / "d.pdf").read_bytes()[:5] == b"%PDF-"
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "d.xyz")
    assert r.exit_code == 2 and r.output.count("\n") == 1
    assert "--out" in r.output and "matplotlib does not write that format" in r.output
    assert not (tmp_path / "d.xyz").exists()
    out = tmp_path / "w.mat"
    r = run(
        "train", DATA / "data.mat", "--maxiter", 2, "-q", "--out", out, "--plot", tmp_path / "c.doc"
    )
    assert r.exit_code == 2 and "--plot" in r.output and not out.exists()  # refused before training
    r = run(
        "train", DATA / "data.mat", "--maxiter", 2, "-q", "--out", out, "--plot", tmp_path / "c.svg"
    )
    assert r.exit_code == 0 and (tmp_path / "c.svg").read_text().lstrip().startswith("<?xml")


def test_learned_nothing_hint_does_not_suggest_scaling_where_it_is_refused(tmp_path):
    data = tmp_path / "d73.mat"
    X = np.random.default_rng(0).random((200, 3))
    nn3.save_mat(
        data, {"X": X, "y": np.ones((200, 1)) * (np.arange(200) % 10 > 0)[:, None]}, format="7.3"
    )
    r = CliRunner().invoke(
        cli, ["train", str(data), "--stream", "--hidden", "1", "--maxiter", "1", "-q",
              "--out", str(tmp_path / "w.mat")],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "learned nothing" in r.stderr and "--normalize" not in r.stderr
    r = CliRunner().invoke(
        cli, ["train", str(data), "--hidden", "1", "--maxiter", "1", "-q",
              "--out", str(tmp_path / "w.mat")],
    )  # fmt: skip
    assert "learned nothing" in r.stderr and "--normalize" in r.stderr and "--maxiter" in r.stderr


def test_progress_shows_the_total_and_an_eta_on_a_terminal(monkeypatch, capsys):
    clock = iter([100.0, 102.0, 104.0])
    monkeypatch.setattr("nn3.cli._common.time.monotonic", lambda: next(clock))
    progress = Progress(quiet=False, maxiter=50)
    progress.tty = True
    progress(SimpleNamespace(nit=1, fun=1.5, nfev=3))  # 2 s for 1 of 50
    progress(SimpleNamespace(nit=2, fun=1.25, nfev=5))  # 4 s for 2 of 50
    progress.close()
    out = capsys.readouterr().out
    assert "Iteration     1 | Cost: 1.500000e+00 | 1/50 |    2.0 s | ETA 1 min 38 s" in out
    assert "Iteration     2 | Cost: 1.250000e+00 | 2/50 |    4.0 s | ETA 1 min 36 s" in out
    # negative maxiter counts function evaluations, as fmincg does
    clock = iter([0.0, 10.0])
    progress = Progress(quiet=False, maxiter=-20)
    progress.tty = True
    progress(SimpleNamespace(nit=1, fun=1.0, nfev=5))
    assert "5/20 |   10.0 s | ETA 30 s" in capsys.readouterr().out


def test_progress_in_a_file_is_fmincgs_own_line(capsys):
    progress = Progress(quiet=False, maxiter=50)
    progress.tty = False
    progress(SimpleNamespace(nit=3, fun=0.5, nfev=9))
    assert capsys.readouterr().out == "Iteration     3 | Cost: 5.000000e-01\n"
