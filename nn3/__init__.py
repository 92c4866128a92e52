"""nn3: MATLAB three-layer backpropagation networks in Python, with numeric parity.

The public names are imported lazily (PEP 562), so the ``nn3`` command starts without loading
numpy or scipy until a command needs them.
"""

from ._version import __version__
from .errors import DataError, MatFileError, MissingDependencyError, Nn3Error, OptionError

_EXPORTS = {
    "sigmoid": "activations",
    "sigmoid_gradient": "activations",
    "cost_function": "network",
    "backpropagation": "network",
    "nn_cost_function": "network",
    "make_objective": "engines",
    "unroll": "network",
    "roll": "network",
    "predict": "network",
    "predict_proba": "network",
    "accuracy": "network",
    "fmincg": "optimize",
    "MatlabRNG": "rng",
    "OctaveRNG": "octave_rng",
    "make_rng": "octave_rng",
    "rand_initialize_weights": "rng",
    "debug_initialize_weights": "rng",
    "load_mat": "mat",
    "save_mat": "mat",
    "get_variable": "mat",
    "mat_format": "mat",
    "MatlabObject": "mat",
    "train": "training",
    "TrainResult": "training",
    "fit": "fitting",
    "FitResult": "fitting",
    "load_training_data": "training",
    "load_weights": "training",
    "compare_files": "compare",
    "compare_variables": "compare",
    "assert_mat_allclose": "testing",
    "compute_numerical_gradient": "gradcheck",
    "check_nn_gradients": "gradcheck",
    "holdout_split": "training",
}

#: Submodules reachable as attributes after a plain ``import nn3`` (``nn3.plot.plot_cost``).
_SUBMODULES = {"matlab", "plot", "testing", "gradcheck", "datasets", "compare"}


__all__ = [
    "__version__",
    "Nn3Error",
    "MatFileError",
    "DataError",
    "OptionError",
    "MissingDependencyError",
    *_EXPORTS,
    *sorted(_SUBMODULES),
]


def __getattr__(name):
    import importlib

    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'nn3' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
