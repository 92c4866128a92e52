"""L-BFGS (scipy's L-BFGS-B, no bounds) with fmincg's interface and result.

``nn3 train --method lbfgs``: the same objective, the same progress callback and the same
fields in the result as :func:`nn3.core.optimize.fmincg` (``x``, ``fun``, ``fun_history``,
``nit``, ``nfev``, ``status``, ``message``), so the workflow and the weights file treat both
alike. L-BFGS usually reaches a given cost in fewer evaluations than fmincg's Polak-Ribiere
conjugate gradients with its Wolfe-Powell line search (about 50-60 instead of 85 for the cost
fmincg reaches in 50 iterations on ex4-size data); fmincg is what the coursework runs, so only
fmincg's iterates are MATLAB's (parity).
"""

import contextlib
import ctypes
import os

import numpy as np

from ..validation import validate_params
from .optimize import _MESSAGES, OptimizeResult, _callback_caller, _Evaluator, _NaNResult

#: Corrections L-BFGS keeps (scipy's default ``maxcor``; scikit-learn's MLP uses the same).
MEMORY = 10


def _numpy_lib_dirs():
    base = os.path.dirname(os.path.abspath(np.__file__))
    return (base + os.sep, base + ".libs" + os.sep)


def _other_blas_libraries():
    """Paths of loaded OpenBLAS libraries that are not numpy's own (e.g. scipy's wheel's)."""
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split(None, 5)[-1].strip() for line in fh if "openblas" in line}
    except OSError:
        return []
    mine = _numpy_lib_dirs()
    return sorted(p for p in paths if p.startswith(os.sep) and not p.startswith(mine))


_SETTERS = ("scipy_openblas_set_num_threads", "openblas_set_num_threads",
            "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_")  # fmt: skip
_GETTERS = tuple(name.replace("set_", "get_") for name in _SETTERS)


@contextlib.contextmanager
def _other_blas_single_threaded():
    """Run L-BFGS-B's BLAS calls on one thread when scipy has a BLAS of its own.

    scipy's wheels bring their own OpenBLAS, separate from numpy's. L-BFGS-B's work is level-1
    BLAS on vectors of n_params and tiny matrices, where threads only cost; and right after
    each of numpy's matrix products numpy's OpenBLAS threads still spin, so scipy's threads
    fight them for the cores: measured on 2 cores, 84 ``setulb`` calls took 4-5 s that way,
    against about nothing with one thread. Nothing is changed when scipy uses numpy's BLAS.
    """
    restore = []
    for path in _other_blas_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in zip(_SETTERS, _GETTERS, strict=True):
            setter, getter = getattr(lib, set_name, None), getattr(lib, get_name, None)
            if setter is not None and getter is not None:
                getter.restype = ctypes.c_int
                restore.append((setter, getter()))
                setter(1)
                break
    try:
        yield
    finally:
        for setter, n in restore:
            setter(n)


class _Stop(Exception):
    """The callback raised StopIteration."""


def lbfgs(fun, x0, args=(), jac=True, maxiter=100, callback=None, memory=MEMORY, **_):
    """Minimise ``fun`` with L-BFGS, returning a result shaped like :func:`fmincg`'s.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> (f, grad)`` (``jac=True``), or ``f`` with ``jac`` a callable.
    x0 : ndarray of shape (n,)
    args : tuple, optional
    jac : True or callable, default True
    maxiter : int, default 100
        Iterations if positive; if negative, ``-maxiter`` function evaluations (fmincg's
        convention for MaxIter).
    callback : callable, optional
        After each iteration, as :func:`fmincg` calls it (``callback(xk)``, or with an
        ``OptimizeResult`` (``x``, ``fun``, ``nit``, ``nfev``) if its only parameter is named
        ``intermediate_result``). Raising ``StopIteration`` stops (status 99).
    memory : int, default :data:`MEMORY`
        Correction pairs kept (L-BFGS-B's ``maxcor``).

    Returns
    -------
    res : nn3.core.optimize.OptimizeResult
        ``x`` (n,), ``fun``, ``jac`` (n,), ``nit``, ``nfev``, ``fun_history`` (one cost per
        iteration, like fmincg's ``fX``), ``success``, ``status``, ``message`` with fmincg's
        codes: 0 converged (scipy's tolerances), or the line search found no further decrease
        (as fmincg's status 0; the message says which, with L-BFGS-B's), 1 iterations used up,
        2 evaluations used up, 3 NaN (``x`` is then the best NaN-free point), 99 stopped by the
        callback. ``method`` is ``"lbfgs"``.
    """
    from scipy.optimize import minimize

    length = validate_params(maxiter=maxiter)["maxiter"]
    x0 = np.array(x0, dtype=np.float64).reshape(-1)
    evaluate = _Evaluator(fun, jac, args)
    notify = _callback_caller(callback)
    history = []
    if length > 0:
        iterations, evaluations = length, max(15000, 100 * length)
    else:
        iterations, evaluations = 10**9, -length

    def objective(x):
        if evaluate.nfev >= evaluations:  # L-BFGS-B checks maxfun only between iterations
            raise _OutOfEvaluations
        f, g = evaluate(np.array(x))
        return f, g

    def on_iteration(intermediate_result):
        history.append(float(intermediate_result.fun))
        if notify is not None:
            try:
                notify(
                    OptimizeResult(
                        x=np.array(intermediate_result.x),
                        fun=float(intermediate_result.fun),
                        nit=len(history),
                        nfev=evaluate.nfev,
                    )
                )
            except StopIteration:
                raise _Stop from None

    status = None
    converged, scipy_message = True, ""
    try:
        with _other_blas_single_threaded():
            res = _minimize(minimize, objective, x0, on_iteration, iterations, evaluations, memory)
        x, f, g = res.x, float(res.fun), res.jac
        if res.status == 1:
            status = 1 if len(history) >= iterations else 2
        else:
            status = 0
            converged = res.status == 0
            scipy_message = str(res.message).strip().rstrip(":")  # scipy 1.17: "ABNORMAL: "
    except _NaNResult:
        status = 3
    except _Stop:
        status = 99
    except _OutOfEvaluations:
        status = 2
    if status != 0 and status != 1:
        if evaluate.best is not None:
            f, x, g = evaluate.best
        else:  # the starting point itself gave NaN
            x, (f, g) = x0, evaluate.nan_value
    return OptimizeResult(
        x=np.array(x),
        fun=float(f),
        jac=np.asarray(g),
        nit=len(history),
        nfev=evaluate.nfev,
        fun_history=np.array(history, dtype=np.float64),
        success=status == 0,
        status=status,
        message=_MESSAGES[status] if status != 0 else _ended_message(converged, scipy_message),
        method="lbfgs",
    )


def _ended_message(converged, scipy_message):
    """Status 0's message: converged, or (like fmincg's) the line search found no decrease."""
    if converged:
        return "Converged (L-BFGS-B's tolerances)."
    return f"Line search failed: no further decrease found (L-BFGS-B: {scipy_message})."


def _minimize(minimize, objective, x0, on_iteration, iterations, evaluations, memory):
    return minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        callback=on_iteration,
        options={"maxiter": iterations, "maxfun": evaluations, "maxcor": int(memory)},
    )


class _OutOfEvaluations(Exception):
    """The evaluation budget (negative ``maxiter``) is spent."""
