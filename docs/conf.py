"""Sphinx configuration of nn3's documentation site.

Build it strictly, as CI does (a warning is an error, every cross-reference must resolve)::

    pip install -e '.[docs]'
    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

The pages are Markdown (MyST); the API reference is generated from the numpydoc docstrings and
the command-line reference from the click commands (sphinx-click). docs/contributing.md says why
these tools, and how the examples in the pages are run by the tests.
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

import nn3  # noqa: E402

project = "nn3"
author = "the nn3 developers"
copyright = "2026, the nn3 developers"
release = nn3.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinx_click",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}  # .rst: numpydoc's autosummary
root_doc = "index"
exclude_patterns = ["_build"]

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# The API reference: numpydoc docstrings; each page lists what it documents.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
autodoc_typehints = "signature"
autodoc_member_order = "bysource"

# No network at build time (no intersphinx), so names of Python's standard library and of other
# projects in docstrings and signatures stay plain text. Every nn3 name must resolve.
nitpick_ignore_regex = [
    ("py:.*", r"(numpy|np|npt|scipy|h5py|click|dask|distributed|matplotlib|sklearn)(\..*)?"),
    ("py:.*", r"(os|collections|typing|threading|pathlib|re|io|enum)\..*"),
    ("py:.*", r"(ndarray|array_like|array-like|callable|optional|default|path-like|Path)"),
]

html_theme = "furo"
html_title = f"nn3 {release}"
pygments_style = "sphinx"
pygments_dark_style = "monokai"

# Pages other branches add at the top of docs/ (the scikit-learn estimator and choosing lambda):
# listed in the how-to guides' toctree when they exist, so that the build stays strict either way.
OPTIONAL_HOW_TO = ("sklearn", "choosing-lambda")
PLACEHOLDER = "%OPTIONAL-HOW-TO%"


def _optional_pages(app, docname, source):
    if docname != "index":
        return
    present = [name for name in OPTIONAL_HOW_TO if (DOCS / f"{name}.md").is_file()]
    source[0] = source[0].replace(PLACEHOLDER, "\n".join(present))


# ---------------------------------------------------------------------------------------------
# Cross-references in docstrings. The reference documents nn3's public names where users meet
# them (``nn3.fit``), while a docstring names things where they are defined
# (``nn3.workflow.fitting.FitResult``, or ``load_mat`` inside ``nn3.mat._facade``). A reference
# that Sphinx cannot find is looked up by importing it, from the docstring's own module
# outwards: an object the reference documents under another name links there; an object that
# exists but is not in the reference (an internal helper, a standard-library class) stays plain
# text; a name that imports nothing is still a broken reference, and fails the strict build.

import importlib  # noqa: E402
import re  # noqa: E402

_MISSING = object()
_documented: dict[int, tuple[str, str, str]] = {}


def _import(dotted):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        try:
            for part in parts[i:]:
                obj = getattr(obj, part)
        except Exception:
            return _MISSING
        return obj
    return _MISSING


def _contexts(node):
    """Where a short name in this reference may be defined, innermost first."""
    found = []
    source = node.source or ""
    m = re.search(r"docstring of ([\w.]+)", source)
    if m:
        parts = m.group(1).split(".")
        found += [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    for key in ("py:class", "py:module"):
        if node.get(key):
            found.append(node[key])
    if node.get("py:module") and node.get("py:class"):
        found.insert(0, f"{node['py:module']}.{node['py:class']}")
    return found


def _missing_reference(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    if not _documented:
        for name, entry in env.get_domain("py").objects.items():
            obj = _import(name)
            if obj is not _MISSING and not isinstance(obj, (int, float, str, tuple)):
                _documented.setdefault(id(obj), (name, entry.docname, entry.node_id))
    for context in [*_contexts(node), ""]:
        obj = _import(f"{context}.{target}" if context else target)
        if obj is _MISSING:
            continue
        if id(obj) in _documented:
            from sphinx.util.nodes import make_refnode

            name, docname, node_id = _documented[id(obj)]
            return make_refnode(app.builder, node["refdoc"], docname, node_id, contnode, name)
        return contnode  # exists, but is not part of the reference: plain text
    return None


def _escape_rst(app, ctx, lines):
    """click's help texts are plain text; sphinx-click reads them as reStructuredText, where
    ``|a - e|`` would be a substitution."""
    for i, line in enumerate(lines):
        lines[i] = line.replace("|", "\\|")


def setup(app):
    app.connect("source-read", _optional_pages)
    app.connect("missing-reference", _missing_reference)
    for event in ("description", "options", "arguments", "epilog"):
        app.connect(f"sphinx-click-process-{event}", _escape_rst)
    return {"parallel_read_safe": True}
