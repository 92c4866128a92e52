"""Data sets defined by formula, identical in every IEEE-754 engine."""

import numpy as np


def synthetic_ex4(m=5000, n=400):
    """The deterministic ex4-sized set used for the genuine-fmincg reference runs.

    In MATLAB (``i = (1:m)'; j = 1:n``)::

        y = mod(i-1, 10) + 1;
        c = y; flip = mod(i, 17) == 0; c(flip) = mod(y(flip), 10) + 1;
        S = double(mod(j, 10) == mod(c, 10));
        N = mod(131*i + 71*j + 17*(i.*j), 401);
        X = (100*S + N) / 1000;

    Every operation is exact in integers below 2**53 followed by one correctly rounded division,
    so MATLAB, Octave and numpy produce the same bits.

    Returns
    -------
    X : ndarray of shape (m, n)
    y : ndarray of shape (m, 1), labels 1..10
    """
    i = np.arange(1, m + 1, dtype=np.int64)[:, None]
    j = np.arange(1, n + 1, dtype=np.int64)[None, :]
    y = (i - 1) % 10 + 1
    c = y.copy()
    flip = i % 17 == 0
    c[flip] = y[flip] % 10 + 1
    S = (j % 10 == c % 10).astype(np.float64)
    N = (131 * i + 71 * j + 17 * (i * j)) % 401
    X = (100 * S + N) / 1000
    return X, y.astype(np.float64)
