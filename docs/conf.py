"""Sphinx configuration of nn3's documentation site.

Build it strictly, as CI does (warnings are errors, every cross-reference must resolve)::

    pip install -e '.[docs]'
    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

The pages are Markdown (MyST); the API reference is generated from the numpydoc docstrings and
the command-line reference from the click commands (sphinx-click).
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

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

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4

# The API reference: numpydoc docstrings, no automatic class-member tables (each page lists
# what it documents), type hints shown in the signature only.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autodoc_default_options = {"show-inheritance": False}

# No network at build time (no intersphinx): names of other projects are plain text.
nitpick_ignore_regex = [
    ("py:.*", r"(numpy|np|scipy|h5py|click|dask|distributed|matplotlib|sklearn)(\..*)?"),
    ("py:.*", r"(ndarray|array_like|array-like|callable|optional|default|path-like)"),
]

html_theme = "furo"
html_title = f"nn3 {release}"
html_static_path: list[str] = []
pygments_style = "sphinx"
