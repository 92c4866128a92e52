"""MATLAB's names, argument orders and shapes, for porting ex4-style scripts line by line.

Thin wrappers over nn3's Pythonic core: every function here calls the core and only adapts the
calling convention (MATLAB names, positional arguments in MATLAB's order, ``m x 1`` columns where
MATLAB returns columns, 1-based labels, a global random stream). The numbers are the core's.

::

    import numpy as np
    from nn3.matlab import *

    globals().update(load("data/digits.mat"))           # load('digits.mat');  (binds X, y)
    rng(0)                                              # rng(0)
    initial_Theta1 = randInitializeWeights(64, 25)      # randInitializeWeights(64, 25)
    initial_Theta2 = randInitializeWeights(25, 10)
    initial_nn_params = np.vstack([initial_Theta1.reshape(-1, 1, order="F"),   # [T1(:);
                                   initial_Theta2.reshape(-1, 1, order="F")])  #  T2(:)]
    costFunc = lambda p: nnCostFunction(p, 64, 25, 10, X, y, 1)
    nn_params, cost, i = fmincg(costFunc, initial_nn_params, optimset("MaxIter", 50))
    Theta1 = nn_params[:25 * 65].reshape(25, 65, order="F")   # reshape(nn_params(1:...), 25, 65)
    Theta2 = nn_params[25 * 65:].reshape(10, 26, order="F")
    pred = predict(Theta1, Theta2, X)                   # m x 1, labels 1..K
    print(np.mean(pred == y) * 100)                     # mean(double(pred == y)) * 100

``J = nnCostFunction(...)`` and ``J, grad = nnCostFunction(...)`` both work, as MATLAB's
``nargout`` makes them (see :class:`CostValue`). ``rng(seed, engine="octave")`` or
``rand('state', seed)`` switch the stream to GNU Octave's (:class:`nn3.OctaveRNG`).

Like MATLAB, :func:`fmincg` prints its progress line and :func:`checkNNGradients` prints its
table; everything else is silent. ``lambda`` is a Python keyword: pass it positionally (as
MATLAB code does) or as ``lambda_``.
"""

import numpy as np

from . import mat, plot
from .core import activations, gradcheck, network, optimize
from .core.octave_rng import ENGINES, make_rng
from .core.rng import MatlabRNG, debug_initialize_weights, rand_initialize_weights
from .errors import DataError, ObjectiveError, OptionError

__all__ = [
    "sigmoid",
    "sigmoidGradient",
    "costFunction",
    "backpropagation",
    "nnCostFunction",
    "randInitializeWeights",
    "debugInitializeWeights",
    "computeNumericalGradient",
    "checkNNGradients",
    "predict",
    "featureNormalize",
    "fmincg",
    "optimset",
    "rng",
    "rand",
    "randperm",
    "CostValue",
    "load",
    "save",
    "displayData",
]


def _column(a):
    return np.asarray(a, dtype=np.float64).reshape(-1, 1)


# ---------------------------------------------------------------------------------------------
# The network


def sigmoid(z):
    """``g = sigmoid(z)``: the logistic function, element-wise.

    Port of sigmoid.m; :func:`nn3.sigmoid`.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    g : ndarray of the shape of ``z``
    """
    return activations.sigmoid(z)


def sigmoidGradient(z):
    """``g = sigmoidGradient(z)``: ``sigmoid(z) .* (1 - sigmoid(z))``, element-wise.

    Port of sigmoidGradient.m; :func:`nn3.sigmoid_gradient`.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    g : ndarray of the shape of ``z``
    """
    return activations.sigmoid_gradient(z)


def costFunction(X, y, Theta1, Theta2, lambda_=0.0):
    """``J = costFunction(X, y, Theta1, Theta2)``: the network's cross-entropy cost.

    Port of the source document's costFunction.m; :func:`nn3.cost_function`. The optional
    fifth argument adds the coursework's regularisation.

    Parameters
    ----------
    X : array_like of shape (m, n)
    y : array_like of shape (m, 1)
        0/1 when ``Theta2`` has one row, labels 1..K when it has K rows.
    Theta1 : array_like of shape (hidden, n + 1)
    Theta2 : array_like of shape (K, hidden + 1)
    lambda_ : float, default 0

    Returns
    -------
    J : float
    """
    return network.cost_function(X, y, Theta1, Theta2, lambda_)


def backpropagation(X, y, Theta1, Theta2, lambda_=0.0):
    """``[Theta1_grad, Theta2_grad] = backpropagation(X, y, Theta1, Theta2)``.

    Port of the source document's backpropagation.m; :func:`nn3.backpropagation`.

    Returns
    -------
    Theta1_grad : ndarray of shape (hidden, n + 1)
    Theta2_grad : ndarray of shape (K, hidden + 1)
    """
    return network.backpropagation(X, y, Theta1, Theta2, lambda_)


class CostValue(float):
    """The cost ``J`` that also unpacks as ``(J, grad)``: MATLAB's ``nargout`` for Python.

    ``J = nnCostFunction(...)`` gives this float (format it, compare it, add to it, hand it to
    numpy: it is a ``float``, and arithmetic on it gives plain floats); ``J, grad =
    nnCostFunction(...)`` unpacks it into a plain float and the gradient column, as
    ``[J grad] = nnCostFunction(...)`` does in MATLAB. The gradient is also ``J.grad``.

    Parameters
    ----------
    J : float
    grad : ndarray of shape (n_params, 1)
    """

    __slots__ = ("grad",)

    def __new__(cls, J, grad):
        self = super().__new__(cls, J)
        self.grad = grad
        return self

    def __iter__(self):
        return iter((float(self), self.grad))

    def __reduce__(self):
        return (type(self), (float(self), self.grad))


def nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda_=0.0):
    """``J = nnCostFunction(...)`` or ``[J grad] = nnCostFunction(nn_params, il, hl, K, X, y,
    lambda)``.

    Port of nnCostFunction.m; :func:`nn3.nn_cost_function`. The result is a :class:`CostValue`:
    the cost as a float, which unpacks into ``J, grad`` when two names are assigned.

    Parameters
    ----------
    nn_params : array_like of shape (n_params, 1) or (n_params,)
        ``[Theta1(:); Theta2(:)]``.
    input_layer_size, hidden_layer_size, num_labels : int
    X : array_like of shape (m, input_layer_size)
    y : array_like of shape (m, 1)
    lambda_ : float, default 0

    Returns
    -------
    J : CostValue
        The cost (a float); ``J, grad = ...`` unpacks it into the cost and ``grad``, an
        ``(n_params, 1)`` column unrolled like ``nn_params``.
    """
    J, grad = network.nn_cost_function(
        nn_params, int(input_layer_size), int(hidden_layer_size), int(num_labels), X, y, lambda_
    )
    return CostValue(J, grad.reshape(-1, 1))


def predict(Theta1, Theta2, X):
    """``p = predict(Theta1, Theta2, X)``: labels 1..K as an ``m x 1`` column.

    Port of predict.m (``[~, p] = max(h2, [], 2)``); :func:`nn3.predict`. A network with one
    output unit predicts 0/1 (``h >= 0.5``).

    Returns
    -------
    p : ndarray of shape (m, 1), float64
    """
    return _column(network.predict(Theta1, Theta2, X))


def featureNormalize(X):
    """``[X_norm, mu, sigma] = featureNormalize(X)``: the coursework's feature scaling.

    ``mu = mean(X)``, ``sigma = std(X)`` (N - 1; a constant feature keeps sigma 1),
    ``X_norm = (X - mu) ./ sigma``, bit for bit GNU Octave's ``mean`` and ``std``;
    :func:`nn3.feature_normalize`. ``predict`` does not scale: give it ``(X - mu) ./ sigma``.

    Returns
    -------
    X_norm : ndarray of shape (m, n)
    mu, sigma : ndarray of shape (1, n)
    """
    from .workflow.scaling import feature_normalize

    return feature_normalize(X)


# ---------------------------------------------------------------------------------------------
# Random numbers and initial weights: one global stream, as in MATLAB

_stream = MatlabRNG(0)  # MATLAB starts as if rng(0, 'twister') had been called
_engine = "matlab"  # whose rng(seed) later calls reproduce; rng(..., engine=...) changes it

_OLD_GENERATORS = (
    "rand('seed', ...) selects Octave's old RANLIB generator (MATLAB's v4 generator), which nn3 "
    "does not reproduce; use rand('state', s) or rng(s, engine='octave') for Octave's Mersenne "
    "Twister, rng(s) for MATLAB's"
)


def rng(seed, generator="twister", *, engine=None):
    """``rng(seed)`` / ``rng(seed, 'twister')`` / ``rng('default')``: reseed the global stream.

    The stream behind :func:`rand`, :func:`randperm` and :func:`randInitializeWeights`: after
    ``rng(s)`` they draw the numbers MATLAB draws after ``rng(s)`` (:class:`nn3.MatlabRNG`), or,
    with ``engine="octave"``, the numbers GNU Octave 7 draws after ``rng(s)``
    (:class:`nn3.OctaveRNG`; the two programs draw different numbers from the same seed). The
    engine chosen stays in effect for later ``rng`` calls, as if the script ran in that
    program. Only the Mersenne Twister, both programs' default, is available.

    Parameters
    ----------
    seed : int or "default"
        MATLAB: a whole number 0 <= seed < 2**32. Octave: a real number >= 0 (Octave rounds it).
        ``"default"`` is seed 0.
    generator : str, default "twister"
    engine : {"matlab", "octave"}, optional
        Whose generator; default the one in effect (MATLAB's until changed).
    """
    global _stream, _engine
    name = _engine if engine is None else str(engine).lower()
    if name not in ENGINES:
        raise OptionError(f"rng: unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if isinstance(seed, str):
        if seed.lower() != "default":
            raise OptionError(f"rng({seed!r}) is not supported; give a seed (rng(0)) or 'default'")
        seed = 0
    if str(generator).lower() not in ("twister", "mt19937ar"):
        raise OptionError(f"rng: generator {generator!r} is not supported; only 'twister' is")
    if name == "matlab":
        try:
            if int(seed) != seed:
                raise ValueError(f"the seed must be a whole number, got {seed}")
            stream = MatlabRNG(int(seed))
        except (TypeError, ValueError, OverflowError) as exc:
            raise OptionError(f"rng: {exc}") from None
    else:
        stream = make_rng("octave", seed)
    _stream, _engine = stream, name


def rand(*size):
    """``rand``, ``rand(n)``, ``rand(m, n)``, ``rand([m n])``: uniform numbers from the stream.

    Fills column by column, as MATLAB and Octave do, so ``rng(0); rand(3)`` matches MATLAB to the
    bit (Octave, after ``rng(0, engine="octave")``).

    ``rand('state', s)`` and ``rand('twister', s)`` reseed the stream as GNU Octave 7 does (the
    same as Octave's ``rng(s)``; Octave's rounding of non-integer, negative and huge seeds
    included) and make Octave the engine of later :func:`rng` calls. ``rand('seed', s)`` is
    refused: it selects an old generator nn3 does not reproduce. (In MATLAB, ``rand('state')``
    and ``rand('twister')`` select legacy generators that nn3 does not reproduce either.)

    Returns
    -------
    r : float (``rand()``) or ndarray of shape (m, n); None after ``rand('state', s)``
    """
    if size and isinstance(size[0], str):
        return _rand_keyword(*size)
    if len(size) == 1 and np.ndim(size[0]) == 1:
        size = tuple(size[0])
    if len(size) > 2:
        raise OptionError(f"rand: only 2-D sizes are supported, got {len(size)} dimensions")
    dims = []
    for d in size:
        if int(d) != d or d < 0:
            raise OptionError(f"rand: sizes must be non-negative whole numbers, got {d}")
        dims.append(int(d))
    if not dims:
        return float(_stream.rand(1, 1)[0, 0])
    return _stream.rand(*dims)


def _rand_keyword(keyword, *values):
    global _stream, _engine
    word = keyword.lower()
    if word == "seed":
        raise OptionError(_OLD_GENERATORS)
    if word not in ("state", "twister"):
        raise OptionError(f"rand({keyword!r}, ...) is not supported; use rand('state', s)")
    if len(values) != 1 or isinstance(values[0], str):
        raise OptionError(
            f"rand('{word}', s) needs one numeric seed s (reading or resetting the "
            "state is not supported)"
        )
    from .core.octave_rng import OctaveRNG

    _stream, _engine = OctaveRNG(values[0]), "octave"


def randperm(n, k=None):
    """``p = randperm(n)`` / ``p = randperm(n, k)``: a random permutation of ``1..n``.

    From the global stream, as the engine in effect draws it: MATLAB's
    (``rng default; randperm(8)`` is ``6 3 7 8 5 1 2 4``, as MATLAB's documentation shows;
    ``randperm(n, k)`` is refused because MATLAB does not document how it draws) or Octave's
    (:meth:`nn3.OctaveRNG.randperm`, ``k`` included).

    Returns
    -------
    p : ndarray of shape (1, k), float64
        A row of 1-based indices, as MATLAB returns it.
    """
    return _stream.randperm(n, k).astype(np.float64).reshape(1, -1)


def randInitializeWeights(L_in, L_out, epsilon_init=0.12):
    """``W = randInitializeWeights(L_in, L_out)``: ``L_out x (1 + L_in)`` weights in
    ``[-epsilon_init, epsilon_init)``, drawn from the global stream (see :func:`rng`).

    Port of randInitializeWeights.m; :func:`nn3.rand_initialize_weights`.

    Returns
    -------
    W : ndarray of shape (L_out, 1 + L_in)
    """
    return rand_initialize_weights(int(L_in), int(L_out), epsilon_init, rng=_stream)


def debugInitializeWeights(fan_out, fan_in):
    """``W = debugInitializeWeights(fan_out, fan_in)``: fixed weights ``sin(1:numel)/10``.

    Port of debugInitializeWeights.m; :func:`nn3.debug_initialize_weights`.

    Returns
    -------
    W : ndarray of shape (fan_out, 1 + fan_in)
    """
    return debug_initialize_weights(int(fan_out), int(fan_in))


# ---------------------------------------------------------------------------------------------
# fmincg and optimset

#: optimset's parameter names (fmincg reads MaxIter, and Display here; the rest are accepted and
#: ignored, as fmincg.m ignores them).
_OPTIMSET_NAMES = {
    name.lower(): name
    for name in (
        "Display",
        "MaxIter",
        "MaxFunEvals",
        "TolFun",
        "TolX",
        "GradObj",
        "Jacobian",
        "DerivativeCheck",
        "Diagnostics",
        "FunValCheck",
        "LargeScale",
        "OutputFcn",
        "PlotFcns",
    )
}


def optimset(*pairs, **options):
    """``options = optimset('MaxIter', 50)``: an options dict for :func:`fmincg`.

    Names are matched case-insensitively, as MATLAB's optimset does, and stored with MATLAB's
    capitalisation. Also ``optimset(MaxIter=50)``, or ``optimset(old, 'MaxIter', 100)`` to
    update an existing dict.

    Returns
    -------
    options : dict
    """
    result = {}
    if pairs and isinstance(pairs[0], dict):
        result.update(_normalise_options(pairs[0]))
        pairs = pairs[1:]
    if len(pairs) % 2:
        raise OptionError("optimset: give name/value pairs, e.g. optimset('MaxIter', 50)")
    named = dict(zip(pairs[::2], pairs[1::2], strict=True))
    result.update(_normalise_options(named))
    result.update(_normalise_options(options))
    return result


def _normalise_options(options):
    out = {}
    for name, value in options.items():
        key = _OPTIMSET_NAMES.get(str(name).lower())
        if key is None:
            raise OptionError(f"optimset: unrecognised parameter name {name!r}")
        out[key] = value
    return out


def fmincg(f, X, options=None, *args, **kwargs):
    """``[X, fX, i] = fmincg(f, X, options, P1, P2, ...)``.

    Port of fmincg.m's interface over :func:`nn3.fmincg` (same iterates, bit for bit). Like
    fmincg.m it prints ``Iteration %4i | Cost: %4.6e`` after each line search, unless
    ``Display`` is ``'off'``.

    Parameters
    ----------
    f : callable
        ``f(X, P1, P2, ...) -> (J, grad)``; ``X`` arrives as a column ``(n, 1)`` (or in the shape
        of a 2-D starting point), ``grad`` may be a column or 1-D.
    X : array_like of shape (n, 1) or (n,)
        Starting point.
    options : dict, optional
        ``{"MaxIter": 50}`` or :func:`optimset`'s result. ``MaxIter`` (default 100): line
        searches if positive, function evaluations if negative; ``[MaxIter, red]`` also sets the
        expected first reduction, as fmincg.m's ``length(2)``. ``Display``: ``'off'`` (or
        ``'none'``) silences the progress line.
    *args
        Extra arguments passed on to ``f`` (fmincg.m's ``P1, P2, ...``).
    **kwargs
        optimset-style keywords instead of, or on top of, ``options``: ``MaxIter=50``.

    Returns
    -------
    X : ndarray of shape (n, 1)
        The minimiser found (in the shape of ``X`` when that was 2-D).
    fX : ndarray of shape (k, 1)
        The cost after each successful line search.
    i : int
        Iterations (line searches) used, or evaluations when ``MaxIter`` is negative.
    """
    opts = optimset(dict(options or {}), **kwargs)
    length = opts.get("MaxIter", 100)
    red = 1.0
    if np.ndim(length) > 0:
        values = np.asarray(length, dtype=np.float64).reshape(-1)
        if values.size == 2:
            length, red = values[0], values[1]
        elif values.size == 1:
            length = values[0]
        else:
            raise OptionError(f"fmincg: MaxIter must be a number or [MaxIter red], got {length}")
    try:
        whole = float(length) == int(length) and int(length) != 0
    except (TypeError, ValueError, OverflowError):
        whole = False
    if not whole:
        raise OptionError(f"fmincg: MaxIter must be a non-zero whole number, got {length!r}")
    display = str(opts.get("Display", "iter")).lower() not in ("off", "none")

    x0 = np.asarray(X, dtype=np.float64)
    shape = x0.shape if x0.ndim == 2 else (x0.size, 1)

    def objective(x):
        return _cost_and_gradient(f(x.reshape(shape), *args))

    res = optimize.fmincg(
        objective, x0.reshape(-1), maxiter=int(length), red=float(red), disp=display
    )
    return res.x.reshape(shape), _column(res.fun_history), int(res.nit)


_ONLY_J = (
    "fmincg: the cost function returned only the cost J ({what}), but fmincg also needs its "
    "gradient. Return both: in MATLAB `function [J, grad] = costFunction(p)`, here "
    "`return J, grad` (nnCostFunction(...) already gives both)"
)


def _cost_and_gradient(value):
    """``(J, grad)`` from what fmincg's ``f`` returned, or an ObjectiveError saying why not."""
    if isinstance(value, CostValue):
        return float(value), value.grad
    if isinstance(value, (tuple, list)) and len(value) >= 2:
        return value[0], value[1]  # [J, grad, ...]: fmincg.m uses the first two outputs
    if isinstance(value, (tuple, list)):
        raise ObjectiveError(_ONLY_J.format(what=f"a {type(value).__name__} of {len(value)}"))
    if np.size(value) == 1:
        raise ObjectiveError(_ONLY_J.format(what=f"a single {type(value).__name__}"))
    raise ObjectiveError(
        f"fmincg: the cost function must return [J, grad], got an array of shape {np.shape(value)}"
    )


# ---------------------------------------------------------------------------------------------
# Gradient checking


def computeNumericalGradient(J, theta):
    """``numgrad = computeNumericalGradient(J, theta)``: central differences, ``e = 1e-4``.

    Port of computeNumericalGradient.m; :func:`nn3.core.gradcheck.compute_numerical_gradient`.

    Parameters
    ----------
    J : callable
        ``J(theta) -> cost`` or ``-> (cost, grad)`` (only the cost is used).
    theta : array_like of shape (n, 1) or (n,)

    Returns
    -------
    numgrad : ndarray of the shape of ``theta``
    """
    return gradcheck.compute_numerical_gradient(J, theta)


def checkNNGradients(lambda_=0.0, costFunction=None):
    """``diff = checkNNGradients(lambda)``: backpropagation against numerical gradients.

    Port of checkNNGradients.m over :func:`nn3.core.gradcheck.check_nn_gradients`: a small 3-5-3
    network on :func:`debugInitializeWeights` weights and data, its analytical gradient beside a
    central-difference estimate. Prints, as MATLAB does, the two gradients side by side (numerical
    left, analytical right) and ``Relative Difference: %g``, which is below 1e-9 when
    backpropagation is right, and returns that relative difference (MATLAB's checkNNGradients
    returns nothing; the number is handy in a test). For both gradients use
    :func:`nn3.core.gradcheck.check_nn_gradients`.

    Parameters
    ----------
    lambda_ : float, default 0
    costFunction : callable, optional
        Your own port to check, called like :func:`nnCostFunction`
        (``costFunction(nn_params, il, hl, K, X, y, lambda) -> (J, grad)``); default
        :func:`nnCostFunction`.

    Returns
    -------
    diff : float
        ``norm(numgrad - grad) / norm(numgrad + grad)``, as printed.
    """
    check = gradcheck.check_nn_gradients(lambda_, cost_function=costFunction)
    for num, ana in zip(check.numgrad, check.grad, strict=True):
        print(f"  {num:12.4e}  {ana:12.4e}")
    print("The two columns above should be very close.")
    print("(Left: numerical gradient, right: analytical gradient from backpropagation.)")
    print()
    print(
        f"If backpropagation is correct, the relative difference is below {gradcheck.TOLERANCE:g}."
    )
    print()
    print(f"Relative Difference: {check.relative_difference:g}")
    return float(check.relative_difference)


# ---------------------------------------------------------------------------------------------
# .mat files and pictures


def load(filename, *variables):
    """``S = load(filename)`` / ``S = load(filename, 'X', 'y')``: variables as a dict.

    MATLAB's bare ``load('ex4data1.mat');``, which makes variables ``X`` and ``y``, is
    ``globals().update(load("ex4data1.mat"))`` at a script's top level (inside a function, keep
    the dict: ``S = load(...)``, then ``S["X"]``).

    :func:`nn3.load_mat`: columns stay ``(m, 1)``, structs are dicts, char rows and matrices
    are str (an N-D char array: an ndarray of single characters, ``'<U1'``, in MATLAB's size).

    Returns
    -------
    S : dict
    """
    data = mat.load_mat(filename)
    if not variables:
        return data
    return {name: mat.get_variable(data, name, filename) for name in variables}


def save(filename, S, *variables):
    """``save(filename, '-struct', 'S')`` / ``save(filename, ..., 'X', 'y')``.

    Python has no workspace to name variables from, so they come as a dict ``S``; naming some
    keeps only those. Written atomically by :func:`nn3.save_mat`; 1-D arrays become ``m x 1``
    columns.
    """
    if not isinstance(S, dict):
        raise DataError(f"{filename}: save takes the variables as a dict, got {type(S).__name__}")
    if variables:
        missing = [name for name in variables if name not in S]
        if missing:
            raise DataError(f"{filename}: no variable {missing[0]!r} to save")
        S = {name: S[name] for name in variables}
    mat.save_mat(filename, S)


def displayData(X, example_width=None):
    """``displayData(X)``: the rows of ``X`` as a grid of grey-level images.

    Port of displayData.m; :func:`nn3.plot.display_data` (needs matplotlib). Nothing appears on
    screen by itself: a notebook shows the returned figure, a script saves it with
    ``nn3.plot.save_png(fig, "data.png")``.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    return plot.display_data(X, example_width)
