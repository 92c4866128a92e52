"""Which files are exercise 4's functions, and which cases lie outside a function's contract.

A folder may hold the whole course: logistic regression's ``costFunction(theta, X, y)`` and
``predict(theta, X)`` have the names of functions nn3 checks but are other functions. They are
recognised by their signature (the number of inputs and outputs, and parameter names such as
``theta``) and reported as not checked, never as failures.

Exercise 4's ``nnCostFunction`` and ``predict`` take labels ``1..K`` with ``K >= 2``: code that
builds one-hot targets by indexing with ``y`` (``Y = I(y, :)``) or picks the largest of the
outputs (``[~, p] = max(h, [], 2)``) is right for every network of the exercise and cannot work
on the 0/1 labels and single output unit of the source document's binary network. That case is
outside their contract: when it does not agree it is reported as such and counted as neither
agreeing nor differing. The source document's own ``costFunction`` and ``backpropagation`` are
written for that binary network, so for them it counts.
"""

import os
from dataclasses import dataclass

from . import source

#: The functions looked for in a folder, in the order they are checked (see cases.FUNCTIONS).
EX4_SIGNATURES = {
    "sigmoid": "g = sigmoid(z)",
    "sigmoidGradient": "g = sigmoidGradient(z)",
    "costFunction": "J = costFunction(X, y, Theta1, Theta2[, lambda])",
    "backpropagation": (
        "[Theta1_grad, Theta2_grad] = backpropagation(X, y, Theta1, Theta2[, lambda])"
    ),
    "nnCostFunction": (
        "[J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, "
        "num_labels, X, y, lambda)"
    ),
    "predict": "p = predict(Theta1, Theta2, X)",
    "randInitializeWeights": "W = randInitializeWeights(L_in, L_out)",
}

#: Accepted numbers of inputs per function (a trailing varargin accepts any).
_NARGIN = {
    "sigmoid": (1,),
    "sigmoidGradient": (1,),
    "costFunction": (4, 5),
    "backpropagation": (4, 5),
    "nnCostFunction": (7,),
    "predict": (3,),
    "randInitializeWeights": (2, 3),
}

#: What another exercise's file of the same name usually is, by its number of inputs.
_KNOWN_OTHERS = {
    ("costFunction", 3): "logistic regression's cost (exercise 2)",
    ("predict", 2): "logistic regression's predict (exercise 2)",
}

#: Parameter names that belong to logistic regression (one parameter vector), not to a network.
_LOGISTIC_NAMES = {"theta", "all_theta", "obj", "self"}


@dataclass(frozen=True)
class Outside:
    """A case outside a function's contract, and how a result there is explained.

    Attributes
    ----------
    contract : str
        What the case is and what the function was written for.
    index_error : str
        Why such code fails there with an index error (label 0 used as an index); said only
        for that error.
    values : str
        Why such code gives other values there; said only for a numeric difference.
    """

    contract: str
    index_error: str = ""
    values: str = ""

    def explain(self, what, happened="values"):
        """The row's explanation: the contract, the reason that applies, and what happened.

        Parameters
        ----------
        what : str
            What happened (the error, or the first difference and its likely cause).
        happened : {"values", "index_error", "error"}
            The call returned other values; failed with an index 0 or below; failed otherwise
            (then only the error is said: the labels are not its cause).
        """
        why = {"index_error": self.index_error, "values": self.values}.get(happened, "")
        why = f", and {why}" if why else ""
        return f"{self.contract}{why}. Not counted; here: {what}"


#: Cases (by network name) outside a function's contract.
OUTSIDE = {
    ("nnCostFunction", "binary"): Outside(
        "outside ex4's contract (0/1 labels, one output unit): exercise 4's nnCostFunction "
        "takes labels 1..K with K >= 2",
        index_error="one-hot targets built by indexing with y cannot take label 0",
    ),
    ("predict", "binary"): Outside(
        "outside ex4's contract (0/1 labels, one output unit): exercise 4's predict returns "
        "the index of the largest of K >= 2 outputs",
        values="that is 1 for every row when there is one output (nn3 predicts h >= 0.5 there)",
    ),
}


@dataclass(frozen=True)
class FileCheck:
    """Whether a folder's ``<function>.m`` is checked, and why not.

    Attributes
    ----------
    function : str
    signature : source.Signature or None
        None for a script or a file whose first line could not be read as a function.
    reason : str
        Empty when the file is checked; else the message (``costFunction.m here is another
        function (theta, X, y): not checked``).
    """

    function: str
    signature: source.Signature | None
    reason: str = ""

    @property
    def checked(self):
        return not self.reason

    @property
    def outputs(self):
        """How many outputs to ask for (fewer than nn3's when the function declares fewer)."""
        sig = self.signature
        if sig is None or (sig.outputs and sig.outputs[-1] == "varargout"):
            return None
        return len(sig.outputs)


def _other(function, sig, why):
    return FileCheck(
        function,
        sig,
        f"{function}.m here is another function ({', '.join(sig.inputs)}){why}: "
        f"not checked (exercise 4's is {EX4_SIGNATURES[function]})",
    )


def check_file(folder, function):
    """Read ``folder/<function>.m`` and decide whether it is exercise 4's function.

    Returns
    -------
    check : FileCheck
    """
    path = os.path.join(folder, function + ".m")
    try:
        sig = source.read_signature(path)
    except OSError as exc:
        return FileCheck(function, None, f"{function}.m cannot be read ({exc.strerror})")
    if sig is None:
        return FileCheck(function, None, f"{function}.m is a script, not a function: not checked")
    if sig.varargin:
        return FileCheck(function, sig)
    n = len(sig.inputs)
    lowered = [p.lower() for p in sig.inputs]
    known = _KNOWN_OTHERS.get((function, n))
    if known:
        return _other(function, sig, f", {known}")
    if n not in _NARGIN[function]:
        return _other(function, sig, "")
    if function != "randInitializeWeights" and _LOGISTIC_NAMES & set(lowered):
        return _other(function, sig, ", a logistic regression function")
    if function == "nnCostFunction":
        # The arguments are passed by position: another order is another function.
        if ("x" in lowered and lowered.index("x") != 4) or ("y" in lowered and lowered[5] != "y"):
            return _other(function, sig, ", its arguments in another order")
    return FileCheck(function, sig)


def outside_contract(function, case_id):
    """The :class:`Outside` when ``case_id`` is outside ``function``'s contract, else None."""
    return OUTSIDE.get((function, case_id.split("_")[0]))
