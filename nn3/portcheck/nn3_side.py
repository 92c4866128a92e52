"""What nn3 computes for each call, and the same with known faults, for hints.

:func:`expected` is nn3's answer (its public functions, MATLAB shapes). :func:`variants` are
cheap re-computations with one fault each (a regularised bias column, no regularisation, labels
shifted by one, ...); when a user's output matches one of them, the report names the fault.
The variants use a plain numpy forward and backward pass, which agrees with nn3 to rounding.
"""

import numpy as np

from ..core.activations import sigmoid, sigmoid_gradient
from ..core.network import (
    backpropagation,
    cost_function,
    nn_cost_function,
    predict,
    predict_proba,
)
from .cases import INIT_SIZES


def _network(inp):
    il, hl, K = (int(inp[k]) for k in ("input_layer_size", "hidden_layer_size", "num_labels"))
    return il, hl, K


def expected(call, inputs):
    """nn3's outputs for ``call``, in MATLAB's shapes (``J`` 1x1, ``grad`` n x 1, ...).

    Parameters
    ----------
    call : Call
    inputs : dict
        :func:`cases.inputs`.

    Returns
    -------
    outputs : dict
        Output name to ndarray; empty for randInitializeWeights (random: checked by its range).
    """
    f = call.function
    if f in ("sigmoid", "sigmoidGradient"):
        z = inputs[call.case_id]
        return {"g": (sigmoid if f == "sigmoid" else sigmoid_gradient)(z)}
    if f == "randInitializeWeights":
        return {}
    inp = inputs[call.case_id]
    X, y, T1, T2 = inp["X"], inp["y"], inp["Theta1"], inp["Theta2"]
    lam = inp["lambda"] if call.with_lambda is not False else 0.0
    if f == "predict":
        return {"p": predict(T1, T2, X).reshape(-1, 1)}
    if f == "costFunction":
        return {"J": np.array([[cost_function(X, y, T1, T2, lam)]])}
    if f == "backpropagation":
        g1, g2 = backpropagation(X, y, T1, T2, lam)
        return {"Theta1_grad": g1, "Theta2_grad": g2}
    J, grad = nn_cost_function(inp["nn_params"], *_network(inp), X, y, lam)
    return {"J": np.array([[J]]), "grad": grad.reshape(-1, 1)}


def _forward_backward(
    X,
    Y,
    T1,
    T2,
    lam,
    reg_bias=False,
    reg_factor=1.0,
    data_scale=None,
    cost_reg=True,
    grad_reg=True,
):
    """J and gradients with target matrix ``Y`` (m x K, or broadcast), plain numpy.

    ``data_scale`` replaces the 1/m of the data terms (1.0: a missing division by m);
    ``cost_reg`` and ``grad_reg`` say whether lambda's terms are added to J and to the
    gradients.
    """
    m = X.shape[0]
    scale = 1.0 / m if data_scale is None else data_scale
    a1 = np.hstack([np.ones((m, 1)), X])
    a2 = np.hstack([np.ones((m, 1)), sigmoid(a1 @ T1.T)])
    h = sigmoid(a2 @ T2.T)
    J = float(np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h))) * scale
    d3 = h - Y
    d2 = (d3 @ T2[:, 1:]) * a2[:, 1:] * (1 - a2[:, 1:])
    g1, g2 = d2.T @ a1 * scale, d3.T @ a2 * scale
    first = 0 if reg_bias else 1
    W1, W2 = T1[:, first:], T2[:, first:]
    if cost_reg:
        J += reg_factor * lam / (2 * m) * (float(np.sum(W1 * W1)) + float(np.sum(W2 * W2)))
    if grad_reg:
        g1[:, first:] += lam / m * W1
        g2[:, first:] += lam / m * W2
    return J, g1, g2


def _one_hot(y, K, shift=0):
    labels = np.mod(y.reshape(-1).astype(int) - 1 + shift, K) + 1
    return (labels[:, None] == np.arange(1, K + 1)).astype(float)


def _as_outputs(function, J, g1, g2, order="F"):
    if function == "costFunction":
        return {"J": np.array([[J]])}
    if function == "backpropagation":
        return {"Theta1_grad": g1, "Theta2_grad": g2}
    grad = np.concatenate([g1.ravel(order=order), g2.ravel(order=order)]).reshape(-1, 1)
    return {"J": np.array([[J]]), "grad": grad}


def _network_variants(call, inp):
    X, y, T1, T2 = inp["X"], inp["y"], inp["Theta1"], inp["Theta2"]
    il, hl, K = _network(inp)
    lam = inp["lambda"] if call.with_lambda is not False else 0.0
    Y = y.astype(float) if K == 1 else _one_hot(y, K)
    f = call.function
    out = []
    if lam != 0:
        out.append(
            (
                "the bias column is regularised: the lambda terms must skip column 1 of "
                "Theta1 and Theta2 (use Theta(:, 2:end))",
                _as_outputs(f, *_forward_backward(X, Y, T1, T2, lam, reg_bias=True)),
            )
        )
        out.append(
            (
                "regularisation is missing from both the cost and the gradient: lambda is not used"
                if f == "nnCostFunction"
                else "regularisation is missing: lambda is not used",
                _as_outputs(f, *_forward_backward(X, Y, T1, T2, 0.0)),
            )
        )
        if f == "nnCostFunction":
            # one of the two regularised: the report keeps the variant that matches J and grad
            out.append(
                (
                    "the gradient is not regularised (the cost is): add lambda / m * "
                    "Theta1(:, 2:end) and Theta2(:, 2:end) to columns 2:end of Theta1_grad and "
                    "Theta2_grad (if such a term is there, it adds 0: a misspelt variable?)",
                    _as_outputs(f, *_forward_backward(X, Y, T1, T2, lam, grad_reg=False)),
                )
            )
            out.append(
                (
                    "the cost is not regularised (the gradient is): add lambda / (2m) times the "
                    "sum of the squares of Theta1(:, 2:end) and Theta2(:, 2:end) to J",
                    _as_outputs(f, *_forward_backward(X, Y, T1, T2, lam, cost_reg=False)),
                )
            )
        for factor, what in ((2.0, "lambda/m"), (0.5, "lambda/(4m)")):
            out.append(
                (
                    f"the cost's regularisation term uses {what} instead of lambda/(2m)",
                    _as_outputs(f, *_forward_backward(X, Y, T1, T2, lam, reg_factor=factor)),
                )
            )
    out.append(
        (
            "the data term is not divided by m (the 1/m of the cost's sum, or of the "
            "accumulated Delta in the gradient, is missing)",
            _as_outputs(f, *_forward_backward(X, Y, T1, T2, lam, data_scale=1.0)),
        )
    )
    if K >= 2:
        for shift in (1, -1):
            out.append(
                (
                    f"off-by-one label: label k must set column k of Y (Y = (y == 1:K)); "
                    f"here it sets column k{shift:+d}",
                    _as_outputs(f, *_forward_backward(X, _one_hot(y, K, shift), T1, T2, lam)),
                )
            )
        out.append(
            (
                "y is used as the target directly: with K >= 2 outputs, labels 1..K must become "
                "one-hot rows, Y = (y == 1:K) (the source document's code handles one output "
                "unit only)",
                _as_outputs(f, *_forward_backward(X, y.astype(float), T1, T2, lam)),
            )
        )
    if f == "nnCostFunction":
        p = inp["nn_params"].reshape(-1)
        n1 = hl * (il + 1)
        R1, R2 = p[:n1].reshape(hl, il + 1), p[n1:].reshape(K, hl + 1)
        J, g1, g2 = _forward_backward(X, Y, R1, R2, lam)
        hint = (
            "nn_params is unrolled row by row: [Theta1(:); Theta2(:)] and "
            "reshape(nn_params(1:n1), hidden, input + 1) go column by column"
        )
        out.append((hint, _as_outputs(f, J, g1, g2, order="C")))
        out.append((hint, _as_outputs(f, J, g1, g2, order="F")))
        J, g1, g2 = _forward_backward(X, Y, T1, T2, lam)
        out.append(
            (
                "grad is unrolled row by row (Theta1_grad' unrolled): [Theta1_grad(:); "
                "Theta2_grad(:)] goes column by column",
                _as_outputs(f, J, g1, g2, order="C"),
            )
        )
    return out


def variants(call, inputs):
    """Outputs of ``call`` with one known fault each, for the report's hints.

    Returns
    -------
    variants : list of (str, dict)
        A hint naming the fault, and the outputs it gives (output name to ndarray).
    """
    f = call.function
    if f == "sigmoid":
        z = inputs[call.case_id]
        return [("a sign error: sigmoid is 1 ./ (1 + exp(-z))", {"g": sigmoid(-z)})]
    if f == "sigmoidGradient":
        z = inputs[call.case_id]
        return [
            (
                "the formula is applied to z, not to sigmoid(z): "
                "g = s .* (1 - s) with s = sigmoid(z)",
                {"g": z * (1 - z)},
            ),
            ("it returns sigmoid(z), not its derivative", {"g": sigmoid(z)}),
        ]
    if f == "randInitializeWeights":
        return []
    if f == "predict":
        p = expected(call, inputs)["p"]
        if p.size and inputs[call.case_id]["Theta2"].shape[0] == 1:
            return [
                (
                    "one output unit: max over one column gives 1 for every row; nn3 (and the "
                    "source document's binary case) predicts double(h >= 0.5)",
                    {"p": np.ones_like(p)},
                )
            ]
        return [
            (
                f"off-by-one label: p must be the 1-based index of the largest output "
                f"([~, p] = max(h, [], 2)); here it is {d:+d}",
                {"p": p + d},
            )
            for d in (-1, 1)
        ]
    return _network_variants(call, inputs[call.case_id])


def largest_outputs(call, inputs):
    """``max(h, [], 2)`` of a predict call: the largest output of each row (m x 1)."""
    inp = inputs[call.case_id]
    h = predict_proba(inp["Theta1"], inp["Theta2"], inp["X"])
    return np.max(h, axis=1).reshape(-1, 1)


def init_size(call):
    """``(L_in, L_out)`` of a randInitializeWeights call."""
    return INIT_SIZES[call.case_id]
