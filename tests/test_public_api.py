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
