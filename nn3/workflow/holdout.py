"""The hold-out split: a stratified, reproducible test set drawn with MATLAB's ``rng(seed)``."""

import numpy as np
import numpy.typing as npt

from ..core.rng import MatlabRNG
from ..errors import ParameterConflictError
from ..validation import validate_int, validate_real


def holdout_split(
    y: npt.ArrayLike, fraction: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split the examples into a training and a test set, stratified by label, reproducibly.

    Each label value, in ascending order, contributes ``floor(fraction * n_c + 0.5)`` of its
    ``n_c`` examples to the test set, but at most ``n_c - 1`` (so every label stays in the
    training set). Which ones: the label's examples in file order, shuffled by MATLAB's
    ``[~, order] = sort(rand(n_c, 1))`` drawn from one ``rng(seed, 'twister')`` stream across the
    labels, first ones to the test set. The split depends only on ``y``, ``fraction`` and
    ``seed``.

    Parameters
    ----------
    y : array_like of shape (m,) or (m, 1)
        Labels (any values; each distinct value is a stratum).
    fraction : float
        Share of each label's examples held out, ``0 < fraction < 1``.
    seed : int, default 0
        MATLAB ``rng(seed)`` seed.

    Returns
    -------
    train_idx, test_idx : ndarray of shape (m_train,), (m_test,), intp
        0-based row indices, ascending; disjoint, together every row once.
    """
    return split(y, validate_real("fraction", fraction), validate_int("seed", seed))


def split(y, fraction: float, seed: int, parameter: str = "fraction"):
    """:func:`holdout_split` of checked settings; an empty test set is refused naming
    ``parameter`` (``holdout`` for :func:`nn3.fit`)."""
    y = np.asarray(y).reshape(-1)
    rng = MatlabRNG(seed)
    test: list[np.ndarray] = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        n_test = min(int(np.floor(fraction * members.size + 0.5)), members.size - 1)
        order = rng.shuffled_order(members.size)
        test.append(members[order[:n_test]])
    test_idx = np.sort(np.concatenate(test)) if test else np.zeros(0, dtype=np.intp)
    if test_idx.size == 0:
        raise ParameterConflictError(
            parameter,
            fraction,
            f"{{name}} {fraction:g} of {y.size} examples leaves none to test on (each label "
            "keeps at least one training example); hold out more",
        )
    is_test = np.zeros(y.size, dtype=bool)
    is_test[test_idx] = True
    return np.flatnonzero(~is_test), test_idx
