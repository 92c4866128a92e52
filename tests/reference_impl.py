"""A deliberately plain transcription of the MATLAB formulas, to test nn3 against.

It builds ``[ones(m,1) X]`` and the one-hot ``Y`` explicitly, exactly as ex4-style MATLAB code
does, and shares no code with ``nn3.core.network``.
"""

import numpy as np


def g(z):
    return 1.0 / (1.0 + np.exp(-z))


def matlab_cost_grad(X, y, Theta1, Theta2, lam):
    m = X.shape[0]
    K = Theta2.shape[0]
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    Y = y if K == 1 else (y == np.arange(1, K + 1)[None, :]).astype(float)
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ Theta1.T
    a2 = np.hstack([np.ones((m, 1)), g(z2)])
    h = g(a2 @ Theta2.T)
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    J += lam / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))
    d3 = h - Y
    d2 = (d3 @ Theta2)[:, 1:] * (g(z2) * (1 - g(z2)))
    G1 = d2.T @ a1 / m
    G2 = d3.T @ a2 / m
    G1[:, 1:] += lam / m * Theta1[:, 1:]
    G2[:, 1:] += lam / m * Theta2[:, 1:]
    return J, G1, G2
