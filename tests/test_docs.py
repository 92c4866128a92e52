"""The documentation: every example runs and prints what its page shows; the site builds.

The examples' rules are in ``tests/docs_examples.py`` (and ``docs/contributing.md``). Each
example is one test, named by its page and line (``docs/how-to/real-data.md:42``); the blocks of
a page run in order in one temporary folder. The site's strict build needs the ``docs`` extra
(``pip install -e '.[docs]'``): without it that test skips, except under ``NN3_REQUIRE_ALL=1``
(``.ci/run``), where it fails.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import docs_examples as dx
import pytest
import support

ROOT = dx.ROOT
EXAMPLES = dx.examples()

#: Submodules ``nn3`` exports as attributes (documented by their own sections, not as names).
_SUBMODULES = {
    "matlab",
    "plot",
    "testing",
    "gradcheck",
    "datasets",
    "compare",
    "core",
    "mat",
    "engines",
}


def _missing(need):
    """Why an example that needs ``need`` cannot run here (None when it can)."""
    if need == "octave":
        return support.missing("needs_octave")
    if need == "bubblewrap" and shutil.which("bwrap") is None:
        return "bubblewrap is not installed (apt-get install -y bubblewrap)"
    if need == "dask" and importlib.util.find_spec("distributed") is None:
        return "Dask is not installed: pip install -e '.[dask]'"
    if need == "matplotlib" and importlib.util.find_spec("matplotlib") is None:
        return "matplotlib is not installed: pip install -e '.[plot]'"
    return None


def _skip_or_fail(why):
    if os.environ.get("NN3_REQUIRE_ALL") == "1" and not (
        why.startswith("GNU Octave") and not support.must_run("needs_octave")
    ):
        pytest.fail(f"{why}, and NN3_REQUIRE_ALL=1 asks every docs example to run", False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def page_folders(tmp_path_factory):
    """One folder per page (made on first use), with the checkout's data and MATLAB code."""
    made = {}

    def folder(page):
        if page not in made:
            base = tmp_path_factory.mktemp(re.sub(r"\W", "_", page))
            made[page] = dx.make_page_folder(base / "work")
        return made[page]

    return folder


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return dx.environment(tmp_path_factory.mktemp("site"))


def test_pages_follow_the_example_rules():
    problems = dx.problems()
    assert not problems, "\n".join(problems)


def test_every_page_has_examples_found():
    """The runner finds the examples (a parser that finds none would pass everything)."""
    pages = {b.page for b in EXAMPLES}
    assert "README.md" in pages
    assert len(EXAMPLES) >= 40, len(EXAMPLES)
    assert any(b.output for b in EXAMPLES if b.language == "python")


@pytest.mark.parametrize("block", EXAMPLES, ids=[f"{b.page}:{b.line}" for b in EXAMPLES])
def test_example(block, page_folders, env, tmp_path):
    if dx.is_skip(block):
        pytest.skip(f"not run: {dx.skip_reason(block)}")
    need = dx.needs(block)
    if need:
        why = _missing(need)
        if why:
            _skip_or_fail(why)
    folder = page_folders(block.page)
    where = f"{block.page}:{block.line}"
    if dx.file_name(block):
        (folder / str(dx.file_name(block))).write_text(block.text, encoding="utf-8")
        return
    if block.language == "python":
        result = dx.run_script(block, folder, tmp_path / "scripts", env)
        problem = dx.mismatch(f"The script at {where}", block.output or "...", result)
        assert problem is None, problem
        return
    ran = 0
    for command in dx.commands(block):
        runnable = dx.to_run(command.command)
        if runnable is None:
            continue
        result = dx.run_command(runnable, folder, env)
        problem = dx.mismatch(
            f"$ {command.command} ({block.page}:{command.line})",
            command.expected,
            result,
            command.status,
        )
        assert problem is None, problem
        ran += 1
    assert ran or all(dx.is_install(c.command) for c in dx.commands(block))


# ---------------------------------------------------------------------------------------------
# The runner itself: it must be able to fail


def test_matching_rules():
    assert dx.matches("a\nb", "a\nb\n")
    assert not dx.matches("a\nb", "a\nc\n")
    assert not dx.matches("a", "a\nb\n")  # nothing printed may be left out silently
    assert dx.matches("a\n...\nd", "a\nb\nc\nd\n")
    assert dx.matches("a\n...\nd", "a\nd\n")
    assert dx.matches("Cost: 5.3054...e-01", "Cost: 5.305447e-01\n")
    assert not dx.matches("Cost: 5.3054...e-01", "Cost: 5.305547e-01\n")
    assert not dx.matches("x ... y", "x 1\ny\n")  # an ellipsis in a line stays on that line
    assert dx.matches("", "")
    assert not dx.matches("", "something\n")


def test_a_changed_output_fails(tmp_path):
    """Break one shown output on purpose: the comparison must say so."""
    block = dx.Block("x.md", 1, "console", "$ echo 98.27%\n98.27%\n", None)
    env = dx.environment(tmp_path / "site")
    (command,) = dx.commands(block)
    result = dx.run_command(command.command, tmp_path, env)
    assert dx.mismatch("echo", command.expected, result) is None
    assert "printed something else" in dx.mismatch("echo", "98.28%", result)
    assert "exited with status 0, the page says 2" in dx.mismatch("echo", "98.27%", result, 2)


def test_console_parsing():
    text = "$ nn3 compare a b --ulps 0   # exit 1\nFAIL\n$ echo a \\\n  b\na b\n"
    c1, c2 = dx.commands(dx.Block("x.md", 10, "console", text, None))
    assert (c1.status, c1.expected, c1.line) == (1, "FAIL", 11)
    assert c2.command == "echo a \\\n  b" and c2.expected == "a b"
    assert dx.is_install("python3 -m venv .venv && . .venv/bin/activate")
    assert dx.is_install("pip install -e '.[docs]'")
    assert not dx.is_install("pip install -e . && nn3 train data/digits.mat")
    assert dx.to_run("pip install -e . && nn3 train d.mat && nn3 predict w.mat d.mat") == (
        "nn3 train d.mat && nn3 predict w.mat d.mat"
    )
    assert dx.to_run("nn3 info d.mat && pip install x") == "nn3 info d.mat && pip install x"
    with pytest.raises(ValueError):
        dx.commands(dx.Block("x.md", 1, "console", "output first\n$ ls\n", None))


def test_readme_test_command_is_what_ci_runs():
    """.ci/run ends with exactly the README's test command."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    shown = [
        c.command
        for b in dx.blocks(ROOT / "README.md")
        if b.language == "console"
        for c in dx.commands(b)
        if "pytest" in c.command
    ]
    assert shown, "the README shows no test command"
    assert ci[-1] == " && ".join(shown), (ci[-1], shown)
    assert len(readme.splitlines()) <= 155, "the README is a landing page: about 150 lines at most"


# ---------------------------------------------------------------------------------------------
# The site


def test_site_builds_strictly(tmp_path):
    """The strict build of .ci/run (warnings are errors, every reference resolves), and the
    generated references are complete: every command and every public name is there."""
    missing = [
        m
        for m in ("sphinx", "myst_parser", "numpydoc", "sphinx_click", "furo")
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        _skip_or_fail(
            f"the docs extra is not installed ({', '.join(missing)}): pip install -e '.[docs]'"
        )
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-n",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    from nn3.cli import COMMANDS

    cli = (out / "reference" / "cli.html").read_text()
    for name in COMMANDS:
        assert f'id="nn3-{name}"' in cli, f"nn3 {name} is missing from the CLI reference"

    import nn3
    import nn3.matlab

    api = (out / "reference" / "api.html").read_text()
    exported = [*nn3.__all__, *getattr(nn3, "_OPTIONAL_EXPORTS", ())]  # NN3Classifier: not in *
    names = [f"nn3.{n}" for n in exported if n != "__version__" and n not in _SUBMODULES]
    names += [f"nn3.matlab.{n}" for n in nn3.matlab.__all__]
    documented_as = {"nn3.assert_mat_allclose": "nn3.testing.assert_mat_allclose"}
    missing = [n for n in names if f'id="{documented_as.get(n, n)}"' not in api]
    assert len(names) > 50 and not missing, (
        f"exported but not in docs/reference/api.md: {missing} (add an autofunction or autoclass)"
    )


# ---------------------------------------------------------------------------------------------
# Reference pages checked against the code


def _weights_table():
    """The weights-file page's table: variable name -> its "when" column."""
    rows = {}
    page = (ROOT / "docs" / "reference" / "weights-file.md").read_text()
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            for name in re.findall(r"`([A-Za-z_0-9]+)`", cells[0]):
                rows[name] = cells[2]
    return rows


def _train(tmp_path, out, *args):
    proc = subprocess.run(
        [sys.executable, "-m", "nn3", "train", *args, "--maxiter", "2", "--quiet", "--out", out],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    import nn3

    return set(nn3.load_mat(tmp_path / out))


def test_weights_file_reference_lists_every_variable(tmp_path):
    """Every variable nn3 train writes is in docs/reference/weights-file.md, and every one the
    page lists is written by some run; "always" ones by every run."""
    import numpy as np

    import nn3

    table = _weights_table()
    assert len(table) >= 30, table
    shutil.copytree(ROOT / "data", tmp_path / "data")
    rows = np.hstack([np.arange(20.0)[:, None] % 7, np.arange(20.0)[:, None] % 2 + 1])
    np.savetxt(tmp_path / "t.csv", np.hstack([rows[:, 1:], rows[:, :1]]), delimiter=",")
    nn3.save_mat(
        tmp_path / "big.mat",
        {"X": np.arange(40.0).reshape(20, 2) / 40, "y": 1.0 + np.arange(20.0)[:, None] % 2},
        format="7.3",
    )
    nn3.save_mat(tmp_path / "twos.mat", {"X": rows, "y": 2.0 + 2 * (np.arange(20.0) % 2)})
    runs = {
        "plain": _train(tmp_path, "a.mat", "data/digits.mat"),
        "holdout, normalize, y-col": _train(
            tmp_path, "b.mat", "t.csv", "--y-col", "1", "--holdout", "0.2", "--normalize"
        ),
        "text labels": _train(
            tmp_path, "c.mat", "data/fisheriris.mat", "--x-var", "meas", "--y-var", "species"
        ),
        "classes auto": _train(tmp_path, "d.mat", "twos.mat", "--classes", "auto"),
        "stream": _train(tmp_path, "e.mat", "big.mat", "--stream"),
        "lambda list, holdout": _train(
            tmp_path, "f.mat", "data/data.mat", "--lambda", "0,1", "--holdout", "0.2"
        ),
        "lambda list, cv": _train(
            tmp_path, "g.mat", "data/data.mat", "--lambda", "0,1", "--cv", "2"
        ),
    }
    written = set().union(*runs.values())
    always = {name for name, when in table.items() if when == "always"}
    assert written - set(table) == set(), f"written but not documented: {written - set(table)}"
    assert set(table) - written == set(), f"documented but never written: {set(table) - written}"
    for run, names in runs.items():
        assert always <= names, f"{run}: 'always' variables missing: {always - names}"
    in_memory = {name for name, when in table.items() if when == "in-memory training"}
    assert in_memory == {"threads"}
    for run, names in runs.items():
        assert (in_memory <= names) is (run != "stream"), run
    assert runs["plain"] == always | in_memory, runs["plain"] ^ (always | in_memory)
    assert {"holdout", "test_accuracy", "train_idx", "test_idx", "mu", "sigma", "y_col"} <= runs[
        "holdout, normalize, y-col"
    ]
    assert "classes" in runs["text labels"] and "classes" in runs["classes auto"]
    assert {"engine", "block_rows"} <= runs["stream"]


def test_environment_reference_lists_every_variable():
    """Every NN3_ variable in the package, the tests, the benchmarks, matlab_ref's scripts and
    .ci/run is on docs/reference/environment.md; so is every variable the package reads."""
    page = (ROOT / "docs" / "reference" / "environment.md").read_text()
    files = [ROOT / ".ci" / "run"]
    for folder, patterns in [
        ("nn3", ("*.py",)),
        ("tests", ("*.py",)),
        ("benchmarks", ("*.py", "*.sh")),
        ("matlab_ref", ("*.py", "*.sh")),
    ]:
        for pattern in patterns:
            files += (ROOT / folder).rglob(pattern)
    names = set()
    for f in files:
        names |= set(re.findall(r"\bNN3_[A-Z0-9_]*[A-Z0-9]\b", f.read_text(errors="replace")))
    names.discard("NN3_MAX_LOAD")  # a prefix a test looks for in a message
    missing = sorted(n for n in names if f"`{n}`" not in page)
    assert not missing, f"not on docs/reference/environment.md: {missing}"
    read = set()
    for f in (ROOT / "nn3").rglob("*.py"):
        read |= set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_0-9]+)\"", f.read_text()))
        read |= set(re.findall(r"_env_limit\(\s*\"([A-Z_0-9]+)\"", f.read_text()))
    assert {"NN3_MAX_LOAD_BYTES", "NN3_MAX_LOAD_ITEMS"} <= read, read
    assert all(f"`{n}`" in page for n in read), read


def test_ex4_tutorial_table_is_the_script(tmp_path):
    """The ex4 tutorial's side-by-side table, its Python column run as a program, prints what
    the page says the whole script prints."""
    page = ROOT / "docs" / "tutorials" / "porting-ex4.md"
    text = page.read_text()
    section = text[text.index("## 1. The script, line by line") : text.index("## 2. ")]
    rows = [r for r in section.splitlines() if r.startswith("| `")]
    python = [re.fullmatch(r"\| `.*` \| `(.*)` \|", r).group(1) for r in rows]
    assert len(python) >= 15
    script = [b for b in dx.blocks(page) if b.language == "python" and b.output][0]
    assert "checkNNGradients(3)" in script.text
    program = "import numpy as np\nfrom nn3.matlab import *\n" + "\n".join(python) + "\n"
    block = dx.Block(script.page, script.line, "python", program, None, script.output)
    folder = dx.make_page_folder(tmp_path / "work")
    result = dx.run_script(block, folder, tmp_path / "scripts", dx.environment(tmp_path / "s"))
    problem = dx.mismatch("The table's Python column", script.output, result)
    assert problem is None, problem


def test_tolerance_reference_is_the_parity_table():
    page = (ROOT / "docs" / "reference" / "tolerances.md").read_text()
    shown = page.split("<!-- tolerance table: begin -->\n")[1].split("<!-- tolerance table: end")[0]
    assert shown == dx.tolerance_table(), (
        "docs/reference/tolerances.md differs from TOLERANCES in matlab_ref/parity.py; print "
        "the table with: python tests/docs_examples.py --tolerance-table"
    )
