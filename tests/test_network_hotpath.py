"""The blocked, buffered evaluation of nn3.core.network against the plain MATLAB formulas.

``reference_impl.matlab_cost_grad`` builds ``[ones(m,1) X]`` and the one-hot ``Y`` and runs the
MATLAB expressions one by one; nn3's hot path must give the same cost and gradient to 1e-13
relative whatever the block size, memory order of ``X`` and size of the element-wise pieces.
"""

import numpy as np
import pytest
from reference_impl import matlab_cost_grad

import nn3
from nn3.core import network


def _problem(seed, m, n, hidden, K, order="C"):
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.uniform(-1, 1, (m, n)), order=order)
    y = rng.integers(0, 2, m).astype(float) if K == 1 else rng.integers(1, K + 1, m).astype(float)
    Theta1 = rng.uniform(-0.3, 0.3, (hidden, n + 1))
    Theta2 = rng.uniform(-0.3, 0.3, (K, hidden + 1))
    return X, y, Theta1, Theta2


def _assert_parity(J, grad, X, y, Theta1, Theta2, lam):
    J_ref, G1, G2 = matlab_cost_grad(X, y, Theta1, Theta2, lam)
    ref = np.concatenate([G1.ravel(order="F"), G2.ravel(order="F")])
    assert abs(J - J_ref) <= 1e-13 * abs(J_ref)
    assert np.abs(grad - ref).max() <= 1e-13 * np.abs(ref).max()


def _evaluate(X, y, Theta1, Theta2, lam, block_rows=None):
    rows, cols = network.label_hits(y, Theta2.shape[0])
    ev = network._Evaluator(X, rows, cols, Theta1.shape[0], Theta2.shape[0], block_rows)
    grad = np.empty(Theta1.size + Theta2.size)
    g1, g2 = nn3.roll(grad, Theta1.shape[1] - 1, Theta1.shape[0], Theta2.shape[0])
    J = ev(np.asfortranarray(Theta1), np.asfortranarray(Theta2), lam, g1, g2)
    return J, grad, ev


@pytest.mark.parametrize(
    "shape, block_rows",
    [
        ((1, 3, 2, 4), None),  # a single example
        ((97, 5, 7, 1), 10),  # binary output, last block shorter (7 rows)
        ((500, 30, 25, 10), 64),  # ex4-like, 8 blocks
        ((500, 30, 25, 10), 500),  # same, one block
        ((2000, 40, 3, 4), 333),  # hidden smaller than labels
    ],
)
@pytest.mark.parametrize("lam", [0.0, 1.0])
def test_blocks_match_plain_formulas(shape, block_rows, lam):
    X, y, Theta1, Theta2 = _problem(sum(shape), *shape)
    J, grad, ev = _evaluate(X, y, Theta1, Theta2, lam, block_rows)
    expected_blocks = -(-shape[0] // (block_rows or shape[0]))
    assert len(ev.blocks) == expected_blocks
    _assert_parity(J, grad, X, y, Theta1, Theta2, lam)


def test_large_m_default_blocks_and_chunks(monkeypatch):
    # Small enough blocks that make_objective's default splits 40000 rows into several, each
    # with element-wise chains run in many cache-sized pieces.
    monkeypatch.setattr(network, "_BLOCK_ROWS", 4096)
    m, n, hidden, K = 40000, 20, 30, 10
    X, y, Theta1, Theta2 = _problem(7, m, n, hidden, K)
    assert len(network._partition(m, hidden, K)) > 10  # several blocks, full and smaller
    assert hidden * 4096 > network._CHUNK  # several pieces per pass
    params = nn3.unroll(Theta1, Theta2)
    fun = nn3.make_objective(X, y, n, hidden, K, 1.0)
    J, grad = fun(params)
    _assert_parity(J, grad, X, y, Theta1, Theta2, 1.0)
    # The element-wise chains give the same bits whole as in pieces.
    monkeypatch.setattr(network, "_CHUNK", 10**9)
    J1, grad1 = nn3.make_objective(X, y, n, hidden, K, 1.0)(params)
    assert J1 == J
    np.testing.assert_array_equal(grad1, grad)


@pytest.mark.parametrize("order", ["C", "F"])
def test_data_is_read_in_place_in_either_order(order):
    # A v7.3 file gives a Fortran-ordered X: it must not be copied, and the numbers are the same.
    X, y, Theta1, Theta2 = _problem(3, 300, 12, 6, 3, order=order)
    J, grad, ev = _evaluate(X, y, Theta1, Theta2, 0.5, block_rows=128)
    assert ev.X is X
    _assert_parity(J, grad, X, y, Theta1, Theta2, 0.5)


def test_strided_data_is_accepted():
    X, y, Theta1, Theta2 = _problem(4, 200, 16, 5, 3)
    X_strided = X[:, ::2]
    J, grad, _ = _evaluate(X_strided, y, Theta1[:, :9], Theta2, 1.0, block_rows=64)
    _assert_parity(J, grad, np.ascontiguousarray(X_strided), y, Theta1[:, :9], Theta2, 1.0)


def test_repeated_calls_reuse_buffers_but_return_fresh_gradients():
    X, y, Theta1, Theta2 = _problem(5, 300, 10, 8, 4)
    fun = nn3.make_objective(X, y, 10, 8, 4, 1.0)
    p1 = nn3.unroll(Theta1, Theta2)
    p2 = p1 * 0.5
    J1, g1 = fun(p1)
    g1_copy = g1.copy()
    J2, g2 = fun(p2)
    assert g2 is not g1
    np.testing.assert_array_equal(g1, g1_copy)  # an optimizer's df1 survives the next call
    _assert_parity(J2, g2, X, y, *nn3.roll(p2, 10, 8, 4), 1.0)
    J1_again, g1_again = fun(p1)
    assert J1_again == J1
    np.testing.assert_array_equal(g1_again, g1)


def test_cost_only_matches_cost_with_gradient():
    X, y, Theta1, Theta2 = _problem(6, 250, 9, 7, 5)
    rows, cols = network.label_hits(y, 5)
    ev = network._Evaluator(X, rows, cols, 7, 5, 100)
    J_only = ev(Theta1, Theta2, 2.0)
    J, _, _ = _evaluate(X, y, Theta1, Theta2, 2.0, 100)
    assert J_only == J
    assert nn3.cost_function(X, y, Theta1, Theta2, 2.0) == pytest.approx(J, rel=1e-15)


def test_activations_are_sigmoid_bit_for_bit():
    # Data and weights on a dyadic grid make every product and sum exact in any order, so z2
    # and z3 are exact; the negated-weights products must then give sigmoid.m's bits exactly.
    rng = np.random.default_rng(8)
    m, n, hidden, K = 64, 6, 5, 3
    X = rng.integers(-8, 9, (m, n)) / 4.0
    Theta1 = rng.integers(-8, 9, (hidden, n + 1)) / 16.0
    Theta2 = rng.integers(-8, 9, (K, hidden + 1)) / 16.0
    y = rng.integers(1, K + 1, m).astype(float)
    rows, cols = network.label_hits(y, K)
    ev = network._Evaluator(X, rows, cols, hidden, K, threads=1)
    ev(Theta1, Theta2, 0.0)
    assert len(ev.blocks) == 1
    a2t = ev._slots[0].a2t[: (hidden + 1) * m].reshape(hidden + 1, m)
    z2 = X @ Theta1[:, 1:].T + Theta1[:, 0]
    assert np.all(a2t[0] == 1.0)
    # With nn3's exp (numpy's may differ from libm's by 1 ulp by CPU; the tests may perturb it).
    np.testing.assert_array_equal(a2t[1:].T, 1.0 / (1.0 + nn3.core.activations.exp(-z2)))


# --- nn_cost_function reuses its evaluator between calls ------------------------------------


def _ncf(p, X, y, hidden, K, lam=1.0):
    return network.nn_cost_function(p, X.shape[1], hidden, K, X, y, lam)


def _fresh(p, X, y, hidden, K, lam=1.0):
    """The same evaluation with nothing reused: a new evaluator from copies of the data."""
    fun = network.memory_objective(X.copy(order="K"), np.array(y), X.shape[1], hidden, K, lam)
    return fun(p)


@pytest.mark.parametrize("order", ["C", "F"])
def test_nn_cost_function_sees_every_mutation_of_x_and_y(order):
    X, y, Theta1, Theta2 = _problem(16, 300, 12, 5, 4, order=order)
    p = nn3.unroll(Theta1, Theta2)
    J0, g0 = _ncf(p, X, y, 5, 4)
    np.testing.assert_array_equal(_ncf(p, X, y, 5, 4)[1], g0)  # reuse: the same bits
    mutations = [
        lambda X, y: X.__setitem__((0, 0), np.nextafter(X[0, 0], 2.0)),  # one ulp, first element
        lambda X, y: X.__setitem__((-1, -1), X[-1, -1] + 0.5),  # last element
        lambda X, y: y.__setitem__(7, y[7] % 4 + 1),  # one label
        lambda X, y: y.__setitem__(slice(None), y[::-1].copy()),  # labels permuted
        lambda X, y: X.__setitem__(slice(None), X[::-1].copy()),  # rows permuted
    ]
    for mutate in mutations:
        mutate(X, y)
        J, g = _ncf(p, X, y, 5, 4)
        J_ref, g_ref = _fresh(p, X, y, 5, 4)
        assert J == J_ref
        np.testing.assert_array_equal(g, g_ref)
    assert J != J0


def test_nn_cost_function_reuse_across_shapes_labels_and_bad_input():
    X, y, Theta1, Theta2 = _problem(3, 200, 6, 4, 3)
    p = nn3.unroll(Theta1, Theta2)
    _ncf(p, X, y, 4, 3)
    X2, y2, T1b, T2b = _problem(4, 150, 6, 4, 3)  # other rows: a new evaluator
    p2 = nn3.unroll(T1b, T2b)
    assert _ncf(p2, X2, y2, 4, 3)[0] == _fresh(p2, X2, y2, 4, 3)[0]
    bad = y2.copy()
    bad[0] = 9
    with pytest.raises(nn3.DataError, match="labels from"):
        _ncf(p2, X2, bad, 4, 3)
    J, g = _ncf(p2, X2, y2, 4, 3)  # the failed call left nothing wrong behind
    np.testing.assert_array_equal(g, _fresh(p2, X2, y2, 4, 3)[1])
    # y as a column, as ints, as a list: same labels, same result
    for yy in (y2.reshape(-1, 1), y2.astype(np.uint8), list(y2)):
        assert _ncf(p2, X2, yy, 4, 3)[0] == J
    # a non-contiguous X is read correctly on a reused evaluator
    Xs = np.asfortranarray(np.hstack([X2, X2]))[:, ::2]
    assert _ncf(p2, Xs, y2, 4, 3)[0] == _fresh(p2, np.ascontiguousarray(Xs), y2, 4, 3)[0]


def test_nn_cost_function_does_not_keep_the_data_alive():
    import weakref

    X, y, Theta1, Theta2 = _problem(5, 50, 4, 3, 2)
    ref = weakref.ref(X)
    _ncf(nn3.unroll(Theta1, Theta2), X, y, 3, 2)
    del X
    assert ref() is None
