import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# tests/, tests/parity/ and matlab_ref/ are on sys.path through pytest's `pythonpath` setting
# (pyproject.toml): perturb.py, reference_impl.py, nn3_side.py, parity.py import as plain modules.
import perturb
import pytest

try:  # no .hypothesis folder in the checkout: the tests write only to temporary folders
    import hypothesis.configuration
except ImportError:
    pass
else:
    _HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="nn3-hypothesis-")
    atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)
    hypothesis.configuration.set_hypothesis_home_dir(_HYPOTHESIS_HOME)
    hypothesis.settings.register_profile("nn3", database=None)
    hypothesis.settings.load_profile("nn3")


def _perturb_ulps():
    """``$NN3_PERTURB_ULPS`` as a number of ulps (0: the perturbation mode is off)."""
    value = os.environ.get("NN3_PERTURB_ULPS", "").strip() or "0"
    try:
        ulps = int(value)
    except ValueError:
        raise pytest.UsageError(
            f"NN3_PERTURB_ULPS must be a whole number of ulps, got {value!r}"
        ) from None
    if ulps < 0:
        raise pytest.UsageError(f"NN3_PERTURB_ULPS must be 0 or more, got {value!r}")
    return ulps


PERTURB_ULPS = _perturb_ulps()
if PERTURB_ULPS:
    # For the whole session: nn3's exp and log moved by up to PERTURB_ULPS ulps at a tenth of
    # the inputs (see tests/perturb.py), before any test imports nn3's results.
    PERTURBATION = perturb.install(
        setattr, PERTURB_ULPS, seed=int(os.environ.get("NN3_PERTURB_SEED", "0"))
    )
    # The same in Dask's worker processes (read by dask's config when distributed starts),
    # those of nn3 commands the tests start too. Given as the text of a script: Dask copies a
    # preload file into the worker's folder, where perturb.py beside it would not be found.
    _TESTS = os.path.dirname(os.path.abspath(__file__))
    os.environ["DASK_DISTRIBUTED__WORKER__PRELOAD"] = repr(
        [f"import sys; sys.path.insert(0, {_TESTS!r}); from perturb_worker import dask_setup"]
    )
else:
    PERTURBATION = None


def pytest_report_header(config):
    if PERTURBATION:
        return f"nn3: exp/log perturbed ({PERTURBATION}; NN3_PERTURB_ULPS)"
    return None


def pytest_runtest_setup(item):
    """Skip (outside CI) or fail (in CI) a test whose Octave or ../shared is missing."""
    import support

    for name in ("needs_octave", "needs_shared"):
        if item.get_closest_marker(name) is None:
            continue
        why = support.missing(name)
        if why is None:
            continue
        if support.must_run(name):
            pytest.fail(f"{why}, and CI must run every test marked {name}", pytrace=False)
        pytest.skip(why)


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _scratch_working_directory(tmp_path_factory, monkeypatch):
    """Run every test in an empty folder of its own: a command that writes its default output
    (``nn3 train`` writes ``nn3_weights.mat`` in the working directory) never writes into the
    checkout or wherever ``pytest`` was started."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def nan_cost(monkeypatch):
    """In-memory training whose cost is NaN at every evaluation (the gradient is the real one):
    fmincg and lbfgs stop with status 3, a failed run."""
    from nn3.workflow import training

    real = training.memory_objective

    def objective_with_nan_cost(*args, **kwargs):
        objective = real(*args, **kwargs)
        return lambda p: (float("nan"), objective(p)[1])

    monkeypatch.setattr(training, "memory_objective", objective_with_nan_cost)


def _checkout_files():
    """Untracked files of the checkout (ignored ones included), or None outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--ignored", "--untracked-files=all"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    caches = (  # Python's and the tools' own (pip install -e writes the .egg-info)
        "__pycache__",
        ".egg-info",
        ".mypy_cache",
        ".ruff_cache",
    )
    return {
        line[3:]
        for line in out.splitlines()
        if line[:2] in ("??", "!!") and not any(c in line for c in caches)
    }


def pytest_sessionstart(session):
    session.config._nn3_checkout_files = _checkout_files()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when the tests left new files in the checkout (tests write only to
    temporary folders)."""
    before = getattr(session.config, "_nn3_checkout_files", None)
    after = _checkout_files()
    if before is None or after is None:
        return
    new = sorted(after - before)
    if new:
        session.config.get_terminal_writer().line(
            f"nn3: the tests wrote into the checkout {ROOT}: {', '.join(new[:10])}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
