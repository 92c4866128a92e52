"""nn3.workflow.scaling: featureNormalize, checked by hand and against GNU Octave's mean/std.

Also defines :func:`unscaled_two_feature_set`, the data set of the end-to-end test of
``--normalize`` (importable: ``from test_scaling import unscaled_two_feature_set``).
"""

import shutil
import subprocess

import numpy as np
import pytest

import nn3
from nn3.errors import DataError
from nn3.workflow.scaling import (
    apply_normalization,
    check_normalization,
    feature_normalize,
    normalization_from_variables,
)

OCTAVE = shutil.which("octave-cli")
needs_octave = pytest.mark.needs_octave


def unscaled_two_feature_set(m=100):
    """Two exam-like scores in 30..100 and ``y = x1 + x2 > 130``, as ex2data1 is laid out.

    In MATLAB (``i = (1:m)'``): ``x1 = 30 + mod(37*i, 71); x2 = 30 + mod(53*i + 11, 71);
    X = [x1 x2]; y = double(x1 + x2 > 130);``: integers only, identical in every engine.

    At nn3's defaults (25 hidden units, lambda 1, 50 iterations, seed 0) the network reaches
    82% training accuracy on X as it is and 99% on ``feature_normalize(X)`` (measured in
    ``test_normalizing_changes_the_outcome``); the majority class is 52%.

    Returns
    -------
    X : ndarray of shape (m, 2), float64
    y : ndarray of shape (m, 1), float64, 0/1
    """
    i = np.arange(1, m + 1, dtype=np.int64)[:, None]
    x1 = 30 + (37 * i) % 71
    x2 = 30 + (53 * i + 11) % 71
    return np.hstack([x1, x2]).astype(np.float64), (x1 + x2 > 130).astype(np.float64)


# Hand-worked: column 1 is 1, 2, 4, 8 (sum 15, mean 3.75; squared deviations 7.5625, 3.0625,
# 0.0625, 18.0625, sum 28.75, std sqrt(28.75/3)); column 2 is 30, 40, 45, 47.5 (mean 40.625;
# squared deviations 112.890625, 0.390625, 19.140625, 47.265625, sum 179.6875, std
# sqrt(179.6875/3)).
X4 = np.array([[1.0, 30.0], [2.0, 40.0], [4.0, 45.0], [8.0, 47.5]])


def test_hand_worked_mean_and_std():
    X_norm, mu, sigma = feature_normalize(X4)
    assert mu.shape == (1, 2) and sigma.shape == (1, 2) and X_norm.shape == (4, 2)
    assert mu.tolist() == [[3.75, 40.625]]
    assert sigma[0, 0] == np.sqrt(28.75 / 3) and sigma[0, 1] == np.sqrt(179.6875 / 3)
    assert X_norm[0, 0] == (1.0 - 3.75) / np.sqrt(28.75 / 3)
    assert X_norm[3, 1] == (47.5 - 40.625) / np.sqrt(179.6875 / 3)


def test_constant_feature_keeps_sigma_one():
    # Octave's std([0.1; 0.1; 0.1]) is 1.7e-17 (the mean rounds): the values decide.
    X = np.array([[0.1, 1.0], [0.1, 2.0], [0.1, 3.0]])
    X_norm, mu, sigma = feature_normalize(X)
    assert sigma[0, 0] == 1.0 and sigma[0, 1] == 1.0  # column 2: std of 1, 2, 3 is 1
    assert np.all(np.isfinite(X_norm))
    assert np.all(X_norm[:, 0] == X[:, 0] - mu[0, 0])


def test_single_example_gives_sigma_one():
    X_norm, mu, sigma = feature_normalize(np.array([[3.0, 4.0]]))
    assert mu.tolist() == [[3.0, 4.0]] and sigma.tolist() == [[1.0, 1.0]]
    assert X_norm.tolist() == [[0.0, 0.0]]


def test_apply_normalization_matches_training_scaling():
    X_norm, mu, sigma = feature_normalize(X4)
    assert np.array_equal(apply_normalization(X4, mu, sigma), X_norm)
    new = apply_normalization(np.array([[3.75, 40.625]]), mu.reshape(-1), sigma.reshape(-1))
    assert new.tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize(
    "mu, sigma, problem",
    [
        ([1.0, 2.0], [1.0], "'mu' has 2 values but 'sigma' has 1"),
        ([1.0, 2.0], [1.0, 0.0], "'sigma' holds a value <= 0"),
        ([1.0, np.nan], [1.0, 1.0], "'mu' holds NaN or Inf"),
        (np.ones((2, 2)), [1.0, 1.0], "'mu' must be a numeric vector"),
        ("ab", [1.0, 1.0], "'mu' must be a numeric vector"),
    ],
)
def test_bad_mu_sigma_named(mu, sigma, problem):
    with pytest.raises(DataError) as info:
        check_normalization(mu, sigma, "w.mat")
    assert str(info.value).startswith("w.mat: ") and problem in str(info.value)


def test_feature_count_must_match():
    with pytest.raises(DataError, match="for 2 features but the data have 3"):
        apply_normalization(np.ones((1, 3)), [0.0, 0.0], [1.0, 1.0], "w.mat")


def test_normalization_from_weights_file(tmp_path):
    _, mu, sigma = feature_normalize(X4)
    nn3.save_mat(tmp_path / "w.mat", {"mu": mu, "sigma": sigma, "Theta1": np.ones((1, 3))})
    got = normalization_from_variables(nn3.load_mat(tmp_path / "w.mat"), "w.mat")
    assert np.array_equal(got[0], mu) and np.array_equal(got[1], sigma)
    assert normalization_from_variables({"Theta1": 1}) is None
    with pytest.raises(DataError, match="holds 'mu' but not 'sigma'"):
        normalization_from_variables({"mu": mu}, "w.mat")


def test_bad_X():
    with pytest.raises(DataError, match="NaN or Inf"):
        feature_normalize(np.array([[1.0, np.inf]]))
    with pytest.raises(DataError, match="non-empty 2-D"):
        feature_normalize(np.zeros((0, 2)))


@needs_octave
def test_same_bits_as_octave_mean_and_std(tmp_path):
    # Values with long binary expansions, so that summation order would show.
    i = np.arange(1, 38, dtype=np.float64)[:, None]
    X = np.hstack([np.sqrt(i) * 1e3, np.sin(i) / 7, 1.0 / i, 0.1 + 0 * i])
    nn3.save_mat(tmp_path / "x.mat", {"X": X})
    r = subprocess.run(
        [
            OCTAVE,
            "--no-gui",
            "--norc",
            "--quiet",
            "--eval",
            "load x.mat; mu = mean(X); sigma = std(X); save('-v7', 'o.mat', 'mu', 'sigma');",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    octave = nn3.load_mat(tmp_path / "o.mat")
    _, mu, sigma = feature_normalize(X)
    assert np.array_equal(mu, octave["mu"])
    assert np.array_equal(sigma[:, :3], octave["sigma"][:, :3])
    assert 0 < octave["sigma"][0, 3] < 1e-15 and sigma[0, 3] == 1.0  # the constant column


def test_normalizing_changes_the_outcome():
    X, y = unscaled_two_feature_set()
    assert X.min() >= 30 and X.max() <= 100 and y.mean() == 0.48
    raw = nn3.train(X, y)  # the defaults: 25 hidden, lambda 1, 50 iterations, seed 0
    X_norm, _, _ = feature_normalize(X)
    scaled = nn3.train(X_norm, y)
    assert raw.train_accuracy <= 85.0
    assert scaled.train_accuracy >= 95.0


def test_features_near_the_limits_of_doubles_scale_exactly():
    """Sums of 1e300-sized values overflow and squares of 1e-180 underflow: mu and sigma come
    from the same arithmetic on X ./ 2^e (exact), finite, and X_norm is what the ordinary
    features would give."""
    base = np.array([[1.0, 3.0], [2.0, 5.0], [4.0, 4.0], [8.0, 1.0]])
    X_norm0, mu0, sigma0 = feature_normalize(base)
    for scale in (2.0**1000, 2.0**-600):  # powers of two: the exact answer is known
        X = base * np.array([[scale, 1.0]])
        with np.errstate(all="raise"):  # not a single overflow or underflow escapes
            X_norm, mu, sigma = feature_normalize(X)
        assert mu[0, 0] == mu0[0, 0] * scale and sigma[0, 0] == sigma0[0, 0] * scale
        assert mu[0, 1] == mu0[0, 1] and sigma[0, 1] == sigma0[0, 1]
        assert np.array_equal(X_norm, X_norm0)
        check_normalization(mu, sigma)  # what a weights file must hold: it would load
        assert np.array_equal(apply_normalization(X, mu, sigma), X_norm)


def test_a_feature_whose_std_is_beyond_doubles_is_refused_naming_it():
    X = np.array([[1.0, 1.7e308], [2.0, -1.7e308], [3.0, 1.7e308]])
    with pytest.raises(DataError, match=r"^d\.mat: variable 'X': feature 2 cannot be scaled"):
        feature_normalize(X, path="d.mat")


def test_new_data_far_beyond_the_training_scaling_is_refused():
    mu, sigma = np.array([[0.0]]), np.array([[1e-300]])
    with pytest.raises(DataError, match="feature 1 of the data is too far beyond"):
        apply_normalization(np.array([[1e300]]), mu, sigma, path="w.mat")
