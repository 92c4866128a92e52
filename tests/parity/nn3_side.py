"""nn3's own values for every reference output file, to compare with parity.TOLERANCES.

``PRODUCERS[name](ref)`` takes the reference file's variables (``load_mat`` of
``matlab_ref/outputs/<name>``) and returns what nn3 computes for them, by the names the file uses.
Only the generator's inputs are taken from ``ref`` (random weights, sizes, lambda, starting
points); everything nn3 can compute itself is computed (the debug network and its gradient
check, the unrolled parameters, the fmincg starting vector). Results are cached: the fmincg runs
are shared by several tests.
"""

import functools
import os
from pathlib import Path

import numpy as np
from parity import REFERENCE_DIR  # matlab_ref/parity.py

import nn3
from nn3.core.gradcheck import debug_problem

ROOT = Path(__file__).resolve().parents[2]
#: The reference files nn3 is compared with: the committed Octave outputs, or another folder
#: written by make_reference (for instance in MATLAB) named by $NN3_PARITY_OUTPUTS.
OUTPUTS = Path(os.environ.get("NN3_PARITY_OUTPUTS", REFERENCE_DIR)).resolve()
COMMITTED = OUTPUTS == REFERENCE_DIR.resolve()


@functools.cache
def reference(name):
    """The variables of ``matlab_ref/outputs/<name>``."""
    return nn3.load_mat(OUTPUTS / name)


@functools.cache
def data(data_file):
    """``X`` and ``y`` of a bundled data file (``data_file`` as the reference records it)."""
    d = nn3.load_mat(ROOT / data_file)
    return d["X"], d["y"]


def scalar(value):
    return np.asarray(value).reshape(()).item()


def sizes(ref):
    return tuple(
        int(scalar(ref[k])) for k in ("input_layer_size", "hidden_layer_size", "num_labels")
    )


def rosenbrock(x):
    """matlab_ref/rosenbrock.m: ``100 (x2 - x1^2)^2 + (1 - x1)^2`` and its gradient."""
    f = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    g = np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])
    return f, g


def sigmoid_file(ref):
    z = ref["z"]
    return {"sigmoid_z": nn3.sigmoid(z), "sigmoidGradient_z": nn3.sigmoid_gradient(z)}


def network_values(X, y, Theta1, Theta2, lambdas):
    """Cost, gradients, predictions: the common variables of the cost_*.mat files."""
    out = {"nn_params": nn3.unroll(Theta1, Theta2), "m": X.shape[0]}
    il, hl, K = Theta1.shape[1] - 1, Theta1.shape[0], Theta2.shape[0]
    for lam in lambdas:
        tag = f"lambda{lam:g}"
        out[f"J_{tag}"] = nn3.cost_function(X, y, Theta1, Theta2, lambda_=lam)
        g1, g2 = nn3.backpropagation(X, y, Theta1, Theta2, lambda_=lam)
        out[f"Theta1_grad_{tag}"], out[f"Theta2_grad_{tag}"] = g1, g2
        out[f"grad_{tag}"] = nn3.nn_cost_function(out["nn_params"], il, hl, K, X, y, lam)[1]
    out["pred"] = nn3.predict(Theta1, Theta2, X)
    out["train_accuracy"] = nn3.accuracy(out["pred"], y)
    return out


def cost_file(ref):
    X, y = data(ref["data_file"])
    return network_values(X, y, ref["Theta1"], ref["Theta2"], ref["lambdas"].reshape(-1))


def cost_debug353(ref):
    # ex4's checkNNGradients network and gradient check, built by nn3 alone.
    nn_params, X, y = debug_problem()
    Theta1, Theta2 = nn3.roll(nn_params, 3, 5, 3)
    lambdas = ref["lambdas"].reshape(-1)
    out = network_values(X, y, Theta1, Theta2, lambdas)
    out.update(Theta1=Theta1, Theta2=Theta2, X=X, y=y)
    for lam in lambdas:
        check = nn3.check_nn_gradients(lam)
        out[f"numgrad_lambda{lam:g}"] = check.numgrad
        out[f"numgrad_reldiff_lambda{lam:g}"] = check.relative_difference
    return out


def fmincg_rosenbrock(ref):
    res = nn3.fmincg(rosenbrock, ref["x0"], maxiter=int(scalar(ref["MaxIter"])))
    return {"x": res.x, "fX": res.fun_history, "i": res.nit, "n_evals": res.nfev}


def fmincg_network(cost_name):
    """Producer for an fmincg_*.mat file that starts from the weights of ``cost_name``."""

    def produce(ref, objective=None):
        start = reference(cost_name)
        X, y = data(ref["data_file"])
        il, hl, K = sizes(ref)
        lam = float(scalar(ref["lambda"]))
        if objective is None:
            objective = nn3.make_objective(X, y, il, hl, K, lam)
        initial = nn3.unroll(start["Theta1"], start["Theta2"])
        res = nn3.fmincg(objective, initial, maxiter=int(scalar(ref["max_iter"])))
        Theta1, Theta2 = nn3.roll(res.x, il, hl, K)
        out = {
            "initial_params": initial,
            "final_params": res.x,
            "fX": res.fun_history,
            "i": res.nit,
            "n_evals": res.nfev,
            "J_final": objective(res.x)[0],
            "pred": nn3.predict(Theta1, Theta2, X),
        }
        out["train_accuracy"] = nn3.accuracy(out["pred"], y)
        if "x_new" in ref:
            out["Theta1"], out["Theta2"] = Theta1, Theta2
            out["h_new"] = nn3.predict_proba(Theta1, Theta2, ref["x_new"])
            out["p_new"] = nn3.predict(Theta1, Theta2, ref["x_new"])
        return out

    return produce


PRODUCERS = {
    "sigmoid.mat": sigmoid_file,
    "cost_doc241.mat": cost_file,
    "cost_digits.mat": cost_file,
    "cost_debug353.mat": cost_debug353,
    "fmincg_rosenbrock.mat": fmincg_rosenbrock,
    "fmincg_doc241.mat": fmincg_network("cost_doc241.mat"),
    "fmincg_digits_5.mat": fmincg_network("cost_digits.mat"),
    "fmincg_digits_50.mat": fmincg_network("cost_digits.mat"),
}


@functools.cache
def nn3_values(name):
    """nn3's values for the reference file ``name`` (computed once per test session)."""
    return PRODUCERS[name](reference(name))
