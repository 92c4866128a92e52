"""Held-out evaluation: the stratified, reproducible split and ``nn3 train --holdout``."""

from pathlib import Path

import numpy as np
import pytest
import scipy.io
from click.testing import CliRunner

import nn3
from nn3.cli import cli
from nn3.errors import OptionError
from nn3.workflow.holdout import holdout_split

DATA = Path(__file__).resolve().parent.parent / "data"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_split_sizes_per_label_hand_worked():
    y = np.array([1] * 10 + [2] * 5 + [3] * 1 + [4] * 3).reshape(-1, 1)
    train_idx, test_idx = holdout_split(y, 0.2)
    # floor(0.2 * n + 0.5) per label, at most n - 1: 10 -> 2, 5 -> 1, 1 -> 0, 3 -> 1.
    held = y[test_idx, 0]
    assert [int(np.sum(held == k)) for k in (1, 2, 3, 4)] == [2, 1, 0, 1]
    assert np.array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(19))
    assert np.all(np.diff(test_idx) > 0) and np.all(np.diff(train_idx) > 0)
    # Halves round up; every label keeps a training example.
    _, test_idx = holdout_split([5, 5, 7, 7, 7, 7], 0.25)  # 0.5 -> 1, 1.0 -> 1
    assert test_idx.size == 2
    _, test_idx = holdout_split([1, 1, 2, 2, 2], 0.9)  # 1.8 -> 2 capped at 1, 2.7 -> 3 at 2
    assert test_idx.size == 3


def test_split_is_matlab_sort_rand_per_label():
    """rng(3); for each label k: idx = find(y == k); [~, o] = sort(rand(numel(idx), 1));"""
    y = np.array([2, 1, 2, 2, 1, 1, 1, 2, 1, 2, 2])
    _, test_idx = holdout_split(y, 0.4, seed=3)
    # MATLAB's twister for seed 3 is numpy's RandomState(3) (see nn3.MatlabRNG), one stream.
    u = np.random.RandomState(3).random_sample(11)
    ones, twos = np.flatnonzero(y == 1), np.flatnonzero(y == 2)  # 5 and 6 examples -> 2 and 2
    expected = np.concatenate(
        [ones[np.argsort(u[:5], kind="stable")[:2]], twos[np.argsort(u[5:], kind="stable")[:2]]]
    )
    np.testing.assert_array_equal(test_idx, np.sort(expected))


def test_split_is_reproducible_and_depends_on_the_seed():
    y = nn3.load_mat(DATA / "digits.mat")["y"]
    a = holdout_split(y, 0.2, seed=0)
    b = holdout_split(y, 0.2, seed=0)
    c = holdout_split(y, 0.2, seed=1)
    np.testing.assert_array_equal(a[1], b[1])
    assert a[1].size == c[1].size and not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("fraction", [0, 1, -0.2, 1.5, float("nan")])
def test_split_rejects_fractions_outside_0_1(fraction):
    with pytest.raises(OptionError, match="between 0 and 1"):
        holdout_split([1, 2, 1, 2], fraction)


def test_split_rejects_a_seed_matlab_rng_refuses():
    with pytest.raises(OptionError, match=r"seed must be in 0\.\.4294967295"):
        holdout_split([1, 2, 1, 2], 0.5, seed=-1)


def test_split_with_nothing_to_test_is_an_error():
    with pytest.raises(OptionError, match="leaves none to test on"):
        holdout_split([1, 2, 3, 1, 2, 3], 0.1)


def _plain_predict(Theta1, Theta2, X):
    """predict.m written out: forward pass, then the 1-based index of each row's maximum."""
    m = X.shape[0]
    h1 = 1 / (1 + np.exp(-(np.hstack([np.ones((m, 1)), X]) @ Theta1.T)))
    h2 = 1 / (1 + np.exp(-(np.hstack([np.ones((m, 1)), h1]) @ Theta2.T)))
    if Theta2.shape[0] == 1:
        return (h2[:, 0] >= 0.5).astype(float)
    return np.argmax(h2, axis=1) + 1.0


def test_train_holdout_reports_both_accuracies(tmp_path):
    out = tmp_path / "w.mat"
    r = run("train", DATA / "digits.mat", "--holdout", 0.2, "--maxiter", 8, "--out", out, "-q")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("Training Set Accuracy: ")
    assert lines[1].startswith("Test Set Accuracy: ")
    assert lines[1].endswith("% (359 held-out examples, stratified, seed 0)")

    d = nn3.load_mat(DATA / "digits.mat")
    X, y = d["X"], d["y"][:, 0]
    w = scipy.io.loadmat(out)
    test_idx = w["test_idx"][:, 0].astype(int) - 1  # saved 1-based, as columns
    train_idx = w["train_idx"][:, 0].astype(int) - 1
    assert w["test_idx"].shape == (359, 1) and w["train_idx"].shape == (1797 - 359, 1)
    assert np.array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(1797))
    # Stratified: floor(0.2 * n_k + 0.5) of each digit's n_k examples.
    for k in range(1, 11):
        n_k = int(np.sum(y == k))
        assert int(np.sum(y[test_idx] == k)) == int(np.floor(0.2 * n_k + 0.5))
    # Both accuracies, recomputed from the saved weights with plain formulas.
    T1, T2 = w["Theta1"], w["Theta2"]
    test_acc = 100 * np.mean(_plain_predict(T1, T2, X[test_idx]) == y[test_idx])
    train_acc = 100 * np.mean(_plain_predict(T1, T2, X[train_idx]) == y[train_idx])
    assert w["test_accuracy"][0, 0] == pytest.approx(test_acc, abs=1e-12)
    assert w["train_accuracy"][0, 0] == pytest.approx(train_acc, abs=1e-12)
    assert lines[0] == f"Training Set Accuracy: {train_acc:.2f}%"
    assert lines[1].startswith(f"Test Set Accuracy: {test_acc:.2f}% ")
    assert w["holdout"][0, 0] == 0.2
    # The weights are the core's training on the training rows alone.
    core = nn3.train(X[train_idx], y[train_idx], maxiter=8, num_labels=10)
    np.testing.assert_array_equal(T1, core.Theta1)


def test_train_holdout_binary_labels_and_seed(tmp_path):
    out = tmp_path / "doc.mat"
    r = run("train", DATA / "data.mat", "--hidden", 4, "--lambda", 0, "--maxiter", 20,
            "--holdout", 0.2, "--seed", 5, "--out", out, "-q")  # fmt: skip
    assert r.exit_code == 0, r.output
    # 146 positives -> floor(29.7) = 29, 254 negatives -> floor(51.3) = 51.
    assert "(80 held-out examples, stratified, seed 5)" in r.output
    w = scipy.io.loadmat(out)
    assert w["Theta2"].shape == (1, 5) and w["seed"][0, 0] == 5


@pytest.mark.parametrize("value", ["0", "1", "-0.5", "2"])
def test_train_holdout_bad_fraction_is_a_one_line_error(tmp_path, value):
    r = run("train", DATA / "data.mat", "--holdout", value, "--out", tmp_path / "w.mat")
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        f"nn3: error: --holdout must be a fraction between 0 and 1, got {float(value):g}"
    ]
