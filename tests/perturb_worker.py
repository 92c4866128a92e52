"""Dask worker preload for the perturbation mode: the same moves of exp/log in every worker.

Another CPU's math library changes ``exp`` and ``log`` in every process, Dask's workers
included. tests/conftest.py has Dask's workers import this module (Dask's
``distributed.worker.preload`` setting) when ``NN3_PERTURB_ULPS`` is set, so that a worker
computes what the test process computes (the perturbation depends only on the input value, the
number of ulps and the seed): the engines' "same bits in streaming and Dask" tests then hold
under the perturbation, as they do on any one machine."""

import os
import sys


def dask_setup(worker):
    from nn3.core import activations

    if getattr(activations.exp, "perturbation", None):
        return  # a worker inside the test process (processes=False): perturbed once already
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import perturb

    ulps = int(os.environ["NN3_PERTURB_ULPS"])
    perturb.install(setattr, ulps, seed=int(os.environ.get("NN3_PERTURB_SEED", "0")))
