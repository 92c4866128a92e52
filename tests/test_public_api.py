"""The public API: every exported name resolves, every exported function is fully annotated,
and the package ships its ``py.typed`` marker (PEP 561)."""

import inspect
import sys
from pathlib import Path

import pytest

import nn3

ROOT = Path(__file__).resolve().parent.parent


def _exported_callables():
    """``(label, function)`` for each function in ``nn3._EXPORTS`` and each exported class's
    own ``__init__``."""
    out = []
    for name in nn3._EXPORTS:
        obj = getattr(nn3, name)
        if inspect.isclass(obj):
            if "__init__" in vars(obj):
                out.append((f"{name}.__init__", obj.__init__))
        elif callable(obj):
            out.append((name, obj))
    return out


def missing_annotations(func):
    """Parameters of ``func`` without an annotation (``self``, ``*args``, ``**kwargs`` aside),
    plus ``"return"`` when the return is not annotated."""
    sig = inspect.signature(func)
    missing = [
        p.name
        for i, p in enumerate(sig.parameters.values())
        if p.annotation is inspect.Parameter.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and not (i == 0 and p.name in ("self", "cls"))
    ]
    if sig.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


@pytest.mark.parametrize("name", nn3.__all__)
def test_every_name_in_all_resolves(name):
    assert getattr(nn3, name) is not None


def test_exports_are_in_all():
    assert set(nn3._EXPORTS) <= set(nn3.__all__)


def test_exported_callables_found():
    labels = {label for label, _ in _exported_callables()}
    # A few that must be there; guards against the helper silently finding nothing.
    assert {"train", "fmincg", "sigmoid", "MatlabRNG.__init__"} <= labels


@pytest.mark.parametrize(
    "label, func", _exported_callables(), ids=[label for label, _ in _exported_callables()]
)
def test_exported_function_is_annotated(label, func):
    missing = missing_annotations(func)
    assert not missing, f"nn3.{label} lacks annotations for: {', '.join(missing)}"


def test_missing_annotations_detects_gaps():
    def bare(a, b: int, *args, **kwargs):
        return a

    def full(a: int, *args: int, **kwargs: int) -> int:
        return a

    assert missing_annotations(bare) == ["a", "return"]
    assert missing_annotations(full) == []


def test_py_typed_marker_shipped():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        tomllib = pytest.importorskip("tomli")
    assert (ROOT / "nn3" / "py.typed").is_file()
    assert (Path(nn3.__file__).parent / "py.typed").is_file()
    with open(ROOT / "pyproject.toml", "rb") as f:
        pyproject = tomllib.load(f)
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data["nn3"]


def test_every_user_error_is_exported():
    import nn3.errors

    raised = {
        name
        for name, obj in vars(nn3.errors).items()
        if inspect.isclass(obj) and issubclass(obj, nn3.errors.Nn3Error)
    }
    assert raised >= {"ParameterError", "TrainingError", "ClusterError", "ObjectiveError"}
    assert {
        name for name in raised if getattr(nn3, name, None) is not vars(nn3.errors)[name]
    } == set()
    assert raised <= set(nn3.__all__)


def test_one_make_objective_and_the_old_core_name_warns():
    import numpy as np

    from nn3.core import network
    from nn3.engines import objective

    assert nn3.make_objective is objective.make_objective
    X = np.random.default_rng(0).random((8, 3))
    y = np.arange(8) % 2 + 1.0
    p = np.linspace(-0.5, 0.5, 4 * 4 + 2 * 5)
    with pytest.warns(DeprecationWarning, match="nn3.make_objective"):
        old = network.make_objective(X, y, 3, 4, 2, 1.0)
    J_old, g_old = old(p)
    J_new, g_new = nn3.make_objective(X, y, 3, 4, 2, 1.0)(p)
    assert J_old == J_new and np.array_equal(g_old, g_new)
    assert inspect.signature(nn3.make_objective).parameters["engine"].kind is (
        inspect.Parameter.KEYWORD_ONLY
    )
