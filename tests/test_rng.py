import numpy as np

import nn3

# MATLAB R20xx: rng(0, 'twister'); rand(3) (published in MATLAB's documentation and the
# default-stream values every MATLAB user has seen), and rng(1); rand(1, 3).
MATLAB_RNG0_RAND3 = np.array(
    [[0.8147, 0.9134, 0.2785], [0.9058, 0.6324, 0.5469], [0.1270, 0.0975, 0.9575]]
)
MATLAB_RNG1_RAND13 = np.array([[0.4170, 0.7203, 0.0001]])


def test_matlab_rng_seed0_column_major():
    r = nn3.MatlabRNG(0).rand(3)
    np.testing.assert_allclose(r, MATLAB_RNG0_RAND3, atol=5e-5)
    assert r[0, 0] == 0.8147236863931789  # rand after rng(0) in MATLAB, full precision


def test_matlab_rng_seed1_and_stream_continues():
    rng = nn3.MatlabRNG(1)
    np.testing.assert_allclose(rng.rand(1, 3), MATLAB_RNG1_RAND13, atol=5e-5)
    # The stream continues across calls, like MATLAB's global stream: 3 + 6 draws = rand(1, 9).
    rest = rng.rand(2, 3)
    both = nn3.MatlabRNG(1).rand(1, 9).ravel()
    np.testing.assert_array_equal(rest.ravel(order="F"), both[3:])


def test_rand_initialize_weights_range_and_stream():
    rng = nn3.MatlabRNG(0)
    W = nn3.rand_initialize_weights(3, 2, rng=rng)
    assert W.shape == (2, 4)
    expected = nn3.MatlabRNG(0).rand(2, 4) * 2 * 0.12 - 0.12
    np.testing.assert_array_equal(W, expected)
    assert np.all(np.abs(W) <= 0.12)
    W1 = nn3.rand_initialize_weights(3, 2, epsilon_init=1.0, rng=5)
    np.testing.assert_array_equal(W1, nn3.MatlabRNG(5).rand(2, 4) * 2 - 1)


def test_debug_initialize_weights_is_sin_column_major():
    W = nn3.debug_initialize_weights(2, 2)
    # MATLAB: reshape(sin(1:6), 2, 3) / 10 = [sin(1) sin(3) sin(5); sin(2) sin(4) sin(6)] / 10
    expected = np.array([[np.sin(1), np.sin(3), np.sin(5)], [np.sin(2), np.sin(4), np.sin(6)]])
    np.testing.assert_array_equal(W, expected / 10)
