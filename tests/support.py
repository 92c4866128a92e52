"""What several test modules share: where ``../shared`` is, GNU Octave, and the markers for both.

Mark a test that runs GNU Octave with ``@needs_octave`` and one that reads ``../shared`` with
``@needs_shared``. ``../shared`` is the project's reference material, a folder beside the checkout
that nn3's own CI provides (files written by MATLAB itself, outputs of the genuine ``fmincg.m``);
a clone from a public host does not have it. A missing Octave or ``../shared`` skips those tests,
with a reason that says so, unless ``NN3_REQUIRE_ALL=1`` (set by ``.ci/run``, nn3's own CI run)
asks that every marked test run: then it fails them, so that a green run of ``.ci/run`` never
hides a parity check that did not run (``NN3_ALLOW_NO_OCTAVE=1`` lets that run skip Octave's
tests instead). The variable is the project's own, not ``CI``, which every public CI service
sets. tests/conftest.py applies the rule.
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
        return (
            "GNU Octave (octave-cli) is not installed; on Debian/Ubuntu: "
            "apt-get install -y --no-install-recommends octave"
        )
    if marker_name == "needs_shared" and not MATFILES.is_dir():
        return (
            f"{SHARED} is not there (nn3's reference material: real MATLAB-written .mat files and "
            "genuine fmincg.m outputs, kept beside the checkout by nn3's own CI)"
        )
    return None


def must_run(marker_name: str) -> bool:
    """With NN3_REQUIRE_ALL=1 every marked test must run, except Octave's when
    NN3_ALLOW_NO_OCTAVE=1."""
    if os.environ.get("NN3_REQUIRE_ALL") != "1":
        return False
    return not (marker_name == "needs_octave" and os.environ.get("NN3_ALLOW_NO_OCTAVE") == "1")
