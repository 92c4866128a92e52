"""GNU Octave's random numbers, randperm for both engines, and a generator chosen by engine name.

GNU Octave 7's ``rng(seed)`` is ``rand('state', seed)`` (and ``rand('twister', seed)``, the same
keyword): a Mersenne Twister MT19937 initialised with Matsumoto and Nishimura's
``init_by_array`` from a one-element key, the seed as a 32-bit unsigned integer. MATLAB's
``rng(seed)`` instead uses ``init_genrand(seed)`` (:class:`nn3.MatlabRNG`), so the two engines
draw different numbers from the same seed. Both build a double from two 32-bit outputs ``a, b``
as ``((a >> 5) * 2**26 + (b >> 6)) / 2**53``; Octave skips the pair that would give exactly 0
(its ``rand`` is on the open interval (0, 1)).

Verified against Octave 7.3 (``tests/test_octave_rng.py``, ``tests/fixtures/octave_rng.json``)::

    rng(0); rand(1, 3)       % 0.8444  0.7580  0.4206   (Octave)
    rng(0); randperm(8)      % 7 1 5 3 2 4 8 6          (Octave)
    rng default; randperm(8) % 6 3 7 8 5 1 2 4          (MATLAB's documentation)
"""

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np
import numpy.typing as npt

from ..errors import Nn3Error, OptionError
from .rng import MatlabRNG, check_size

#: The engines :func:`make_rng` knows, the first the default (as ``nn3 train``'s).
ENGINES = ("matlab", "octave")

_MT_N = 624
_UINT32_MAX = 2**32 - 1


# ---------------------------------------------------------------------------------------------
# Seeding


def octave_seed_key(seed):
    """The MT19937 key Octave 7 makes of ``rand('state', seed)``'s argument.

    Measured in Octave 7.3: each element is rounded to the nearest integer (halves away from
    zero: 1.5 -> 2, 2.5 -> 3), values below 0 become 0, values above 2**32 - 1 become
    2**32 - 1 (as Octave's conversion to ``uint32`` saturates), and NaN and +-Inf become 0.

    Parameters
    ----------
    seed : real scalar or 1-D sequence of 1 to 624 reals
        A vector is a longer key (``rand('state', [1 2 3])``).

    Returns
    -------
    key : list of int
        1 to 624 values in 0..2**32-1.
    """
    values = np.asarray(seed)
    if values.dtype == object or values.dtype.kind not in "biuf":
        raise OptionError(f"an Octave seed must be a real number or vector, got {seed!r}")
    values = values.astype(np.float64).reshape(-1)
    if values.size == 0:
        raise OptionError("an Octave seed must not be empty")
    if values.size > _MT_N:
        # 625 values are a saved generator state (rand('state') output), not a key.
        raise OptionError(
            f"an Octave seed vector has at most {_MT_N} values (a saved 625-value state is not "
            f"supported), got {values.size}"
        )
    return [_seed_to_uint32(v) for v in values.tolist()]


def _seed_to_uint32(value):
    if not math.isfinite(value) or value <= 0:
        return 0
    rounded = math.floor(value + 0.5)  # value > 0: halves go up, away from zero
    return int(min(rounded, _UINT32_MAX))


def mt19937_init_by_array(key: Sequence[int]) -> npt.NDArray[np.uint32]:
    """MT19937's state after ``init_by_array(key)`` (Matsumoto and Nishimura, 2002).

    Parameters
    ----------
    key : sequence of int
        1 or more values in 0..2**32-1.

    Returns
    -------
    state : ndarray of shape (624,), uint32
    """
    mask = 0xFFFFFFFF
    mt = [0] * _MT_N
    mt[0] = 19650218
    for i in range(1, _MT_N):
        mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & mask
    i, j = 1, 0
    for _ in range(max(_MT_N, len(key))):
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525)) + key[j] + j) & mask
        i, j = i + 1, j + 1
        if i >= _MT_N:
            mt[0], i = mt[_MT_N - 1], 1
        if j >= len(key):
            j = 0
    for _ in range(_MT_N - 1):
        mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941)) - i) & mask
        i += 1
        if i >= _MT_N:
            mt[0], i = mt[_MT_N - 1], 1
    mt[0] = 0x80000000
    return np.array(mt, dtype=np.uint32)


# ---------------------------------------------------------------------------------------------
# The generator


class OctaveRNG:
    """GNU Octave 7's generator: ``rng(seed)`` (= ``rand('state', seed)``), then ``rand(m, n)``.

    The same methods as :class:`nn3.MatlabRNG`, so it can stand in for it anywhere (e.g.
    ``nn3.rand_initialize_weights(L_in, L_out, rng=nn3.OctaveRNG(0))``). Filled column by
    column, so ``OctaveRNG(0).rand(3)`` is Octave's ``rng(0); rand(3)`` bit for bit::

        [[0.8444, 0.2589, 0.4039],
         [0.7580, 0.5112, 0.7833],
         [0.4206, 0.4049, 0.3031]]

    Parameters
    ----------
    seed : real scalar or 1-D sequence, default 0
        What ``rand('state', seed)`` accepts; see :func:`octave_seed_key` for how Octave turns
        it into a key (non-integers round, negative and non-finite values act as 0, values over
        2**32 - 1 as 2**32 - 1). Octave's ``rng`` itself refuses negative and NaN seeds;
        :func:`nn3.matlab.rng` does too.
    """

    engine = "octave"

    def __init__(self, seed: float | np.ndarray = 0) -> None:
        key = octave_seed_key(seed)
        self.seed = seed
        self.key = key
        self._state = np.random.RandomState()
        # pos 624: the first draw twists the whole state first, as Octave's does (left = 1);
        # no cached Gaussian (has_gauss 0, cached_gaussian 0.0, what a 3-tuple state means).
        self._state.set_state(("MT19937", mt19937_init_by_array(key), _MT_N, 0, 0.0))

    def __repr__(self):
        return f"OctaveRNG({self.seed!r})"

    def rand(self, m: int, n: int | None = None) -> np.ndarray:
        """Uniform (0, 1) numbers, Octave's ``rand(m, n)`` (``rand(m)`` is m x m).

        Returns
        -------
        r : ndarray of shape (m, n), float64
        """
        if n is None:
            n = m
        m, n = check_size(m, "rand"), check_size(n, "rand")
        return self._draw(m * n).reshape((m, n), order="F")

    def _draw(self, count):
        # numpy's random_sample builds each double exactly as Octave's randu53 does; Octave
        # skips a pair giving 0.0 (probability 2**-53) and takes the next pair instead.
        r = self._state.random_sample(count)
        while True:
            zeros = np.flatnonzero(r == 0.0)
            if zeros.size == 0:
                return r
            r = np.concatenate([np.delete(r, zeros), self._state.random_sample(zeros.size)])

    def shuffled_order(self, n: int) -> np.ndarray:
        """A random order of ``0..n-1``: ``[~, order] = sort(rand(n, 1))``, 0-based.

        Returns
        -------
        order : ndarray of shape (n,), intp
        """
        return np.argsort(self.rand(n, 1)[:, 0], kind="stable")

    def randperm(self, n: int, k: int | None = None) -> np.ndarray:
        """Octave's ``randperm(n)`` / ``randperm(n, k)``: a random permutation of ``1..n``.

        Port of Octave 7's randperm (libinterp/corefcn/rand.cc): ``k`` draws ``r`` from
        ``rand(1, k)``, then for ``i = 0..k-1`` swap positions ``i`` and
        ``i + floor(r[i] * (n - i))`` of ``0..n-1``, and keep the first ``k``, plus 1.

        Parameters
        ----------
        n : int
            Permute ``1..n``; n >= 0.
        k : int, optional
            Keep only the first k, 0 <= k <= n (default n).

        Returns
        -------
        p : ndarray of shape (k,), intp
            1-based, as in Octave.
        """
        n, k = _randperm_sizes(n, k)
        r = self._draw(k)
        moved: dict[int, int] = {}  # a virtual 0..n-1, storing only the positions that moved
        out = np.empty(k, dtype=np.intp)
        for i in range(k):
            j = i + math.floor(r[i] * (n - i))
            out[i] = moved.get(j, j)
            moved[j] = moved.get(i, i)
        return out + 1


def _randperm_sizes(n, k):
    n = check_size(n, "randperm")
    k = n if k is None else check_size(k, "randperm")
    if k > n:
        raise OptionError(f"randperm: k must be at most n, got randperm({n}, {k})")
    return n, k


def make_rng(engine: str = "matlab", seed: float = 0) -> "MatlabRNG | OctaveRNG":
    """The generator of ``engine`` (``"matlab"`` or ``"octave"``) after ``rng(seed)`` there.

    Parameters
    ----------
    engine : {"matlab", "octave"}, default "matlab"
        Case-insensitive.
    seed : int, default 0
        A seed that engine's ``rng(seed)`` accepts (MATLAB: a whole number in 0..2**32-1;
        Octave: a real number >= 0).

    Returns
    -------
    rng : MatlabRNG or OctaveRNG
    """
    name = str(engine).lower()
    if name == "matlab":
        try:
            return MatlabRNG(seed)
        except Nn3Error:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise OptionError(f"MATLAB rng: {exc}") from None
    if name == "octave":
        if not isinstance(seed, (Real, np.integer)) or isinstance(seed, bool) or not seed >= 0:
            raise OptionError(f"Octave's rng takes a real seed >= 0, got {seed!r}")
        return OctaveRNG(seed)
    raise OptionError(f"unknown random-number engine {engine!r}; use one of {', '.join(ENGINES)}")
