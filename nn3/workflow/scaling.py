"""Feature scaling, the coursework's ``featureNormalize``, and its use at prediction time.

Features in the tens or thousands (exam scores, house sizes) saturate the sigmoid units of a
network initialised with weights in [-0.12, 0.12]; fmincg then needs many more iterations, or
stops at a network that predicts one class. Training on ``(X - mu) ./ sigma`` avoids that;
``mu`` and ``sigma`` travel with the weights so that predictions see the same scaling.

The statistics are computed as GNU Octave 7.3 computes ``mean(X)`` and ``std(X)`` (``sum(X, 1)
/ m``; ``sqrt(sumsq(X - mu, 1) / (m - 1))``, each column summed from the first row down), so
they agree with Octave's bit for bit (``tests/test_scaling.py``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..errors import DataError


def feature_normalize(
    X: npt.ArrayLike, *, path: str = "<data>", name: str = "X"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each feature to mean 0 and standard deviation 1.

    Port of the coursework's featureNormalize.m::

        mu = mean(X);
        sigma = std(X);
        X_norm = (X - mu) ./ sigma;

    with three decisions the .m file leaves open:

    - a constant feature (all its values equal), or one whose ``std`` is 0, keeps
      ``sigma = 1`` (so ``X_norm`` is 0 there, not NaN). Octave's ``std([0.1; 0.1; 0.1])`` is
      1.7e-17, not 0, because the mean is rounded: the test is on the values, not on ``std``.
    - the statistics are always taken down the columns (``mean(X, 1)``, ``std(X, 0, 1)``):
      with a single example, MATLAB's bare ``mean(X)`` would average along the row; here ``mu``
      is that row and every ``sigma`` is 1 (``std`` of one value is 0).
    - a feature whose sums overflow (values near 1e308: Octave's ``std`` is Inf there) or whose
      squares underflow (values near 1e-300) is first scaled by a power of two, which is exact:
      ``mu`` and ``sigma`` are then what exact arithmetic gives, and finite. A feature whose
      standard deviation itself is beyond the largest double is refused: no weights file
      could hold it (:func:`apply_normalization` would refuse ``sigma = Inf``).

    Parameters
    ----------
    X : array_like of shape (m, n)
        Real, finite, m >= 1.
    path, name : str, keyword-only
        The file and the variable, for error messages.

    Returns
    -------
    X_norm : ndarray of shape (m, n), float64
        ``(X - mu) ./ sigma``, as :func:`apply_normalization` computes it.
    mu : ndarray of shape (1, n), float64
        ``mean(X, 1)``.
    sigma : ndarray of shape (1, n), float64
        ``std(X, 0, 1)`` (N - 1 normalisation), 1 where the feature is constant; finite and
        positive.

    Raises
    ------
    DataError
        X is not a non-empty 2-D real matrix of finite numbers, or a feature's standard
        deviation exceeds the largest double.
    """
    X = _as_features(X, name)
    with np.errstate(all="ignore"):  # overflow and underflow are handled below
        mu, sigma = _mean_std(X)
        constant = np.all(X == X[:1], axis=0, keepdims=True)
        rescue = ~(np.isfinite(mu) & np.isfinite(sigma)) | ((sigma == 0) & ~constant)
        if rescue.any():  # the same statistics of X ./ 2^e, scaled back: exact
            cols = np.flatnonzero(rescue[0])
            _, e = np.frexp(np.max(np.abs(X[:, cols]), axis=0, keepdims=True))
            mu_s, sigma_s = _mean_std(np.ldexp(X[:, cols], -e))
            mu[:, cols], sigma[:, cols] = np.ldexp(mu_s, e), np.ldexp(sigma_s, e)
    too_wide = np.flatnonzero(~np.isfinite(sigma[0]))
    if too_wide.size:
        j = int(too_wide[0])
        raise DataError(
            f"{path}: variable '{name}': feature {j + 1} cannot be scaled: its standard "
            f"deviation is beyond the largest double (its values reach "
            f"{np.max(np.abs(X[:, j])):.3g}); divide it by a power of ten first"
        )
    sigma = np.where(constant | (sigma == 0), 1.0, sigma)
    return _scale(X, mu, sigma), mu, sigma


def _mean_std(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Octave's ``mean(X)`` and ``std(X)``: column sums from the first row down."""
    m = X.shape[0]
    mu = X.sum(axis=0, keepdims=True) / m  # axis-0 sums of a C-order array: row by row
    if m == 1:
        return mu, np.zeros_like(mu)
    deviations = X - mu
    return mu, np.sqrt((deviations * deviations).sum(axis=0, keepdims=True) / (m - 1))


def _scale(X: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``(X - mu) ./ sigma``; where that overflows (values near 1e308), the same in exact
    power-of-two scaled arithmetic. Non-finite values left mean X is beyond the scaling."""
    with np.errstate(all="ignore"):
        out = (X - mu) / sigma
        wide = ~np.all(np.isfinite(out), axis=0)
        if wide.any():
            cols = np.flatnonzero(wide)
            _, e = np.frexp(np.maximum(np.abs(mu[:, cols]), sigma[:, cols]))
            out[:, cols] = (np.ldexp(X[:, cols], -e) - np.ldexp(mu[:, cols], -e)) / np.ldexp(
                sigma[:, cols], -e
            )
    return out


def apply_normalization(X, mu, sigma, path: str = "<weights>") -> np.ndarray:
    """Scale new examples with the training set's ``mu`` and ``sigma``: ``(X - mu) ./ sigma``.

    What ``predict`` applies when the weights file holds ``mu`` and ``sigma`` (as ex1_multi.m
    scales a new house before predicting its price). Computed as :func:`feature_normalize`
    computes ``X_norm``, so the training rows get the values they were trained on.

    Parameters
    ----------
    X : array_like of shape (m, n)
    mu, sigma : array_like of shape (1, n) or (n,)
        From :func:`feature_normalize` (or the weights file).
    path : str
        The weights file, for error messages.

    Returns
    -------
    ndarray of shape (m, n), float64

    Raises
    ------
    DataError
        ``mu``/``sigma`` are not n finite numbers, a ``sigma`` is 0 or negative, X has a
        different number of features, or values so far beyond the training data's that
        scaling them overflows.
    """
    mu, sigma = check_normalization(mu, sigma, path)
    X = _as_features(X, "X")
    if X.shape[1] != mu.shape[1]:
        raise DataError(
            f"{path}: 'mu' and 'sigma' are for {mu.shape[1]} features but the data have "
            f"{X.shape[1]}"
        )
    scaled = _scale(X, mu, sigma)
    beyond = np.flatnonzero(~np.all(np.isfinite(scaled), axis=0))
    if beyond.size:
        j = int(beyond[0])
        raise DataError(
            f"{path}: feature {j + 1} of the data is too far beyond the training data's "
            f"(mu {mu[0, j]:.3g}, sigma {sigma[0, j]:.3g}) to be scaled"
        )
    return scaled


def check_normalization(mu, sigma, path: str = "<weights>") -> tuple[np.ndarray, np.ndarray]:
    """``mu`` and ``sigma`` from a weights file, as (1, n) float64 rows, or a DataError.

    Parameters
    ----------
    mu, sigma : array_like
        Vectors of n finite numbers; every sigma positive.
    path : str
        The weights file, for error messages.

    Returns
    -------
    mu, sigma : ndarray of shape (1, n), float64
    """
    rows = []
    for name, value in (("mu", mu), ("sigma", sigma)):
        if hasattr(value, "toarray"):
            value = value.toarray()
        array = np.asarray(value)
        if array.dtype.kind not in "biuf" or (array.ndim == 2 and min(array.shape) > 1):
            raise DataError(f"{path}: variable '{name}' must be a numeric vector (1 x n)")
        if array.ndim > 2 or array.size == 0:
            raise DataError(f"{path}: variable '{name}' must be a numeric vector (1 x n)")
        array = array.astype(np.float64).reshape(1, -1)
        if not np.all(np.isfinite(array)):
            raise DataError(f"{path}: variable '{name}' holds NaN or Inf values")
        rows.append(array)
    mu, sigma = rows
    if mu.shape != sigma.shape:
        raise DataError(f"{path}: 'mu' has {mu.shape[1]} values but 'sigma' has {sigma.shape[1]}")
    if np.any(sigma <= 0):
        raise DataError(f"{path}: variable 'sigma' holds a value <= 0; scales must be positive")
    return mu, sigma


def normalization_from_variables(variables: dict, path: str = "<weights>"):
    """``(mu, sigma)`` when a loaded weights file holds both, None when it holds neither.

    Parameters
    ----------
    variables : dict
        As :func:`nn3.load_mat` returns it.
    path : str
        The weights file, for error messages.

    Returns
    -------
    tuple of two ndarrays of shape (1, n), or None

    Raises
    ------
    DataError
        Only one of the two is there, or they are not valid (see :func:`check_normalization`).
    """
    present = [name for name in ("mu", "sigma") if name in variables]
    if not present:
        return None
    if len(present) == 1:
        missing = "sigma" if present == ["mu"] else "mu"
        raise DataError(
            f"{path}: holds '{present[0]}' but not '{missing}'; feature scaling needs both"
        )
    return check_normalization(variables["mu"], variables["sigma"], path)


def _as_features(X, name: str) -> np.ndarray:
    """A C-ordered float64 copy of a non-empty, finite, real 2-D matrix."""
    if hasattr(X, "toarray"):
        X = X.toarray()
    array = np.asarray(X)
    if array.dtype.kind not in "biuf" or array.ndim != 2 or array.size == 0:
        raise DataError(f"'{name}' must be a non-empty 2-D real matrix, got {array.shape}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise DataError(f"'{name}' holds NaN or Inf values")
    return array
