"""What several test modules share: where ``../shared`` is, GNU Octave, and the markers for both.

Mark a test that runs GNU Octave with ``@needs_octave`` and one that reads ``../shared`` (the
reference material beside the checkout) with ``@needs_shared``. Outside CI a missing Octave or
``../shared`` skips those tests; in CI (``CI`` set) it fails them, so that a green CI run never
hides a parity check that did not run (``.ci/run`` installs Octave; ``NN3_ALLOW_NO_OCTAVE=1``
lets a CI run without Octave skip instead). tests/conftest.py applies the rule.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MATFILES = SHARED / "matfiles"
EX4WEIGHTS = MATFILES / "ex4weights.mat"
OCTAVE = shutil.which("octave-cli")

needs_octave = pytest.mark.needs_octave
needs_shared = pytest.mark.needs_shared


def missing(marker_name: str) -> str | None:
    """Why a test with this marker cannot run here (``None`` when it can)."""
    if marker_name == "needs_octave" and OCTAVE is None:
        return "GNU Octave (octave-cli) is not installed"
    if marker_name == "needs_shared" and not MATFILES.is_dir():
        return f"{SHARED} (the reference material beside the checkout) is not there"
    return None


def must_run(marker_name: str) -> bool:
    """In CI every marked test must run, except Octave's when NN3_ALLOW_NO_OCTAVE=1."""
    if not os.environ.get("CI"):
        return False
    return not (marker_name == "needs_octave" and os.environ.get("NN3_ALLOW_NO_OCTAVE") == "1")
