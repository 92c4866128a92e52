"""Where training starts: random weights from MATLAB's or Octave's stream, or weights from a file.

What ``nn3 train`` and :func:`nn3.fit` start from (:func:`starting_weights_for`, for every
engine). A file (the ``init`` setting) may hold the starting
weights as ``Theta1`` and ``Theta2``, or unrolled (``[Theta1(:); Theta2(:)]``) as ex4.m's
``initial_nn_params``, as ``initial_params``, or as ``nn_params``; an unrolled vector is rolled
with the sizes of the data (features, labels) and the hidden layer size. A file holding more
than one of them (e.g. a saved Octave workspace with trained ``Theta1``/``Theta2`` and
``initial_nn_params``, or a weights file ``nn3 train`` wrote) is refused unless ``init_var``
names the one to use.
"""

from dataclasses import dataclass

import numpy as np

from ..core.octave_rng import make_rng
from ..core.rng import rand_initialize_weights
from ..errors import DataError, ParameterConflictError
from ..mat import get_variable, load_mat
from ..settings import TrainingSettings
from ..validation import (
    MAX_ARRAY_ELEMENTS,
    check_empty_classes,
    check_feature_count,
    check_labels,
)
from .weights import roll_params, weights_from_variables

#: Unrolled starting weights an ``init`` file may hold, besides ``Theta1``/``Theta2``.
UNROLLED_NAMES = ("initial_nn_params", "initial_params", "nn_params")

#: How a random start is described in the weights file's ``init`` variable, by engine.
_RNG_WORDS = {"matlab": "rng({seed}, 'twister')", "octave": "Octave rng({seed})"}


@dataclass(frozen=True)
class StartingWeights:
    """Starting weights and where they came from.

    Attributes
    ----------
    Theta1, Theta2 : ndarray
    variables : tuple of str
        The file's variables used (``("Theta1", "Theta2")``, ``("initial_nn_params",)``), or
        ``()`` for random weights.
    description : str
        What the weights file records as ``init``.
    """

    Theta1: np.ndarray
    Theta2: np.ndarray
    variables: tuple = ()
    description: str = ""

    @property
    def unrolled(self) -> bool:
        """Whether the file held one unrolled vector (rolled with sizes from the data)."""
        return len(self.variables) == 1


def random_weights(
    n: int, hidden: int, K: int, epsilon_init: float, seed: int, engine: str = "matlab"
) -> StartingWeights:
    """``randInitializeWeights`` for both layers, Theta1 first, from one ``rng(seed)`` stream.

    Parameters
    ----------
    n, hidden, K : int
        Input, hidden and output layer sizes.
    epsilon_init : float
    seed : int
    engine : {"matlab", "octave"}, default "matlab"
        Whose ``rng(seed)``: MATLAB's (``rng(seed, 'twister')``) or GNU Octave's.
    """
    rng = make_rng(engine, seed)
    Theta1 = rand_initialize_weights(n, hidden, epsilon_init, rng)
    Theta2 = rand_initialize_weights(hidden, K, epsilon_init, rng)
    words = _RNG_WORDS[str(engine).lower()].format(seed=seed)
    return StartingWeights(
        Theta1, Theta2, (), f"randInitializeWeights, {words}, epsilon {epsilon_init:g}"
    )


def starting_weights_for(
    settings: TrainingSettings, source, n: int, m: int, y: np.ndarray, K: int, K_known: bool
) -> StartingWeights:
    """The starting weights of a run: the ``init`` file's, checked against the data, or random.

    Either way the network is checked to fit in memory (:func:`check_network_size`) before
    random weights are drawn or training allocates anything.

    Parameters
    ----------
    settings : TrainingSettings
        ``init``, ``init_var``, ``hidden_layer_size``; ``rng``, ``seed``, ``epsilon_init``.
    source : str
        The data, for the messages.
    n, m : int
        Features and examples of the data.
    y : ndarray of shape (m,)
        The labels, checked against the ``init`` weights' output units when ``K`` was not known.
    K : int
        Output units: given (``num_labels``, or the classes of text labels) or from the labels.
    K_known : bool
        Whether ``K`` was given; then the ``init`` weights must have ``K`` output units,
        otherwise their own count is used (labels 1..3 may train a 4-output network).

    Returns
    -------
    StartingWeights
        ``Theta2.shape[0]`` is the network's K.

    Raises
    ------
    ParameterConflictError
        The ``init`` weights' hidden or output units differ from the settings, or the network
        is too large for memory.
    DataError
        They do not take ``n`` features, or the labels do not fit their output units.
    """
    if settings.init is None:
        if not K_known:  # K from the largest label: not mostly classes nobody has
            check_empty_classes(y, K, source, settings.y_var)
        check_network_size(source, m, n, settings.hidden, K)
        return random_weights(
            n, settings.hidden, K, settings.epsilon_init, settings.seed, settings.rng
        )
    hidden = settings.hidden_layer_size
    starting = load_starting_weights(settings.init, n, K, hidden, settings.init_var, m)
    check_against_data(starting, settings.init, source, n, m, hidden)
    check_network_size(source, m, n, starting.Theta1.shape[0], starting.Theta2.shape[0])
    K_init = starting.Theta2.shape[0]
    if K_known and K != K_init:
        raise ParameterConflictError(
            "num_labels",
            K,
            f"{settings.init}: Theta2 has {K_init} output units but {{name}} is {K}",
        )
    if not K_known and K != K_init:  # the labels were checked without knowing K
        check_labels(y, source, settings.y_var, K_init)
    return starting


def check_network_size(source, m: int, n: int, hidden: int, K: int) -> None:
    """Refuse networks too large to hold in memory before allocating them.

    Raises
    ------
    ParameterConflictError
        Naming ``hidden_layer_size``.
    """
    weights = hidden * (n + 1) + K * (hidden + 1)
    activations = m * (hidden + 1 + K)
    if max(weights, activations) > MAX_ARRAY_ELEMENTS:
        raise ParameterConflictError(
            "hidden_layer_size",
            hidden,
            f"{{name}} {hidden}: a {n}-{hidden}-{K} network on {source} ({m} examples) needs "
            f"{weights} weights and {activations} activations; too large (limit "
            f"{MAX_ARRAY_ELEMENTS} each)",
        )


def candidates(variables: dict) -> list:
    """The sets of starting weights a loaded file holds, by name (``"Theta1/Theta2"``, ...).

    ``nn_params`` counts only without ``Theta1``/``Theta2`` (in a weights file nn3 wrote it is
    the same network).
    """
    found = ["Theta1/Theta2"] if "Theta1" in variables or "Theta2" in variables else []
    for name in UNROLLED_NAMES:
        if name in variables and not (name == "nn_params" and found[:1] == ["Theta1/Theta2"]):
            found.append(name)
    return found


def check_against_data(
    starting: StartingWeights, init, source, n: int, m: int, hidden: "int | None"
) -> int:
    """Refuse ``init`` weights whose hidden size or input width do not fit; their hidden size.

    Parameters
    ----------
    starting : StartingWeights
        From :func:`load_starting_weights`.
    init, source : str or os.PathLike
        The weights file and the data, for the messages.
    n, m : int
        Features and examples of the data (``m`` to say when X looks transposed).
    hidden : int or None
        The hidden layer size the user gave, if any.

    Returns
    -------
    hidden : int
        Theta1's row count.

    Raises
    ------
    ParameterConflictError
        ``hidden`` differs from Theta1's rows (naming ``hidden_layer_size``).
    DataError
        Theta1 does not take ``n`` features (:func:`nn3.validation.check_feature_count`).
    """
    Theta1 = starting.Theta1
    if hidden is not None and hidden != Theta1.shape[0]:
        raise ParameterConflictError(
            "hidden_layer_size",
            hidden,
            f"{init}: Theta1 has {Theta1.shape[0]} hidden units but {{name}} is {hidden}",
        )
    check_feature_count(n, Theta1.shape, f"{source} and {init}: ", n_examples=m)
    return Theta1.shape[0]


def load_starting_weights(
    path,
    n_features: int,
    num_labels: "int | None",
    hidden_layer_size: "int | None",
    init_var: "str | None" = None,
    n_examples: "int | None" = None,
    default_hidden: int = 25,
) -> StartingWeights:
    """Starting weights from the .mat file at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
    n_features : int
        Columns of the training data ``X``.
    num_labels : int or None
        Output units, when known (given, or inferred from the labels); else the file's
        ``num_labels``. Used only to roll an unrolled vector.
    hidden_layer_size : int or None
        The hidden layer size when the user gave one; else the file's ``hidden_layer_size``,
        else ``default_hidden``. Used only to roll an unrolled vector.
    init_var : str, optional
        The variable to use: ``"Theta1"`` or ``"Theta2"`` (the pair), or an unrolled vector's
        name (any, struct fields as ``data.w``). Needed when the file holds more than one.
    n_examples : int, optional
        Rows of ``X``, to say when ``X`` looks transposed.
    default_hidden : int, default 25

    Returns
    -------
    StartingWeights
        Sizes checked against each other (not against the data: see :func:`nn3.fit`).

    Raises
    ------
    DataError
        No starting weights, or more than one set without ``init_var``, or a vector whose length
        fits no network of these sizes.
    """
    variables = load_mat(path)
    found = candidates(variables)
    if init_var is None:
        if len(found) > 1:
            raise ParameterConflictError(
                "init_var",
                None,
                f"{path}: holds more than one set of starting weights ({', '.join(found)}); "
                "pick one with {name} NAME",
            )
        if not found:
            listing = ", ".join(sorted(variables)) or "none"
            raise DataError(
                f"{path}: no starting weights found: expected Theta1 and Theta2, or an unrolled "
                f"initial_nn_params, initial_params or nn_params (variables there: {listing})"
            )
        init_var = "Theta1" if found[0] == "Theta1/Theta2" else found[0]
    if init_var in ("Theta1", "Theta2"):
        pair = {k: variables[k] for k in ("Theta1", "Theta2") if k in variables}
        Theta1, Theta2 = weights_from_variables(pair, path)
        return StartingWeights(Theta1, Theta2, ("Theta1", "Theta2"), f"from {path}")
    vector = get_variable(variables, init_var, path)
    sizes = _file_sizes(variables)
    hidden = hidden_layer_size or sizes.get("hidden_layer_size") or default_hidden
    K = num_labels or sizes.get("num_labels")
    if K is None:
        raise DataError(f"{path}: '{init_var}' is unrolled; give the number of labels")
    n_file = sizes.get("input_layer_size", n_features)
    Theta1, Theta2 = _roll_checked(vector, path, init_var, n_file, hidden, K, n_examples)
    return StartingWeights(Theta1, Theta2, (init_var,), f"from {init_var} in {path}")


def _file_sizes(variables):
    """The layer sizes stored beside an unrolled vector (as nn3 train writes them), if any."""
    sizes = {}
    for name in ("input_layer_size", "hidden_layer_size", "num_labels"):
        value = variables.get(name)
        if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
            size = float(value.flat[0])
            if size.is_integer() and size >= 1:
                sizes[name] = int(size)
    return sizes


def _roll_checked(vector, path, name, n, hidden, K, n_examples):
    """Roll an unrolled vector into a n-hidden-K network, saying what would fit when not."""
    size = np.size(vector)
    need = hidden * (n + 1) + K * (hidden + 1)
    numeric = isinstance(vector, np.ndarray) and vector.dtype.kind in "biuf"
    if size == need or not numeric:  # the right size, or let roll_params say what is wrong
        return roll_params(vector, (n, hidden, K), path, name)
    message = (
        f"{path}: '{name}' has {size} elements, but a {n}-{hidden}-{K} network needs {need} "
        f"({n} features, {{name}} {hidden}, {K} labels)"
    )
    fits = (size - K) / (n + 1 + K)
    if fits.is_integer() and fits >= 1:
        message += f"; {{name}} {int(fits)} fits it"
    elif n_examples is not None and hidden * (n_examples + 1) + K * (hidden + 1) == size:
        message += f"; it fits {n_examples} features, X's row count: X looks transposed (X')"
    raise ParameterConflictError("hidden_layer_size", hidden, message)
