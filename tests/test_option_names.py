"""The library names parameters; only the command line says ``--option``.

Every string the library can put in a message (string literals and the text of f-strings, not
docstrings) is searched for an option (``--hidden``); the command line's own modules
(``nn3/cli/``) are left out. Errors about settings are
:class:`~nn3.errors.ParameterError` and warnings :class:`~nn3.errors.NamedText`, so the command
line shows them with its option names: every parameter the library names has an option in
``nn3.cli.options.OPTION_NAMES``, or is a Python-only parameter.
"""

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.cli.options import OPTION_NAMES, PYTHON_ONLY, option_text
from nn3.errors import NamedText, ParameterConflictError, ParameterError
from nn3.validation import SETTINGS

NN3 = Path(nn3.__file__).resolve().parent
DATA = NN3.parent / "data"

#: The command line's own modules: they may say --option.
COMMAND_LINE = ("cli/", "__main__.py")

#: Strings with ``--`` that are not nn3's options, and messages in modules other engineers own
#: (each unreachable through nn3.fit and nn3 train, which check first, or another program's).
KNOWN = {
    ("portcheck/octave.py", "--no-install-recommends"),  # apt-get's, in the install hint
    ("portcheck/octave.py", "--norc"),  # Octave's own command line
    ("portcheck/octave.py", "--quiet"),
    ("portcheck/octave.py", "--no-window-system"),
    ("portcheck/init_weights.py", "--epsilon"),  # advice about another command, nn3 train
    # bubblewrap's own command line, which port-check's sandbox builds
    *(
        ("portcheck/sandbox.py", option)
        for option in (
            "--ro-bind",
            "--bind",
            "--dev",
            "--proc",
            "--tmpfs",
            "--remount-ro",
            "--chdir",
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
        )
    ),
    ("mat/text.py", "--y-col"),  # split_xy's own check; nn3.workflow.data checks y_col first
}

_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                yield id(body[0].value)


def option_words(source: str) -> list[tuple[int, str]]:
    """``(line, option)`` for each ``--option`` in the string literals of ``source``."""
    tree = ast.parse(source)
    skip = set(_docstrings(tree))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found += [(node.lineno, word) for word in _OPTION.findall(node.value)]
    return sorted(found)


def library_option_words(root: Path = NN3) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(COMMAND_LINE):
            continue
        for line, word in option_words(path.read_text(encoding="utf-8")):
            if (relative, word) not in KNOWN:
                found.append(f"nn3/{relative}:{line}: {word}")
    return found


def test_no_library_message_names_an_option():
    assert library_option_words() == []


def test_the_search_finds_an_option_in_a_message_but_not_in_a_docstring():
    source = (
        '"""Module: ``--hidden`` in a docstring is documentation."""\n'
        "def f(n):\n"
        '    """So is ``--maxiter`` here."""\n'
        '    raise ValueError(f"--block-rows must be at least 1, got {n}")\n'
        'HINT = "use " "--y-col N"\n'
    )
    assert option_words(source) == [(4, "--block-rows"), (5, "--y-col")]


def test_an_option_added_to_a_library_message_fails_the_test(tmp_path):
    import shutil

    shutil.copytree(NN3, tmp_path / "nn3", ignore=shutil.ignore_patterns("__pycache__"))
    assert library_option_words(tmp_path / "nn3") == []
    path = tmp_path / "nn3" / "workflow" / "fitting.py"
    path.write_text(
        path.read_text() + '\n\ndef _bad():\n    raise ValueError("--holdout is wrong")\n'
    )
    assert library_option_words(tmp_path / "nn3") == [
        f"nn3/workflow/fitting.py:{len(path.read_text().splitlines())}: --holdout"
    ]


def _named_parameters():
    """Every parameter the library names: the table's rows, the first argument of each
    ParameterError it raises, and the parameters its templates name."""
    names = set(SETTINGS)
    for path in NN3.rglob("*.py"):
        if path.relative_to(NN3).as_posix().startswith(COMMAND_LINE):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if called in ("ParameterError", "ParameterConflictError", "validate") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
            for arg in list(node.args) + [k.value for k in node.keywords]:
                if called in ("NamedText", "ParameterConflictError") and isinstance(arg, ast.Dict):
                    names.update(k.value for k in arg.keys if isinstance(k, ast.Constant))
    return names


def test_every_parameter_the_library_names_has_an_option_or_is_python_only():
    names = _named_parameters()
    assert {"hidden_layer_size", "engine", "client", "normalize", "y_col", "holdout"} <= names
    assert sorted(n for n in names if n not in OPTION_NAMES and n not in PYTHON_ONLY) == []


def test_option_text_calls_parameters_as_the_command_line_does():
    assert option_text("hidden_layer_size", 3, False) == "--hidden"
    assert option_text("method", "lbfgs", True) == "--method lbfgs"
    assert option_text("normalize", True, True) == "--normalize"
    assert option_text("engine", "stream", True) == "--stream"
    assert option_text("holdout", 0.2, True) == "--holdout 0.2"
    assert option_text("L_in", 2, False) == "L_in"  # Python only
    text = NamedText("{holdout=} cannot go with {engine=}; try {classes='auto'}", {
        "holdout": 0.2, "engine": "dask", "classes": None})  # fmt: skip
    assert str(text) == "holdout=0.2 cannot go with engine='dask'; try classes='auto'"
    assert text.named(option_text) == "--holdout 0.2 cannot go with --dask; try --classes auto"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize(
    "python, cli_args, python_says, cli_says",
    [
        (
            dict(engine="stream", method="lbfgs"),
            ["--stream", "--method", "lbfgs"],
            "method='lbfgs' is for in-memory training",
            "--method lbfgs is for in-memory training",
        ),
        (dict(block_rows=0), ["--block-rows", "0"], "block_rows must be at least 1, got 0",
         "--block-rows must be at least 1, got 0"),
        (dict(y_col=2), ["--y-col", "2"], "y_col applies to text files; for .mat files use y_var",
         "--y-col applies to text files; for .mat files use --y-var"),
        (dict(client="local:0"), ["--dask", "local:0"],
         "client local:N needs a number of workers of at least 1, got local:0",
         "--dask local:N needs a number of workers of at least 1, got local:0"),
        (dict(normalize=True, engine="dask"), ["--normalize", "--dask", "local"],
         "normalize=True is for in-memory training", "--normalize is for in-memory training"),
        (dict(init_var="Theta1"), ["--init-var", "Theta1"],
         "init_var names a variable of init; give init too",
         "--init-var names a variable of --init; give --init too"),
    ],
)  # fmt: skip
def test_the_same_error_in_python_and_on_the_command_line(python, cli_args, python_says, cli_says):
    with pytest.raises(ParameterError) as info:
        nn3.fit(DATA / "data.mat", maxiter=1, **python)
    assert python_says in str(info.value) and "--" not in str(info.value)
    r = run("train", DATA / "data.mat", "--maxiter", 1, *cli_args)
    assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
    assert cli_says in r.output


def test_a_conflict_in_a_text_file_names_both_settings(tmp_path):
    path = tmp_path / "d.csv"
    np.savetxt(path, np.column_stack([np.eye(4), [1, 2, 1, 2]]), delimiter=",")
    with pytest.raises(ParameterConflictError) as info:
        nn3.fit(path, x_var="A")
    assert "x_var and y_var name .mat variables; use y_col" in str(info.value)
    r = run("train", path, "--x-var", "A")
    assert "--x-var and --y-var name .mat variables; use --y-col" in r.output
    r = run("train", path, "--y-col", 9)
    assert r.exit_code == 2 and "--y-col must be a column number from 1 to 5" in r.output
