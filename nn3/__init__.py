"""nn3: MATLAB three-layer backpropagation networks in Python, with numeric parity.

The public names are imported lazily (PEP 562), so the ``nn3`` command starts without loading
numpy or scipy until a command needs them. The conventions of the API (argument order, keyword-
only settings, what ``rng`` means, the defaults) are written in ``docs/ARCHITECTURE.md``.
"""

from ._version import __version__
from .errors import (
    ClusterError,
    DataError,
    MatFileError,
    MissingDependencyError,
    Nn3Error,
    ObjectiveError,
    OptionError,
    ParameterConflictError,
    ParameterError,
    SandboxRequiredError,
    TrainingError,
)

_EXPORTS = {
    "sigmoid": "core.activations",
    "sigmoid_gradient": "core.activations",
    "cost_function": "core.public",
    "backpropagation": "core.network",
    "nn_cost_function": "core.public",
    "make_objective": "engines",
    "unroll": "core.public",
    "roll": "core.public",
    "predict": "core.public",
    "predict_proba": "core.public",
    "accuracy": "core.public",
    "fmincg": "core.optimize",
    "MatlabRNG": "core.rng",
    "OctaveRNG": "core.octave_rng",
    "make_rng": "core.octave_rng",
    "rand_initialize_weights": "core.rng",
    "debug_initialize_weights": "core.rng",
    "load_mat": "mat",
    "save_mat": "mat",
    "get_variable": "mat",
    "mat_format": "mat",
    "MatlabObject": "mat",
    "train": "workflow.training",
    "TrainResult": "workflow.training",
    "fit": "workflow.fitting",
    "FitResult": "workflow.fitting",
    "TrainingSettings": "settings",
    "load_training_data": "workflow.data",
    "load_weights": "workflow.weights",
    "compare_files": "compare",
    "compare_variables": "compare",
    "assert_mat_allclose": "testing",
    "compute_numerical_gradient": "core.gradcheck",
    "check_nn_gradients": "core.gradcheck",
    "holdout_split": "workflow.holdout",
    "kfold_split": "workflow.model_selection",
    "lambda_curve": "workflow.model_selection",
    "learning_curve": "workflow.model_selection",
    "feature_normalize": "workflow.scaling",
    "load_model": "workflow.model",
    "Model": "workflow.model",
}

#: Public names that need an optional dependency: attributes like the others, but not in
#: ``__all__``, so that ``from nn3 import *`` works without it (``nn3.NN3Classifier`` then raises
#: MissingDependencyError, saying what to install).
_OPTIONAL_EXPORTS = {
    "NN3Classifier": "estimator",  # scikit-learn: nn3[sklearn]
}

#: Submodules reachable as attributes after a plain ``import nn3`` (``nn3.plot.plot_cost``),
#: with where they live.
_SUBMODULES = {
    "matlab": "matlab",
    "plot": "plot",
    "testing": "testing",
    "gradcheck": "core.gradcheck",
    "datasets": "datasets",
    "compare": "compare",
    "core": "core",
    "mat": "mat",
    "engines": "engines",
}


__all__ = [
    "__version__",
    # every user error nn3 raises
    "Nn3Error",
    "MatFileError",
    "DataError",
    "OptionError",
    "ParameterError",
    "ParameterConflictError",
    "MissingDependencyError",
    "SandboxRequiredError",
    "ObjectiveError",
    "TrainingError",
    "ClusterError",
    *_EXPORTS,
    *sorted(_SUBMODULES),
]


def __getattr__(name):
    import importlib

    if name in _EXPORTS or name in _OPTIONAL_EXPORTS:
        where = _EXPORTS.get(name) or _OPTIONAL_EXPORTS[name]
        value = getattr(importlib.import_module(f".{where}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    else:
        raise AttributeError(f"module 'nn3' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted([*__all__, *_OPTIONAL_EXPORTS])
