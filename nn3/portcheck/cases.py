"""The fixed cases ``nn3 port-check`` runs, and the Octave calls made on them.

Every input is deterministic (no random numbers): weights and data come from
``debugInitializeWeights``-style sines, labels from ``1 + mod(1:m, K)``, as checkNNGradients
builds them. The networks:

- ``debug`` 3-5-3, 5 examples, at lambda 0, 1 and 3 (checkNNGradients' network);
- ``binary`` 2-4-1, 8 examples, 0/1 targets (the source document's network);
- ``odd`` 11-7-5, 13 examples, lambda 1.5 (no two sizes alike, so a transposed or mis-sized
  matrix cannot pass unnoticed);
- ``ex4`` 400-25-10, 60 examples, lambda 1: the shapes of the course's ``ex4weights.mat``
  (Theta1 25x401, Theta2 10x26) with generated data of matching width.
"""

import os
from dataclasses import dataclass

import numpy as np

from ..core.rng import debug_initialize_weights

#: The functions looked for in the user's folder, in the order they are checked.
FUNCTIONS = (
    "sigmoid",
    "sigmoidGradient",
    "costFunction",
    "backpropagation",
    "nnCostFunction",
    "predict",
    "randInitializeWeights",
)

#: The course's epsilon_init in randInitializeWeights.m (nn3's default too).
EPSILON_INIT = 0.12


@dataclass(frozen=True)
class Network:
    """One network case: sizes, lambda and the (column-major) data of the call.

    Attributes
    ----------
    case_id : str
        A MATLAB name for the case (its field in the inputs and in ``--save``'s file).
    label : str
        The case as the table shows it.
    """

    case_id: str
    label: str
    input_size: int
    hidden: int
    labels: int
    m: int
    lambda_: float
    scale: float = 1.0

    def variables(self):
        """The inputs of the case as MATLAB variables (``X`` m x n, ``y`` m x 1, ...)."""
        n, h, K, m = self.input_size, self.hidden, self.labels, self.m
        X = debug_initialize_weights(m, n - 1) * (10 * self.scale)
        idx = np.arange(1, m + 1, dtype=np.float64)
        y = np.mod(idx, 2) if K == 1 else 1 + np.mod(idx, K)
        Theta1 = debug_initialize_weights(h, n) * (10 * self.scale)
        Theta2 = debug_initialize_weights(K, h) * 10
        nn_params = np.concatenate([Theta1.ravel(order="F"), Theta2.ravel(order="F")])
        return {
            "X": X,
            "y": y.reshape(-1, 1),
            "Theta1": Theta1,
            "Theta2": Theta2,
            "nn_params": nn_params.reshape(-1, 1),
            "lambda": float(self.lambda_),
            "input_layer_size": float(n),
            "hidden_layer_size": float(h),
            "num_labels": float(K),
        }


def _net(name, n, h, K, m, lambda_, scale=1.0):
    lam = f"{lambda_:g}".replace(".", "p")
    return Network(
        case_id=f"{name}_lambda{lam}",
        label=f"{name} {n}-{h}-{K} lambda {lambda_:g}",
        input_size=n,
        hidden=h,
        labels=K,
        m=m,
        lambda_=lambda_,
        scale=scale,
    )


#: Network cases for functions that take lambda.
NETWORKS = (
    _net("debug", 3, 5, 3, 5, 0.0),
    _net("debug", 3, 5, 3, 5, 1.0),
    _net("debug", 3, 5, 3, 5, 3.0),
    _net("binary", 2, 4, 1, 8, 1.0),
    _net("odd", 11, 7, 5, 13, 1.5),
    _net("ex4", 400, 25, 10, 60, 1.0, scale=0.1),
)

#: The same networks at lambda 0, for the source document's signatures (no lambda argument).
NETWORKS_NO_LAMBDA = tuple(
    _net(name, n, h, K, m, 0.0, scale)
    for name, n, h, K, m, scale in (
        ("debug", 3, 5, 3, 5, 1.0),
        ("binary", 2, 4, 1, 8, 1.0),
        ("odd", 11, 7, 5, 13, 1.0),
        ("ex4", 400, 25, 10, 60, 0.1),
    )
)

#: Inputs of sigmoid and sigmoidGradient: id -> (label, z).
SIGMOID_INPUTS = {
    "z_matrix": ("z 4x5 from -10 to 10", np.linspace(-10.0, 10.0, 20).reshape(4, 5, order="F")),
    "z_zero": ("z = 0", np.zeros((1, 1))),
    "z_extremes": (
        "z = [-800; -40; -1; 1; 40; 800]",
        np.array([[-800.0], [-40.0], [-1.0], [1.0], [40.0], [800.0]]),
    ),
}

#: randInitializeWeights(L_in, L_out) sizes: id -> (L_in, L_out).
INIT_SIZES = {"init_3_5": (3, 5), "init_400_25": (400, 25), "init_25_10": (25, 10)}


@dataclass(frozen=True)
class Call:
    """One call of a user's function.

    Attributes
    ----------
    function : str
    case_id, case : str
        The case's MATLAB name and its label in the table.
    outputs : tuple of str
        Names of the outputs, in order (``("J", "grad")``).
    args : str
        The Octave argument list, in terms of ``in__.<case_id>.<variable>``.
    with_lambda : bool or None
        ``True``: made only when the function takes a lambda argument (``nargin`` >= 5 or
        varargin); ``False``: only when it does not; ``None``: always.
    nargout : int or None
        How many outputs to ask for when the function declares fewer than ``outputs``
        (``function J = nnCostFunction(...)``); None: all of them.
    """

    function: str
    case_id: str
    case: str
    outputs: tuple
    args: str
    with_lambda: bool | None = None
    nargout: int | None = None


def _arg(case_id, *names):
    return ", ".join(f"in__.{case_id}.{n}" for n in names)


def _network_calls(function):
    if function == "nnCostFunction":
        names = ("nn_params", "input_layer_size", "hidden_layer_size", "num_labels")
        return [
            Call(
                function,
                c.case_id,
                c.label,
                ("J", "grad"),
                _arg(c.case_id, *names, "X", "y", "lambda"),
            )
            for c in NETWORKS
        ]
    if function == "predict":
        seen, calls = set(), []
        for c in NETWORKS:
            if c.label.split()[0] in seen:
                continue
            seen.add(c.label.split()[0])
            label = c.label.rsplit(" lambda", 1)[0]
            calls.append(
                Call(function, c.case_id, label, ("p",), _arg(c.case_id, "Theta1", "Theta2", "X"))
            )
        return calls
    outputs = ("J",) if function == "costFunction" else ("Theta1_grad", "Theta2_grad")
    base = ("X", "y", "Theta1", "Theta2")
    calls = [
        Call(function, c.case_id, c.label, outputs, _arg(c.case_id, *base, "lambda"), True)
        for c in NETWORKS
    ]
    calls += [
        Call(function, c.case_id, c.label, outputs, _arg(c.case_id, *base), False)
        for c in NETWORKS_NO_LAMBDA
    ]
    return calls


def calls_for(functions):
    """The calls made for the given functions, in the order they run.

    Parameters
    ----------
    functions : iterable of str
        Names from :data:`FUNCTIONS`.

    Returns
    -------
    calls : list of Call
    """
    calls = []
    for f in FUNCTIONS:
        if f not in functions:
            continue
        if f in ("sigmoid", "sigmoidGradient"):
            calls += [
                Call(f, k, label, ("g",), f"in__.{k}") for k, (label, _) in SIGMOID_INPUTS.items()
            ]
        elif f == "randInitializeWeights":
            calls += [
                Call(f, k, f"L_in {a}, L_out {b}", ("W",), f"{a}, {b}")
                for k, (a, b) in INIT_SIZES.items()
            ]
        else:
            calls += _network_calls(f)
    return calls


def inputs():
    """Every case's inputs: case id -> MATLAB variables (a struct per network, z per sigmoid).

    Returns
    -------
    variables : dict
    """
    out = {c.case_id: c.variables() for c in NETWORKS + NETWORKS_NO_LAMBDA}
    out.update({k: z for k, (_, z) in SIGMOID_INPUTS.items()})
    return out


def find_functions(folder):
    """The functions of :data:`FUNCTIONS` that ``folder`` holds a ``.m`` file for.

    Parameters
    ----------
    folder : str or os.PathLike

    Returns
    -------
    functions : list of str
        In the order of :data:`FUNCTIONS`.
    """
    names = set(os.listdir(folder))
    return [
        f for f in FUNCTIONS if f + ".m" in names and os.path.isfile(os.path.join(folder, f + ".m"))
    ]
