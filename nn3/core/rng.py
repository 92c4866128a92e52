"""MATLAB-compatible random numbers and weight initialisation."""

from numbers import Real
from typing import Protocol

import numpy as np

from ..errors import OptionError
from ..validation import check_array_size, to_int, validate_int, validate_real


class RandSource(Protocol):
    """Any generator with MATLAB's ``rand(m, n)``: :class:`MatlabRNG`, :class:`OctaveRNG`."""

    def rand(self, m: int, n: int | None = None) -> np.ndarray:
        """Uniform numbers of shape (m, n), filled column by column (``rand(m)`` is m x m)."""
        ...


class MatlabRNG:
    """MATLAB's default generator: ``rng(seed, 'twister')`` followed by ``rand(m, n)``.

    MATLAB's Mersenne Twister seeds with ``init_genrand(5489)`` for seed 0 and
    ``init_genrand(seed)`` otherwise, and draws each double from two 32-bit outputs
    (``(a >> 5) * 2**26 + (b >> 6)) / 2**53``). ``numpy.random.RandomState`` does exactly that
    for an integer seed, and numpy keeps its stream fixed for compatibility. MATLAB fills the
    matrix column by column, so ``MatlabRNG(0).rand(3)`` is MATLAB's ``rng(0); rand(3)``::

        [[0.8147, 0.9134, 0.2785],
         [0.9058, 0.6324, 0.5469],
         [0.1270, 0.0975, 0.9575]]

    Parameters
    ----------
    seed : int, default 0
        MATLAB seed, 0 <= seed < 2**32 (a whole number; 2.0 is 2, 2.5 is refused).

    Raises
    ------
    nn3.errors.ParameterError
        A seed MATLAB's ``rng`` refuses, naming ``seed``.
    """

    def __init__(self, seed: float = 0) -> None:
        checked = validate_int("seed", seed)
        self.seed = checked
        self._state = np.random.RandomState(5489 if checked == 0 else checked)

    def rand(self, m: int, n: int | None = None) -> np.ndarray:
        """Uniform [0, 1) numbers, MATLAB's ``rand(m, n)`` (``rand(m)`` is m x m).

        Returns
        -------
        r : ndarray of shape (m, n), float64
        """
        m = check_size(m, "rand")
        n = m if n is None else check_size(n, "rand")
        check_array_size(m * n, "m", m, f"rand({m}, {n})")
        return self._state.random_sample(m * n).reshape((m, n), order="F")

    def shuffled_order(self, n: int) -> np.ndarray:
        """A random order of ``0..n-1``: MATLAB's ``[~, order] = sort(rand(n, 1))``, 0-based.

        Unlike ``randperm``, whose algorithm differs between MATLAB versions, this idiom gives the
        same order in every MATLAB release (ties, which need equal doubles, keep index order).

        Returns
        -------
        order : ndarray of shape (n,), intp
        """
        return np.argsort(self.rand(n, 1)[:, 0], kind="stable")

    def randperm(self, n: int, k: None = None) -> np.ndarray:
        """MATLAB's ``randperm(n)``, 1-based: ``[~, p] = sort(rand(1, n))``.

        That definition reproduces MATLAB's documented ``rng default; randperm(8)`` ->
        ``6 3 7 8 5 1 2 4`` and ``randperm(6)`` -> ``6 3 5 1 2 4``. MATLAB does not document how
        ``randperm(n, k)`` draws (its documentation says ``randperm(n, n)`` may order differently
        from ``randperm(n)``), and the simple shuffles do not reproduce its published
        ``randperm(8, 4)``, so ``k`` is refused rather than guessed.

        Parameters
        ----------
        n : int
            n >= 0.
        k : None
            Refused (:class:`nn3.OptionError`) when given.

        Returns
        -------
        p : ndarray of shape (n,), intp
        """
        n = check_size(n, "randperm")
        if k is not None:
            raise OptionError(
                "randperm(n, k) is not reproduced for MATLAB: its algorithm is undocumented; "
                "use p = randperm(n); p(1:k) in MATLAB and randperm(n)[:k] here, which agree"
            )
        return self.shuffled_order(n) + 1


def check_size(d: object, name: str) -> int:
    """``d`` as a non-negative ``int`` (a MATLAB size argument), or :class:`OptionError`."""
    if isinstance(d, bool) or not isinstance(d, (Real, np.integer)) or d != to_int(d) or d < 0:
        raise OptionError(f"{name}: sizes must be non-negative whole numbers, got {d!r}")
    return to_int(d)


def rand_initialize_weights(
    L_in: int, L_out: int, epsilon_init: float = 0.12, rng: "RandSource | int | None" = None
) -> np.ndarray:
    """Random weights in ``[-epsilon_init, epsilon_init)`` to break symmetry.

    Port of randInitializeWeights.m: ``rand(L_out, 1 + L_in) * 2 * epsilon_init - epsilon_init``.
    The source document's ``rand(...) * 2 - 1`` is ``epsilon_init=1``.

    Parameters
    ----------
    L_in, L_out : int
        Units feeding the layer and units in it.
    epsilon_init : float, default 0.12
    rng : MatlabRNG, OctaveRNG or int, optional
        A generator (shared across calls, as MATLAB's global stream is) or a seed; default seed 0.

    Returns
    -------
    W : ndarray of shape (L_out, 1 + L_in)
    """
    n_in, n_out = validate_int("L_in", L_in), validate_int("L_out", L_out)
    epsilon = validate_real("epsilon_init", epsilon_init)
    check_array_size(n_out * (1 + n_in), "L_out", n_out, f"a {n_out}x{1 + n_in} weight matrix")
    if rng is None or isinstance(rng, (int, np.integer)):
        rng = MatlabRNG(0 if rng is None else rng)
    return rng.rand(n_out, 1 + n_in) * 2 * epsilon - epsilon


def debug_initialize_weights(fan_out: int, fan_in: int) -> np.ndarray:
    """Fixed, reproducible weights for gradient checking.

    Port of debugInitializeWeights.m: ``reshape(sin(1:numel(W)), size(W)) / 10`` with
    ``W`` of size ``fan_out x (1 + fan_in)``, filled column-major.

    Returns
    -------
    W : ndarray of shape (fan_out, 1 + fan_in)
    """
    rows, cols = validate_int("fan_out", fan_out), 1 + validate_int("fan_in", fan_in)
    check_array_size(rows * cols, "fan_out", rows, f"a {rows}x{cols} weight matrix")
    w = np.sin(np.arange(1, rows * cols + 1, dtype=np.float64))
    return w.reshape((rows, cols), order="F") / 10
