"""The documentation's examples, found in its Markdown pages and run as a reader runs them.

``tests/test_docs.py`` runs every example of ``README.md``, ``CHANGELOG.md`` and ``docs/**/*.md``
with this module. The rules (also in ``docs/contributing.md``, for whoever writes a page):

```console`` blocks
    Each line that starts with ``$ `` is a command (a line ending in ``\\`` continues it), run
    by ``bash`` in the page's folder; the lines up to the next ``$ `` are what it prints,
    standard output and standard error together, in the order a terminal shows them. A
    command must exit with status 0, unless it ends with the comment ``# exit N``
    (``$ nn3 compare a.mat b.mat --ulps 0   # exit 1``). Commands that install software
    (``pip install``, ``python3 -m venv``, ``. .venv/bin/activate``) are shown, not run: the
    tests run in the environment they were installed in.
```python`` blocks
    Each is a whole script, run as ``python script.py`` in the page's folder. When an
    ```output`` block follows it, that is what the script prints (both streams, in order).
``...`` in a shown output
    On a line of its own it stands for any number of lines; inside a line, for any text on
    that line. It marks what varies between machines or runs (timings, the last digits of a
    number after many iterations, a path) or what the page leaves out.
Other languages (``text``, ``matlab``, ``json``, ``toml``, ...)
    are shown, not run. ``bash``, ``sh``, ``shell`` and ``pycon`` blocks are not used: a shell
    example is a ``console`` block, a Python one a ``python`` block.
An HTML comment on the line before a block (invisible on the site and on GitHub)
    ``<!-- test: skip: REASON -->`` shows the block without running it (the reason is
    reported); ``<!-- test: needs octave -->`` (or ``dask``, ``matplotlib``, ``bubblewrap``)
    runs it where that is installed and skips it elsewhere, except under
    ``NN3_REQUIRE_ALL=1`` (``.ci/run``), where a missing one fails the test;
    ``<!-- test: file NAME -->`` writes the block, whatever its language, to the file NAME in
    the page's folder instead of running it (a test module that a later ``$ python -m pytest``
    runs, a ``.m`` file for Octave).

The blocks of one page run in order in one temporary folder, which starts with copies of the
checkout's ``data/``, ``matlab_ref/`` and ``tests/portcheck_cases/`` (so a page's paths are
those of a checkout), and nothing is written anywhere else. Under ``NN3_PERTURB_ULPS`` the
commands and scripts run with nn3's ``exp``/``log`` perturbed as the test process is
(``tests/perturb.py``), so a number shown without ``...`` must not depend on the last bit of the
machine's math library.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

#: Folders of the checkout copied into every page's folder.
CHECKOUT_COPIES = ("data", "matlab_ref", "tests/portcheck_cases")

#: Languages that are examples to run, and those that must not be used (see the module text).
RUN_LANGUAGES = {"console", "python"}
REFUSED_LANGUAGES = {"bash", "sh", "shell", "zsh", "pycon", "shell-session"}

#: What ``<!-- test: needs X -->`` may name.
NEEDS = ("octave", "dask", "matplotlib", "bubblewrap")

#: Commands that install software: shown, not run.
INSTALL_COMMAND = re.compile(r"^(pip3? install|python3? -m (venv|pip install)|\. \S*activate)\b")

EXIT_COMMENT = re.compile(r"\s#\s*exit (\d+)\s*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
ANNOTATION = re.compile(r"^\s*<!--\s*test:\s*(?P<text>.*?)\s*-->\s*$")

#: Seconds one command or script may take before the example fails.
TIMEOUT = 600


@dataclass
class Block:
    """One fenced block of a page."""

    page: str  # relative to the checkout, e.g. "docs/how-to/real-data.md"
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    annotation: str | None  # the text of "<!-- test: ... -->" before the fence, if any
    output: str | None = None  # a python block's ```output block


@dataclass
class Command:
    """A console command and what the page shows it printing."""

    command: str
    expected: str
    status: int  # the exit status the command must have
    line: int


def pages(root: Path = ROOT) -> list[Path]:
    """The Markdown pages whose examples run: the README, the changelog and the docs."""
    found = [root / "README.md", root / "CHANGELOG.md"]
    found += sorted(p for p in (root / "docs").rglob("*.md") if "_build" not in p.parts)
    return [p for p in found if p.is_file()]


def blocks(path: Path, root: Path = ROOT) -> list[Block]:
    """Every fenced block of a Markdown page, with its annotation; python blocks carry the
    ```output block that follows them."""
    lines = path.read_text(encoding="utf-8").splitlines()
    page = path.relative_to(root).as_posix()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        language = info.split()[0] if info else ""
        start = i
        body = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if (
                close
                and close.group("fence")[0] == fence[0]
                and len(close.group("fence")) >= len(fence)
                and not close.group("info").strip()
            ):
                break
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        annotation = None
        if start > 0:
            a = ANNOTATION.match(lines[start - 1])
            if a:
                annotation = a.group("text")
        found.append(Block(page, start + 1, language, "\n".join(body) + "\n", annotation))
    # Attach each ```output block to the python block before it.
    kept: list[Block] = []
    for block in found:
        if block.language == "output" and kept and kept[-1].language == "python":
            if kept[-1].output is None:
                kept[-1].output = block.text
                continue
        kept.append(block)
    return kept


def examples(root: Path = ROOT) -> list[Block]:
    """The blocks to run, write (``file NAME``) or skip with a reason, in page order."""
    return [
        b
        for p in pages(root)
        for b in blocks(p, root)
        if b.language in RUN_LANGUAGES or file_name(b)
    ]


def problems(root: Path = ROOT) -> list[str]:
    """What breaks the rules above: a refused language, an ``output`` block after no python
    block, an annotation that means nothing, a skip without a reason."""
    found = []
    for path in pages(root):
        for b in blocks(path, root):
            where = f"{b.page}:{b.line}"
            if b.language in REFUSED_LANGUAGES and not is_skip(b):
                found.append(
                    f"{where}: a ```{b.language} block: use ```console ($ commands and their "
                    "output) or ```python, or mark it <!-- test: skip: REASON -->"
                )
            if b.language == "output":
                found.append(f"{where}: an ```output block that follows no ```python block")
            if b.annotation is not None:
                if is_skip(b) and not skip_reason(b):
                    found.append(f"{where}: <!-- test: skip: --> needs a reason")
                elif not is_skip(b) and needs(b) is None and file_name(b) is None:
                    found.append(f"{where}: unknown annotation <!-- test: {b.annotation} -->")
                elif file_name(b) is None and b.language not in RUN_LANGUAGES | REFUSED_LANGUAGES:
                    found.append(f"{where}: annotation on a ```{b.language} block, never run")
            if b.language == "console":
                try:
                    commands(b)
                except ValueError as exc:
                    found.append(f"{where}: {exc}")
    return found


def is_skip(block: Block) -> bool:
    return block.annotation is not None and block.annotation.startswith("skip")


def skip_reason(block: Block) -> str:
    return (block.annotation or "").partition(":")[2].strip()


def needs(block: Block) -> str | None:
    """What the block needs (``"octave"``, ...), from ``<!-- test: needs X -->``."""
    m = re.fullmatch(r"needs (\w+)", block.annotation or "")
    return m.group(1) if m and m.group(1) in NEEDS else None


def file_name(block: Block) -> str | None:
    """The file a block is written to, from ``<!-- test: file NAME -->``."""
    m = re.fullmatch(r"file (\S+)", block.annotation or "")
    return m.group(1) if m else None


def commands(block: Block) -> list[Command]:
    """A console block's commands, each with its shown output and exit status."""
    found: list[Command] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            if line.strip():
                raise ValueError(f"line {block.line + 1 + i} is output before any '$ ' command")
            i += 1
            continue
        start = i
        parts = [line[2:]]
        while parts[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            parts.append(lines[i])
        command = "\n".join(parts)
        i += 1
        output = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        m = EXIT_COMMENT.search(parts[-1])
        found.append(
            Command(
                command,
                "\n".join(output),
                int(m.group(1)) if m else 0,
                block.line + 1 + start,
            )
        )
    return found


def is_install(command: str) -> bool:
    """Whether every part of a command (``a && b``) installs software."""
    return to_run(command) is None


def to_run(command: str) -> str | None:
    """The part of a command the tests run: without the installs it starts with.

    ``pip install -e . && nn3 train data/digits.mat`` runs ``nn3 train data/digits.mat`` (the
    tests run where nn3 is installed already); a command that only installs gives None.
    """
    steps = [s.strip() for s in re.split(r"&&", command) if s.strip()]
    while steps and all(INSTALL_COMMAND.match(p.strip()) for p in steps[0].split(";")):
        steps.pop(0)
    return " && ".join(steps) if steps else None


# ---------------------------------------------------------------------------------------------
# Comparing what a page shows with what a run printed


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def output_pattern(expected: str) -> re.Pattern:
    """The regular expression a run's output must match in full (``...`` as described)."""
    parts = []
    for line in _lines(expected):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(p) for p in line.split("...")]
            parts.append(r"[^\n]*?".join(pieces) + r"\n")
    return re.compile("".join(parts))


def matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is what ``expected`` shows (trailing blanks and blank edges aside)."""
    text = "".join(line + "\n" for line in _lines(actual))
    return output_pattern(expected).fullmatch(text) is not None


# ---------------------------------------------------------------------------------------------
# Running


def make_page_folder(folder: Path, root: Path = ROOT) -> Path:
    """``folder`` with copies of the checkout's folders the pages use."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in CHECKOUT_COPIES:
        source = root / name
        if source.is_dir():
            shutil.copytree(
                source,
                folder / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
                dirs_exist_ok=True,
            )
    return folder


def environment(site_dir: Path) -> dict[str, str]:
    """The environment of the commands: the test's Python and ``nn3`` first on ``PATH``, a
    terminal's ordering of the two output streams, and no setting of nn3's that changes what
    it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NN3_MAX_LOAD")}
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleaved as on a terminal
    env["COLUMNS"] = "80"  # a terminal's width: click's help, pytest's progress line
    env.setdefault("LANG", "C.UTF-8")
    env.pop("PYTHONSTARTUP", None)
    if os.environ.get("NN3_PERTURB_ULPS", "0").strip() not in ("", "0"):
        # The same perturbation as the test process: a sitecustomize installs it at start-up.
        site_dir.mkdir(parents=True, exist_ok=True)
        (site_dir / "sitecustomize.py").write_text(
            "import os, sys\n"
            f"sys.path.insert(0, {str(TESTS)!r})\n"
            "import perturb\n"
            "perturb.install(setattr, int(os.environ['NN3_PERTURB_ULPS']),\n"
            "                seed=int(os.environ.get('NN3_PERTURB_SEED', '0')))\n"
            f"sys.path.remove({str(TESTS)!r})\n"
        )
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site_dir), env.get("PYTHONPATH")]))
    return env


@dataclass
class Result:
    status: int
    output: str


def _run(argv: list[str], folder: Path, env: dict[str, str]) -> Result:
    """``argv`` in ``folder``, stdout and stderr together, as a terminal shows them."""
    proc = subprocess.run(
        argv,
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=TIMEOUT,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8", "backslashreplace"))


def run_command(command: str, folder: Path, env: dict[str, str]) -> Result:
    return _run(["bash", "-c", command], folder, env)


def run_script(block: Block, folder: Path, scripts: Path, env: dict[str, str]) -> Result:
    scripts.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"\W", "_", block.page.removesuffix(".md")) + f"_line{block.line}.py"
    script = scripts / name
    script.write_text(block.text, encoding="utf-8")
    return _run([sys.executable, str(script)], folder, env)


def mismatch(what: str, expected: str, result: Result, status: int = 0) -> str | None:
    """Why a run does not show what the page shows (``None`` when it does)."""
    wrong_status = result.status != status
    if not wrong_status and matches(expected, result.output):
        return None
    why = (
        f"exited with status {result.status}, the page says {status}"
        if wrong_status
        else "printed something else"
    )
    shown = "\n".join(_lines(expected)) or "(nothing)"
    printed = "\n".join(_lines(result.output)) or "(nothing)"
    return f"{what} {why}.\n--- the page shows:\n{shown}\n--- the run printed:\n{printed}\n---"


# ---------------------------------------------------------------------------------------------
# The tolerance table of docs/reference/tolerances.md, from matlab_ref/parity.py's TOLERANCES


def _describe(spec) -> str:
    """A parity policy in words."""
    name = type(spec).__name__
    if name in ("Exact", "Input"):
        return "identical bits"
    if name == "Ulps":
        return f"at most {spec.n} ulp{'s' if spec.n != 1 else ''} apart, element by element"
    if name == "Rel":
        return f"within {spec.tol:g} of the variable's largest element"
    if name == "Abs":
        return f"within {spec.tol:g} (absolute)"
    if name == "Mismatch":
        return f"at most {spec.max_fraction:.0%} of the elements differ"
    if name == "Trajectory":
        parts, first = [], 1
        for last, rtol in spec.bands:
            parts.append(f"{first}-{last}: {rtol:g}")
            first = last + 1
        return "relative to each element, by iterations: " + "; ".join(parts)
    raise ValueError(f"no words for the policy {spec!r}")


def tolerance_table() -> str:
    """The Markdown table of every compared variable of every reference output and its
    tolerance (inputs and metadata left out)."""
    sys.path.insert(0, str(ROOT / "matlab_ref"))
    try:
        import parity
    finally:
        sys.path.remove(str(ROOT / "matlab_ref"))
    lines = ["| reference output | variables | tolerance |", "|---|---|---|"]
    for file, spec in parity.TOLERANCES.items():
        groups: dict[str, list[str]] = {}
        for variable, policy in spec.items():
            if policy.is_info or policy.is_input:
                continue
            groups.setdefault(_describe(policy), []).append(variable)
        for words, variables in groups.items():
            names = ", ".join(f"`{v}`" for v in variables)
            lines.append(f"| `{file}` | {names} | {words} |")
    return "\n".join(lines) + "\n"


def show_page(page: str) -> int:
    """Run a page's examples in a temporary folder and print what each printed (for writing a
    page: ``python tests/docs_examples.py docs/how-to/real-data.md``)."""
    import tempfile

    path = (ROOT / page).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_page_folder(Path(tmp) / "work")
        env = environment(Path(tmp) / "site")
        for block in blocks(path):
            if file_name(block):
                (folder / str(file_name(block))).write_text(block.text, encoding="utf-8")
                continue
            if block.language not in RUN_LANGUAGES or is_skip(block):
                continue
            print(f"===== {block.page}:{block.line} ({block.language})")
            if block.language == "python":
                result = run_script(block, folder, Path(tmp) / "scripts", env)
                print(result.output, end="")
                print(f"[status {result.status}]")
                continue
            for command in commands(block):
                if to_run(command.command) is None:
                    continue
                result = run_command(str(to_run(command.command)), folder, env)
                print(f"$ {command.command}")
                print(result.output, end="")
                flag = "" if result.status == command.status else "  <-- the page says "
                print(f"[status {result.status}]{flag}{command.status if flag else ''}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--tolerance-table"]:
        print(tolerance_table(), end="")
        sys.exit(0)
    sys.exit(show_page(sys.argv[1]))
