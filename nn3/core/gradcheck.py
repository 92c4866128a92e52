"""Gradient checking: central differences against backpropagation's analytical gradient.

The coursework checks backpropagation on a tiny network before training: weights and data from
``debugInitializeWeights`` (fixed ``sin`` values, no randomness), labels ``1 + mod(1:m, K)``, the
cost's gradient estimated by central differences with ``e = 1e-4``, and the two gradients compared
by ``norm(numgrad - grad) / norm(numgrad + grad)``, which should be below 1e-9 for a correct
implementation. Nothing here prints: ``nn3 check-grad`` shows the result.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ObjectiveError
from ..stopping import checkpoint
from ..validation import (
    as_real_array,
    check_gradient_check_size,
    validate,
    validate_params,
)
from .network import nn_cost_function, unroll
from .rng import debug_initialize_weights

#: The threshold the coursework gives for a correct backpropagation.
TOLERANCE = 1e-9


def _scalar_cost(value):
    """The cost from what ``J`` returned: a number, a 1x1 array, or ``(J, grad, ...)``."""
    if isinstance(value, tuple):
        value = value[0]
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ObjectiveError(
            f"the cost function must return a number (or (J, grad)), got {type(value).__name__}"
        ) from None
    if arr.size != 1:
        raise ObjectiveError(f"the cost function must return a scalar cost, got shape {arr.shape}")
    return float(arr.reshape(()))


def compute_numerical_gradient(
    J: Callable[[np.ndarray], object], theta: ArrayLike, e: float = 1e-4
) -> np.ndarray:
    """Central-difference estimate of the gradient of ``J`` at ``theta``.

    Port of computeNumericalGradient.m: for each element ``p``,
    ``numgrad(p) = (J(theta + e*u_p) - J(theta - e*u_p)) / (2*e)`` with ``u_p`` the ``p``-th unit
    vector. The error is of order ``e**2`` times the third derivative, so with ``e = 1e-4`` a
    correct analytical gradient agrees to about 1e-9 relative.

    Parameters
    ----------
    J : callable
        ``J(theta)`` returning the cost, or a tuple whose first element is the cost (such as
        ``(J, grad)`` from :func:`nn3.nn_cost_function`). Called ``2 * theta.size`` times, each
        time with a fresh array.
    theta : array_like of shape (n,) or (n, 1)
        The point; any shape is kept.
    e : float, default 1e-4
        The perturbation.

    Returns
    -------
    numgrad : ndarray of the shape of ``theta``, float64
    """
    if not callable(J):
        raise ObjectiveError(f"J must be a function J(theta) -> cost, got {type(J).__name__}")
    theta = np.array(as_real_array(theta, "theta"))
    e = validate("e", e)
    numgrad = np.zeros_like(theta)
    flat = numgrad.reshape(-1)  # a view: numgrad is contiguous
    for p in range(theta.size):
        checkpoint()  # a stop asked for (a signal to the nn3 command) ends it here
        minus = theta.copy()
        minus.flat[p] -= e
        plus = theta.copy()
        plus.flat[p] += e
        loss1 = _scalar_cost(J(minus))
        loss2 = _scalar_cost(J(plus))
        flat[p] = (loss2 - loss1) / (2 * e)
    return numgrad


def relative_difference(numgrad, grad):
    """``norm(numgrad - grad) / norm(numgrad + grad)``, the coursework's measure.

    0 for 0/0 (both gradients zero); Inf, as MATLAB gives, when only the sum is zero
    (``grad == -numgrad``).
    """
    numgrad = np.asarray(numgrad, dtype=np.float64).reshape(-1)
    grad = np.asarray(grad, dtype=np.float64).reshape(-1)
    with np.errstate(invalid="ignore"):  # NaN in a gradient: NaN, as MATLAB gives
        top = float(np.max(np.abs(np.concatenate([numgrad, grad])), initial=0.0))
    if top > 2.0**500:  # the squares would overflow: both norms of 2^-e times the values
        _, e = math.frexp(top)  # (exact, and the ratio is the same)
        numgrad, grad = np.ldexp(numgrad, -e), np.ldexp(grad, -e)
    num = float(np.linalg.norm(numgrad - grad))
    if num == 0:
        return 0.0
    den = float(np.linalg.norm(numgrad + grad))
    return num / den if den else math.inf


class GradientCheck(NamedTuple):
    """What :func:`check_nn_gradients` returns; unpacks as ``numgrad, grad, diff``.

    Attributes
    ----------
    numgrad : ndarray of shape (n_params,)
        Central-difference gradient, unrolled ``[Theta1(:); Theta2(:)]``.
    grad : ndarray of shape (n_params,)
        The cost function's analytical (backpropagation) gradient, unrolled the same way.
    relative_difference : float
        ``norm(numgrad - grad) / norm(numgrad + grad)``; below :data:`TOLERANCE` (1e-9) when
        the gradient is right.
    """

    numgrad: np.ndarray
    grad: np.ndarray
    relative_difference: float

    @property
    def passed(self):
        """True when the relative difference is below 1e-9 (and not NaN)."""
        return bool(self.relative_difference < TOLERANCE)


def debug_problem(input_layer_size=3, hidden_layer_size=5, num_labels=3, m=5):
    """Weights and data of the gradient check, as checkNNGradients.m builds them.

    ``Theta1 = debugInitializeWeights(hidden, input)``,
    ``Theta2 = debugInitializeWeights(K, hidden)``, ``X = debugInitializeWeights(m, input - 1)``
    (reused as an m x input matrix) and ``y = 1 + mod(1:m, K)'``.

    Returns
    -------
    nn_params : ndarray of shape (n_params,)
        ``[Theta1(:); Theta2(:)]``.
    X : ndarray of shape (m, input_layer_size)
    y : ndarray of shape (m, 1)
        Labels 1..K (all 1 when ``K == 1``, a valid 0/1 target).
    """
    input_layer_size, hidden_layer_size, num_labels, m = validate_params(
        input_layer_size=input_layer_size,
        hidden_layer_size=hidden_layer_size,
        num_labels=num_labels,
        m=m,
    ).values()
    Theta1 = debug_initialize_weights(hidden_layer_size, input_layer_size)
    Theta2 = debug_initialize_weights(num_labels, hidden_layer_size)
    X = debug_initialize_weights(m, input_layer_size - 1)
    y = (1 + np.arange(1, m + 1) % num_labels).astype(np.float64).reshape(-1, 1)
    return unroll(Theta1, Theta2), X, y


def check_nn_gradients(
    lambda_: float = 0.0,
    input_layer_size: int = 3,
    hidden_layer_size: int = 5,
    num_labels: int = 3,
    m: int = 5,
    cost_function: Callable[..., tuple[float, np.ndarray]] | None = None,
    e: float = 1e-4,
) -> "GradientCheck":
    """The gradient check of checkNNGradients.m, returned instead of printed.

    Builds the small debug network of :func:`debug_problem`, evaluates the cost function's
    analytical gradient there and estimates it by :func:`compute_numerical_gradient`.

    Parameters
    ----------
    lambda_ : float, default 0.0
        Regularisation strength passed to the cost function.
    input_layer_size, hidden_layer_size, num_labels, m : int, default 3, 5, 3, 5
        The debug network and the number of examples.
    cost_function : callable, optional
        ``cost_function(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y,
        lambda_) -> (J, grad)`` as nnCostFunction.m; default :func:`nn3.nn_cost_function`.
        Pass your own port to check its backpropagation.
    e : float, default 1e-4
        Central-difference perturbation.

    Returns
    -------
    GradientCheck
        ``(numgrad, grad, relative_difference)``.
    """
    lambda_ = validate("lambda_", lambda_)
    check_gradient_check_size(input_layer_size, hidden_layer_size, num_labels, m)
    if cost_function is None:
        cost_function = nn_cost_function
    nn_params, X, y = debug_problem(input_layer_size, hidden_layer_size, num_labels, m)

    def cost(p):
        return cost_function(p, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_)

    _, grad = cost(nn_params)
    grad = np.asarray(grad, dtype=np.float64).reshape(-1)
    numgrad = compute_numerical_gradient(cost, nn_params, e=e)
    return GradientCheck(numgrad, grad, relative_difference(numgrad, grad))
