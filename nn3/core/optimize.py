"""Rasmussen's nonlinear conjugate-gradient minimiser, as the coursework's fmincg.m runs it.

Port of fmincg.m (C. E. Rasmussen's ``minimize``, as adapted for the Stanford/Coursera machine
learning exercises), written from the algorithm's description so that it takes the *same* steps:

* search directions by Polack-Ribiere, with a restart along steepest descent whenever the new
  direction is not a descent direction;
* each line search brackets the step by extrapolation (cubic fit, at most ``EXT`` times the current
  step, never beyond a known upper ``limit``) and interpolation (quadratic fit when the value went
  up, cubic otherwise, kept within ``INT`` of the bracket ends) until the Wolfe-Powell conditions
  hold: sufficient decrease ``f2 <= f1 + z1*RHO*d1`` and ``|d2| <= -SIG*d1``;
* at most ``MAX`` evaluations per line search; the next initial step is the last one scaled by the
  slope ratio, capped at ``RATIO``;
* a failed line search restores the previous point and restarts along steepest descent; two
  failures in a row end the run.

Bit-for-bit parity. The scalar arithmetic below is written in MATLAB's order of evaluation and the
inner products accumulate in index order, as reference BLAS ``ddot`` does (numpy's ``a @ b`` uses
another summation order and differs in the last bit, which the line search amplifies). On an
objective that both engines evaluate exactly, the iterates are identical to the genuine fmincg.m.

Complex steps. In the interpolation's cubic fit ``sqrt(B*B - A*d2*z3*z3)`` has a negative argument
when the cubic has no minimum. MATLAB then carries a complex ``z2`` into
``max(min(z2, INT*z3), (1-INT)*z3)``, and MATLAB's ``min``/``max`` compare complex values by
magnitude. ``min`` returns something of magnitude at most ``|INT*z3|``, so ``max`` always returns
the real bound ``(1-INT)*z3``. The port takes that bound directly and stays in real arithmetic: same
values, no complex numbers. In the extrapolation's cubic fit a negative argument makes MATLAB's
``z2`` non-real, which fmincg.m treats like NaN (``~isreal(z2)``); the port tests the sign of the
argument instead.
"""

import inspect
import sys
import warnings
from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import ObjectiveError, ParameterError
from ..validation import as_real_array, validate_params

# Line-search constants of fmincg.m.
RHO = 0.01  # sufficient-decrease (Armijo) constant of the Wolfe-Powell conditions
SIG = 0.5  # curvature constant: RHO < SIG < 1
INT = 0.1  # do not re-evaluate within 0.1 of the current bracket's limits
EXT = 3.0  # extrapolate at most 3 times the current step
MAX = 20  # at most 20 function evaluations per line search
RATIO = 100.0  # largest allowed slope ratio for the next initial step
REALMIN = sys.float_info.min  # MATLAB's realmin, 2.2250738585072014e-308

_MESSAGES = {
    0: "Line search failed twice in a row: no further decrease found.",
    1: "Maximum number of iterations has been exceeded.",
    2: "Maximum number of function evaluations has been exceeded.",
    3: "NaN result encountered.",
    99: "`callback` raised `StopIteration`.",
}


class OptimizeResult(dict):
    """An optimizer's result: a dict whose keys are also attributes (``res.x``, ``res["x"]``).

    What ``scipy.optimize.OptimizeResult`` is, without importing ``scipy.optimize``: that
    import takes 0.3-0.4 s, about half the time of a 50-iteration ex4 training, and
    ``nn3 train`` needs nothing else from it with fmincg. Not a subclass of scipy's class;
    ``scipy.optimize.minimize(fun, x0, jac=True, method=nn3.fmincg)`` returns it as it is.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return self.__class__.__name__ + "()"
        width = max(map(len, self.keys())) + 1
        return "\n".join(f"{k.rjust(width)}: {v!r}" for k, v in self.items())


def progress_line(i, cost):
    """fmincg.m's progress line, ``Iteration %4i | Cost: %4.6e`` as MATLAB prints it."""
    return f"Iteration  {i:4d} | Cost: {cost:4.6e}"


def ddot(a, b):
    """Inner product accumulated in index order, ``((a1*b1 + a2*b2) + a3*b3) + ...``.

    What reference BLAS ``ddot`` computes (its unrolled loop adds in the same order); numpy's
    ``np.add.accumulate`` is sequential, unlike ``sum`` and ``@``.
    """
    products = a * b
    if products.size == 0:
        return np.float64(0.0)
    return np.add.accumulate(products)[-1]


#: What fmincg says to an objective that returns no gradient (the source document's mistake).
NO_GRADIENT = (
    "fmincg needs the cost and its gradient, but the objective returned {what}, not (J, grad). "
    "Return both, as nnCostFunction does ([J, grad] = ...; in Python `return J, grad`, e.g. "
    "nn3.nn_cost_function), and pass jac=True to scipy.optimize.minimize (or give the gradient "
    "as jac=callable)"
)


class _NaNResult(Exception):
    """The objective returned NaN (cost or gradient): fmincg stops with status 3."""


def _split_value(value):
    """``(f, grad)`` from what an objective returned, or :class:`ObjectiveError` saying why not."""
    if not isinstance(value, (tuple, list, np.ndarray, str)) and hasattr(value, "__iter__"):
        value = tuple(value)  # e.g. nn3.matlab's CostValue: a J that unpacks as (J, grad)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value
    if isinstance(value, (tuple, list)):
        what = f"a {type(value).__name__} of {len(value)} values"
    elif np.ndim(value) == 0:
        what = f"only a number ({type(value).__name__})"
    else:
        what = f"an array of shape {np.shape(value)}"
    raise ObjectiveError(NO_GRADIENT.format(what=what))


class _Evaluator:
    """The objective as ``x -> (f, grad)`` in float64, remembering the best finite point.

    A NaN in the cost or in the gradient raises :class:`_NaNResult` (after counting the
    evaluation); ``best`` is then the point of lowest cost among those whose cost and gradient
    were NaN-free (``None`` when there is none).
    """

    def __init__(self, fun, jac, args):
        self.fun, self.jac, self.args = fun, jac, args
        self.best = None  # (f, x, g)
        self.nan_value = None  # (f, g) of the evaluation that gave NaN
        self.nfev = 0

    def __call__(self, x):
        if callable(self.jac):
            f = self.fun(x, *self.args)
            g = self.jac(x, *self.args)
        else:
            f, g = _split_value(self.fun(x, *self.args))
        self.nfev += 1
        f = np.asarray(f, dtype=np.float64)
        if f.size != 1:
            raise ObjectiveError(f"the objective's cost must be a number, got shape {f.shape}")
        f = np.float64(f.reshape(()))
        g = np.asarray(g, dtype=np.float64).reshape(-1)
        if g.shape != x.shape:
            raise ObjectiveError(f"gradient has {g.size} elements, x has {x.size}")
        if np.isnan(f) or np.isnan(g).any():
            self.nan_value = (f, g)
            raise _NaNResult
        if self.best is None or f < self.best[0]:
            self.best = (f, x, g)
        return f, g


def _callback_caller(callback):
    if callback is None:
        return None
    try:
        params = inspect.signature(callback).parameters
        new_style = list(params) == ["intermediate_result"]
    except (TypeError, ValueError):
        new_style = False

    def call(result):
        if new_style:
            callback(intermediate_result=result)
        else:
            callback(np.copy(result.x))

    return call


def fmincg(
    fun: Callable[..., Any],
    x0: npt.ArrayLike,
    args: object = (),
    maxiter: int = 100,
    red: float = 1.0,
    callback: Callable[..., object] | None = None,
    disp: bool = False,
    *,
    jac: Callable[..., Any] | bool | None = None,
    hess: object = None,
    hessp: object = None,
    bounds: object = None,
    constraints: Collection[object] | None = (),
    **unknown_options: object,
) -> OptimizeResult:
    """Minimise ``fun`` by nonlinear conjugate gradients (port of fmincg.m).

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> (f, grad)`` with ``grad`` of the shape of ``x``; or, when ``jac`` is
        callable (as ``scipy.optimize.minimize(..., jac=True)`` passes it), ``fun(x, *args) -> f``.
    x0 : array_like of shape (n,) or (n, 1)
        Starting point (MATLAB's column vector is accepted and flattened).
    args : tuple, optional
        Extra arguments for ``fun`` (and ``jac``).
    maxiter : int, default 100
        MATLAB's ``MaxIter``: positive counts line searches, negative counts function evaluations.
    red : float, default 1.0
        Expected reduction of ``f`` in the first line search (fmincg's ``length(2)``).
    callback : callable, optional
        Called after each successful line search, as ``callback(xk)`` or, if its only parameter
        is named ``intermediate_result``, with an ``OptimizeResult`` (``x``, ``fun``, ``nit``,
        ``nfev``). Raising ``StopIteration`` ends the run.
    disp : bool, default False
        Print fmincg's progress line ``Iteration %4i | Cost: %4.6e`` after each successful line
        search (rewritten in place with ``\\r`` on a terminal, as MATLAB does).
    jac : callable or bool, optional
        Gradient function; ``None`` or ``True`` when ``fun`` returns ``(f, grad)``. A ``fun``
        that returns only the cost (the source document's mistake) raises
        :class:`~nn3.errors.ObjectiveError` saying so.
    **unknown_options
        Options of other methods (``gtol``, ...): ignored with an ``OptimizeWarning``, as scipy
        asks of custom methods. ``tol`` is ignored silently (fmincg has no tolerance).

    Returns
    -------
    res : OptimizeResult
        A dict with attribute access, as ``scipy.optimize.OptimizeResult`` (see
        :class:`OptimizeResult`).
        ``x`` (final point, 1-D), ``fun`` (its cost), ``jac`` (its gradient), ``nit`` (MATLAB's
        third output ``i``), ``nfev`` (function evaluations), ``fun_history`` (MATLAB's ``fX``:
        one cost per successful line search), ``success``, ``status``, ``message``.
        ``success`` is True when fmincg stopped on its own (two failed line searches in a row:
        no further decrease); reaching ``maxiter`` gives ``status`` 1 (2 for an evaluation
        budget), as scipy's methods report it. A NaN in the cost or the gradient at any
        evaluation stops the run: ``status`` 3, ``message`` "NaN result encountered.",
        ``success`` False, and ``x``/``fun``/``jac`` are the best NaN-free point evaluated (the
        starting point, with its NaN cost, when even that one was NaN).

    Raises
    ------
    ParameterError
        ``maxiter`` not a non-zero whole number (2.5 is refused, never truncated), ``red`` not
        positive.
    ObjectiveError
        ``fun`` is not callable, or returned no gradient.
    DataError
        ``x0`` is not real numbers.
    """
    if bounds is not None or (constraints is not None and len(constraints) > 0):
        raise ValueError("fmincg is unconstrained: it takes no bounds or constraints")
    if hess is not None or hessp is not None:
        raise ValueError("fmincg uses no Hessian")
    if not (jac is None or isinstance(jac, bool) or callable(jac)):
        raise ParameterError(
            "jac", "must be True (fun returns (J, grad)) or a callable", jac, repr(jac)
        )
    unknown_options.pop("tol", None)  # minimize(..., tol=) passes it on; fmincg has no tolerance
    if unknown_options:
        from scipy.optimize import OptimizeWarning

        warnings.warn(
            f"Unknown solver options: {', '.join(sorted(unknown_options))}",
            OptimizeWarning,
            stacklevel=2,
        )
    if isinstance(args, list):
        args = tuple(args)
    elif not isinstance(args, tuple):
        args = (args,)
    settings = validate_params(maxiter=maxiter, red=red)
    length = settings["maxiter"]
    red = np.float64(settings["red"])
    if not callable(fun):
        raise ObjectiveError(
            f"fmincg needs a function fun(x) -> (J, grad) to minimise, got {type(fun).__name__}"
        )
    x0 = as_real_array(x0, "x0")
    evaluate = _Evaluator(fun, jac, args)
    notify = _callback_caller(callback)
    tty = disp and sys.stdout.isatty()

    X = np.array(x0, dtype=np.float64).reshape(-1)
    n_evals = 0
    i = 0  # line searches (length > 0) or evaluations (length < 0) so far
    ls_failed = False
    fX = []
    status = 1 if length > 0 else 2

    nan_stop = False
    try:
        with np.errstate(all="ignore"):
            f1, df1 = evaluate(X)
            n_evals += 1
            i += length < 0
            s = -df1  # search direction: steepest descent first
            d1 = -ddot(s, s)  # slope along s
            z1 = red / (1 - d1)  # initial step
            grad_at_x = df1

            while i < abs(length):
                i += length > 0
                X0, f0, df0 = X, f1, df1
                X = X + z1 * s
                f2, df2 = evaluate(X)
                n_evals += 1
                i += length < 0
                d2 = ddot(df2, s)
                # Point 3 is the other end of the bracket: at first the starting point.
                f3, d3, z3 = f1, d1, -z1
                M = MAX if length > 0 else min(MAX, -length - i)
                success = False
                limit = np.float64(-1.0)
                while True:
                    # Interpolate while the step is too long (not sufficient decrease) or the slope
                    # is still too steep and positive.
                    while ((f2 > f1 + z1 * RHO * d1) or (d2 > -SIG * d1)) and M > 0:
                        limit = z1  # the minimum lies before z1
                        if f2 > f1:
                            z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3)  # quadratic fit
                        else:
                            A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)  # cubic fit
                            B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
                            disc = B * B - A * d2 * z3 * z3
                            if disc < 0 and A != 0:
                                # MATLAB: complex z2; min/max by magnitude pick (1-INT)*z3.
                                z2 = (1 - INT) * z3
                            else:
                                z2 = (np.sqrt(disc) - B) / A
                        if np.isnan(z2) or np.isinf(z2):
                            z2 = z3 / 2  # numerical trouble: bisect
                        z2 = max(min(z2, INT * z3), (1 - INT) * z3)
                        z1 = z1 + z2
                        X = X + z2 * s
                        f2, df2 = evaluate(X)
                        n_evals += 1
                        M -= 1
                        i += length < 0
                        d2 = ddot(df2, s)
                        z3 = z3 - z2  # z3 is now relative to the new point
                    if f2 > f1 + z1 * RHO * d1 or d2 > -SIG * d1:
                        break  # failure
                    elif d2 > SIG * d1:
                        success = True
                        break
                    elif M == 0:
                        break  # failure: out of evaluations
                    # Extrapolate with a cubic fit.
                    A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)
                    B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
                    disc = B * B - A * d2 * z3 * z3
                    if disc < 0:
                        z2 = np.float64(np.nan)  # MATLAB: non-real z2
                    else:
                        z2 = -d2 * z3 * z3 / (B + np.sqrt(disc))
                    if np.isnan(z2) or np.isinf(z2) or z2 < 0:
                        if limit < -0.5:  # no upper limit yet: extrapolate the maximum amount
                            z2 = z1 * (EXT - 1)
                        else:
                            z2 = (limit - z1) / 2  # bisect
                    elif (limit > -0.5) and (z2 + z1 > limit):
                        z2 = (limit - z1) / 2  # beyond the limit: bisect
                    elif (limit < -0.5) and (z2 + z1 > z1 * EXT):
                        z2 = z1 * (EXT - 1.0)  # too far: cap the extrapolation
                    elif z2 < -z3 * INT:
                        z2 = -z3 * INT  # too close to the current point
                    elif (limit > -0.5) and (z2 < (limit - z1) * (1.0 - INT)):
                        z2 = (limit - z1) * (1.0 - INT)  # too close to the limit
                    f3, d3, z3 = f2, d2, -z2  # point 2 becomes point 3
                    z1 = z1 + z2
                    X = X + z2 * s
                    f2, df2 = evaluate(X)
                    n_evals += 1
                    M -= 1
                    i += length < 0
                    d2 = ddot(df2, s)

                if success:
                    f1 = f2
                    fX.append(f1)
                    if disp:
                        print(progress_line(i, f1), end="\r" if tty else "\n")
                    # Polack-Ribiere direction.
                    s = (ddot(df2, df2) - ddot(df1, df2)) / ddot(df1, df1) * s - df2
                    df1, df2 = df2, df1
                    grad_at_x = df1
                    d2 = ddot(df1, s)
                    if d2 > 0:  # not a descent direction: use steepest descent
                        s = -df1
                        d2 = -ddot(s, s)
                    z1 = z1 * min(RATIO, d1 / (d2 - REALMIN))  # slope ratio, capped at RATIO
                    d1 = d2
                    ls_failed = False
                    if notify is not None:
                        try:
                            notify(OptimizeResult(x=X, fun=float(f1), nit=i, nfev=n_evals))
                        except StopIteration:
                            status = 99
                            break
                else:
                    X, f1, df1 = X0, f0, df0  # back to the best point so far
                    grad_at_x = df0
                    if ls_failed or i > abs(length):
                        status = 0 if ls_failed else status
                        break
                    # Restart along steepest descent. As in fmincg.m, the direction is built
                    # from the gradient of the last point tried, not of the restored one.
                    df1, df2 = df2, df1
                    s = -df1
                    d1 = -ddot(s, s)
                    z1 = 1 / (1 - d1)
                    ls_failed = True
    except _NaNResult:
        nan_stop = True

    if tty:
        print()
    if nan_stop:
        status = 3
        if evaluate.best is not None:
            f1, X, grad_at_x = evaluate.best
        else:  # the starting point itself gave NaN
            X = np.array(x0, dtype=np.float64).reshape(-1)
            f1, grad_at_x = evaluate.nan_value
    return OptimizeResult(
        x=X,
        fun=float(f1),
        jac=grad_at_x,
        nit=int(i),
        nfev=evaluate.nfev,
        fun_history=np.array(fX, dtype=np.float64),
        success=status == 0,
        status=status,
        message=_MESSAGES[status],
    )
