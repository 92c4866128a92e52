"""The CLI's layout: one module per command, registered in one place, none importing
the group back, loaded only when used."""

import ast
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

import nn3.cli
from nn3.cli import COMMANDS, cli

NN3 = Path(nn3.cli.__file__).resolve().parent.parent
COMMAND_FILES = sorted((NN3 / "cli").glob("*.py"))


def _imports_the_group(path):
    """Whether a module imports nn3.cli (the package holding the group) itself."""
    package = ".".join(path.relative_to(NN3.parent).with_suffix("").parts[:-1])  # nn3.cli
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = node.module if node.level == 0 else ".".join(base + [node.module or ""])
            names = {a.name for a in node.names}
            if target.rstrip(".") == "nn3.cli" and not names <= {"_common", "options"}:
                return True
            if target.rstrip(".") == "nn3" and "cli" in names:
                return True
        elif isinstance(node, ast.Import) and any(a.name == "nn3.cli" for a in node.names):
            return True
    return False


def test_no_command_module_imports_the_group():
    modules = [p for p in COMMAND_FILES if p.name != "__init__.py"]
    assert len(modules) >= 9
    assert [p.name for p in modules if _imports_the_group(p)] == []


def test_the_group_check_finds_an_import_back(tmp_path):
    bad = NN3 / "cli" / "_tmp_bad_for_test.py"
    bad.write_text("from . import cli\n")
    try:
        assert _imports_the_group(bad)
    finally:
        bad.unlink()


def test_every_registered_command_loads_and_is_listed():
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert isinstance(command, click.Command) and command.name == name
        assert f"  {name} " in r.output


def test_importing_the_group_loads_no_command_module():
    code = "import sys, nn3.cli; print(sorted(m for m in sys.modules if m.startswith('nn3')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout)
    assert loaded == ["nn3", "nn3._version", "nn3.cli", "nn3.cli._common", "nn3.errors"]
