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
        if dx.is_install(command.command):
            continue
        result = dx.run_command(command.command, folder, env)
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
    assert len(readme.splitlines()) <= 160


# ---------------------------------------------------------------------------------------------
# The site


def test_site_builds_strictly(tmp_path):
    """The strict build of .ci/run (warnings are errors, every reference resolves), and the
    generated references are complete: every command and every public name is there."""
    missing = [m for m in ("sphinx", "myst_parser", "numpydoc", "sphinx_click", "furo") if
               importlib.util.find_spec(m) is None]
    if missing:
        _skip_or_fail(
            f"the docs extra is not installed ({', '.join(missing)}): pip install -e '.[docs]'"
        )
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    from nn3.cli import COMMANDS

    cli = (out / "reference" / "cli.html").read_text()
    for name in COMMANDS:
        assert f'id="nn3-{name}"' in cli, f"nn3 {name} is missing from the CLI reference"
