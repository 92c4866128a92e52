"""The layers of nn3 hold: each package imports only the layers below it, and no private name
crosses a package.

The declared order, top to bottom (docs/ARCHITECTURE.md draws it)::

    __main__                              python -m nn3
    cli                                   the nn3 command
    facades: nn3/__init__, matlab, testing, plot, datasets, matio, estimator   (may import any
                                          layer below)
    workflow                              orchestration
    engines, portcheck                    row-block engines; the port check
    compare, mat                          comparison; file formats (compare reads through mat)
    core                                  numerics
    settings, validation, errors, stopping, _version

Every import of an nn3 module is seen (``import nn3.x``, ``from nn3.x import y``, relative
imports, at module level or inside a function), as in ``tests/test_import_cycles.py``. A package
may import its own modules, the packages of lower layers, and within a layer only what
:data:`SIDEWAYS` allows. Across packages, only public names: no module whose name starts with
``_`` (``nn3.mat._base``) and no name that does (``_Evaluator``); such a seam is a public name
of its package (``nn3.mat.str_codes``, ``nn3.core.RowBlockEvaluator``).
"""

import ast
import shutil
from pathlib import Path

import pytest
from test_import_cycles import module_paths

ROOT = Path(__file__).resolve().parents[1]

#: Top to bottom; a package may import the packages of the layers after its own.
LAYERS = [
    {"__main__"},  # python -m nn3
    {"cli"},
    {"nn3", "matlab", "testing", "plot", "datasets", "matio", "estimator"},
    {"workflow"},
    {"engines", "portcheck"},
    {"compare", "mat"},
    {"core"},
    {"settings", "validation", "errors", "stopping", "_version"},
]
#: Imports allowed within a layer: (importer, imported).
SIDEWAYS = {
    ("compare", "mat"),
    ("settings", "validation"),
    ("settings", "errors"),
    ("validation", "errors"),
    *((a, b) for a in LAYERS[2] for b in LAYERS[2] if a != b),  # facades wrap one another
}
#: The one private module every layer may import: the version.
SHARED_PRIVATE = {"nn3._version"}


def package_of(module: str) -> str:
    """``nn3.mat._base`` -> ``mat``; ``nn3`` -> ``nn3``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(package: str) -> int:
    for i, layer in enumerate(LAYERS):
        if package in layer:
            return i
    raise KeyError(package)


def imports(root: Path, package: str = "nn3"):
    """``(importer, line, imported module, imported name or None)`` for every nn3 import."""
    known = module_paths(root, package)

    def longest(name):
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in known:
                return ".".join(parts[:end])
        return None

    for name, path in known.items():
        base_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = longest(alias.name)
                    if target:
                        yield name, node.lineno, target, None
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = base_package.split(".")
                    base = ".".join(parts[: len(parts) - (node.level - 1)])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                for alias in node.names:
                    as_module = longest(f"{base}.{alias.name}")
                    if as_module == f"{base}.{alias.name}":
                        yield name, node.lineno, as_module, None
                    elif longest(base):
                        yield name, node.lineno, longest(base), alias.name


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def violations(root: Path, package: str = "nn3") -> list[str]:
    """Every import that breaks the layers or takes a private name across packages."""
    found = []
    for importer, line, target, name in imports(root, package):
        a, b = package_of(importer), package_of(target)
        where = f"{importer}:{line} imports {target}" + (f".{name}" if name else "")
        if a == b:
            continue
        la, lb = layer_of(a), layer_of(b)
        if lb < la or (lb == la and (a, b) not in SIDEWAYS):
            found.append(f"{where}: {a} may not import {b} (layers {LAYERS[la]} > {LAYERS[lb]})")
        private_module = target not in SHARED_PRIVATE and any(
            _private(p) for p in target.split(".")[1:]
        )
        if private_module or (name is not None and _private(name)):
            found.append(f"{where}: a private name of another package")
    return found


def test_every_package_has_a_layer():
    packages = {package_of(m) for m in module_paths(ROOT, "nn3")}
    assert packages >= {"cli", "workflow", "engines", "portcheck", "mat", "compare", "core"}
    assert [p for p in sorted(packages) if not any(p in layer for layer in LAYERS)] == []


def test_the_layers_hold_and_no_private_name_crosses_a_package():
    seen = list(imports(ROOT))
    assert len(seen) > 300  # the walk found the package's imports
    assert violations(ROOT) == []


def test_engines_never_import_workflow():
    upward = [
        (importer, line)
        for importer, line, target, _ in imports(ROOT)
        if package_of(importer) == "engines" and package_of(target) == "workflow"
    ]
    assert upward == []


@pytest.fixture
def copy_of_nn3(tmp_path):
    shutil.copytree(ROOT / "nn3", tmp_path / "nn3", ignore=shutil.ignore_patterns("__pycache__"))
    assert violations(tmp_path) == []
    return tmp_path


@pytest.mark.parametrize(
    "module, code, expected",
    [
        # core importing the workflow, inside a function: upward
        (
            "core/network.py",
            "def f():\n    from ..workflow import fitting\n",
            "core may not import",
        ),
        # the engines importing the workflow at module level: upward within orchestration
        ("engines/block.py", "from ..workflow.training import run_optimizer\n", "engines may not"),
        # a sibling of the same layer
        ("engines/stream.py", "import nn3.portcheck.cases\n", "engines may not import"),
        # the library importing the command line
        ("workflow/data.py", "from ..cli import options\n", "workflow may not import cli"),
        # a private module of another package
        ("engines/source.py", "from ..mat._hdf5 import unstored_claim\n", "private name"),
        # a private name of another package
        ("engines/objective.py", "from ..core.network import _Evaluator\n", "private name"),
        ("cli/train.py", "def f():\n    from ..plot import _save\n", "private name"),
    ],
)
def test_a_forbidden_import_is_found(copy_of_nn3, module, code, expected):
    path = copy_of_nn3 / "nn3" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code, encoding="utf-8")
    found = violations(copy_of_nn3)
    assert len(found) == 1 and expected in found[0], found


def test_importing_a_public_seam_and_own_private_modules_is_fine(copy_of_nn3):
    for module, code in (
        ("engines/source.py", "from ..mat import unstored_claim\n"),  # the public seam
        ("mat/v4.py", "from ._hdf5 import to_compound\n"),  # a package's own private module
        ("cli/info.py", "from .._version import __version__\n"),  # the version, everywhere
        ("matlab.py", "from .plot import display_data\n"),  # facades wrap one another
    ):
        path = copy_of_nn3 / "nn3" / module
        path.write_text(path.read_text(encoding="utf-8") + "\n" + code, encoding="utf-8")
    assert violations(copy_of_nn3) == []


# --- At run time: a data file's way to a trained network, each module once, downward ------------


def _calls_between_modules(run):
    """``(caller, callee, function)`` for each call from one nn3 module into another during
    ``run()``, leaving out the optimizer calling the objective and callback it was handed."""
    import sys

    calls = []

    def profile(frame, event, arg):
        if event != "call" or frame.f_back is None:
            return
        callee = frame.f_globals.get("__name__", "")
        caller = frame.f_back.f_globals.get("__name__", "")
        if caller in ("nn3.core.optimize", "nn3.core.lbfgs"):
            return
        if callee != caller and callee.startswith("nn3.") and caller.startswith("nn3."):
            calls.append((caller, callee, frame.f_code.co_name))

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return calls


def _upward(calls):
    rank = {p: i for i, layer in enumerate(LAYERS) for p in layer}
    return [c for c in calls if rank[package_of(c[1])] < rank[package_of(c[0])]]


def test_a_data_file_passes_each_module_once_downward(tmp_path):
    import numpy as np

    import nn3

    data = ROOT / "data" / "data.mat"
    nn3.fit(data, maxiter=1)  # imports done before the trace
    calls = _calls_between_modules(lambda: nn3.fit(data, hidden_layer_size=3, maxiter=3))
    assert _upward(calls) == []
    workflow = [callee for _, callee, _ in calls if callee.startswith("nn3.workflow.")]
    assert workflow and len(workflow) == len(set(workflow)), workflow  # each module once

    X = np.random.default_rng(0).random((60, 4))
    path = tmp_path / "d73.mat"
    nn3.save_mat(path, {"X": X, "y": (np.arange(60) % 3 + 1.0).reshape(-1, 1)}, format="7.3")
    calls = _calls_between_modules(
        lambda: nn3.fit(path, hidden_layer_size=3, maxiter=3, engine="stream")
    )
    assert _upward(calls) == []  # the engines never call back into the workflow
    assert not [
        c for c in calls if package_of(c[0]) == "engines" and package_of(c[1]) == "workflow"
    ]
    entries = [
        (caller, callee) for caller, callee, _ in calls if callee.startswith("nn3.workflow.")
    ]
    # blocks twice: prepared (X's size, the labels, the starting weights), then run
    assert entries.count(("nn3.workflow.fitting", "nn3.workflow.blocks")) == 2
    assert entries.count(("nn3.workflow.blocks", "nn3.workflow.training")) == 1
