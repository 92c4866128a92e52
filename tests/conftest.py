import os

# tests/, tests/parity/ and matlab_ref/ are on sys.path through pytest's `pythonpath` setting
# (pyproject.toml): perturb.py, reference_impl.py, nn3_side.py, parity.py import as plain modules.
import perturb
import pytest


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
    # The same in Dask's worker processes (read by dask's config when distributed starts).
    os.environ["DASK_DISTRIBUTED__WORKER__PRELOAD"] = repr(
        [os.path.join(os.path.dirname(os.path.abspath(__file__)), "perturb_worker.py")]
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
