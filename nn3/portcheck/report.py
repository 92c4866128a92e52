"""Differences, verdicts and hints: the result of ``nn3 port-check``.

Agreement: a numeric output agrees when it has nn3's size and its largest difference from nn3's,
``max|Octave - nn3|``, is at most :data:`RTOL` times nn3's largest element (NaN equals NaN in the
same place; a NaN or Inf anywhere else is a difference). The two engines add sums in different
orders (BLAS, loops) and nn3's vectorised ``exp`` can differ from libm's by one ulp, which moves
results by about 1e-15 of their size; every fault this check names moves them by 1e-4 or more.
Labels from ``predict`` must be equal.
"""

import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import Nn3Error
from . import cases, nn3_side, octave

#: Largest difference, relative to the largest element, that still agrees.
RTOL = 1e-9

AGREES = "agrees"


@dataclass
class Row:
    """One line of the table, and the line explaining it when it does not agree."""

    function: str
    case: str
    difference: str
    verdict: str
    detail: str = ""

    @property
    def ok(self):
        return self.verdict == AGREES


@dataclass
class PortCheckReport:
    """The outcome of :func:`port_check`.

    Attributes
    ----------
    folder : str
    functions : list of str
        The functions found and checked.
    octave_version : str or None
    rows : list of Row
    saved : dict
        The Octave outputs, for ``--save`` (see :func:`saved_variables`).
    """

    folder: str
    functions: list
    octave_version: str | None
    rows: list = field(default_factory=list)
    saved: dict = field(default_factory=dict)

    @property
    def passed(self):
        """True when every check agrees."""
        return all(r.ok for r in self.rows)

    def format_table(self):
        """The report as text: the table, a line per disagreement, and the summary."""
        names = ", ".join(f + ".m" for f in self.functions)
        lines = [f"Checking {self.folder} in GNU Octave {self.octave_version}: {names}"]
        table = [("function", "case", "largest difference", "verdict")]
        table += [(r.function, r.case, r.difference, r.verdict) for r in self.rows]
        widths = [max(len(t[i]) for t in table) for i in range(4)]
        for t in table:
            lines.append("  ".join(c.ljust(w) for c, w in zip(t, widths, strict=True)).rstrip())
        lines += [f"{r.function}, {r.case}: {r.detail}" for r in self.rows if r.detail]
        lines.append(
            f"Agreement: largest |Octave - nn3| <= {RTOL:g} x largest |nn3| element "
            "(summation order and exp's last bit differ between engines by ~1e-15); "
            "sizes and predicted labels exactly; randInitializeWeights by size and range "
            f"(|W| <= {cases.EPSILON_INIT:g})"
        )
        bad = [r for r in self.rows if not r.ok]
        if not bad:
            lines.append(f"OK: all {len(self.rows)} checks agree with nn3")
        else:
            funcs = ", ".join(dict.fromkeys(r.function for r in bad))
            lines.append(f"FAILED: {len(bad)} of {len(self.rows)} checks do not agree ({funcs})")
        return "\n".join(lines)


def _numeric(value):
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.ndim == 2:
        return value.astype(np.float64)
    return None


def _size(shape):
    return "x".join(str(d) for d in shape)


def _describe(value):
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a struct"
    if isinstance(value, str):
        return "a char array"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of size {_size(value.shape)}"
    return f"a {type(value).__name__}"


def _differences(a, e):
    """Element-wise |a - e| with NaN == NaN, and inf where only one side is non-finite."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(a - e)
    same = (a == e) | (np.isnan(a) & np.isnan(e))
    d[same] = 0.0
    d[np.isnan(d)] = np.inf
    return d


def _scale(e):
    finite = np.abs(e[np.isfinite(e)])
    largest = float(finite.max()) if finite.size else 0.0
    return largest if largest > 0 else 1.0


def _element(name, shape, flat):
    """MATLAB notation for the element at column-major position ``flat`` (0-based)."""
    if shape == (1, 1):
        return name
    if 1 in shape:
        return f"{name}({flat + 1})"
    i, j = np.unravel_index(flat, shape, order="F")
    return f"{name}({i + 1}, {j + 1})"


def _grad_position(flat, inp):
    """``Theta1_grad(i, j)`` or ``Theta2_grad(i, j)`` for position ``flat`` of unrolled grad."""
    il, hl, K = (int(inp[k]) for k in ("input_layer_size", "hidden_layer_size", "num_labels"))
    n1 = hl * (il + 1)
    if flat < n1:
        return _element("Theta1_grad", (hl, il + 1), flat), flat % hl == flat
    return _element("Theta2_grad", (K, hl + 1), flat - n1), flat - n1 < K


@dataclass
class _Output:
    """The comparison of one output: relative difference and where it first exceeds the limit."""

    rel: float
    failing: np.ndarray  # column-major flat indices of differing elements
    shape_error: str = ""


def _compare(actual, expected, exact=False):
    a = _numeric(actual)
    if a is None:
        return _Output(np.inf, np.array([], dtype=int), f"returns {_describe(actual)}")
    if a.shape != expected.shape:
        return _Output(np.inf, np.array([], dtype=int), f"size {_size(a.shape)}")
    d = _differences(a, expected).ravel(order="F")
    scale = _scale(expected)
    limit = 0.0 if exact else RTOL * scale
    return _Output(float(d.max(initial=0.0)) / scale, np.flatnonzero(d > limit))


def _size_hint(name, actual, expected):
    a = getattr(actual, "shape", None)
    e = expected.shape
    if a == e[::-1]:
        if name == "grad" or name == "p":
            return f"{name} is a row; it must be a column ({_size(e)})"
        return "transposed"
    if name == "J" and a is not None and len(a) == 2 and a[0] == 1:
        return "J must be one number: sum over both dimensions, sum(sum(...))"
    return ""


def _ratio_hint(a, e):
    mask = np.abs(e) > 1e-12 * _scale(e)
    if not mask.any():
        return ""
    r = a[mask] / e[mask]
    c = float(np.median(r))
    if c != 1.0 and np.all(np.abs(r - c) <= 1e-9 * abs(c)):
        return f"off by a constant factor {c:.6g} (a missing or extra division by m?)"
    return ""


def _fault_hints(call, result, exp, inputs):
    hints = []
    for hint, outs in nn3_side.variants(call, inputs):
        shared = [n for n in exp if n in outs and _numeric(result.outputs.get(n)) is not None]
        if not shared or all(_compare(result.outputs[n], exp[n]).rel <= RTOL for n in shared):
            continue
        if all(
            _compare(result.outputs[n], outs[n], exact=call.function == "predict").failing.size == 0
            for n in shared
        ):
            hints.append(hint)
    return list(dict.fromkeys(hints))


def _structural_hints(name, call, actual, expected, failing, inputs):
    hints = []
    a = _numeric(actual)
    if not np.all(np.isfinite(a.ravel(order="F")[failing])):
        hints.append("NaN or Inf where nn3 has a number (exp overflow? log(0)?)")
    if name in ("Theta1_grad", "Theta2_grad"):
        rows = expected.shape[0]
        if np.all(failing < rows):
            hints.append(f"differences only in the bias column (column 1) of {name}")
    elif name == "grad":
        inp = inputs[call.case_id]
        if all(_grad_position(int(k), inp)[1] for k in failing):
            hints.append("differences only in the bias columns (column 1 of Theta1 and Theta2)")
    if not hints:
        ratio = _ratio_hint(a, expected)
        if ratio:
            hints.append(ratio)
    return hints


def _first_difference(name, call, actual, expected, failing, inputs):
    k = int(failing[0])
    where = _element(name, expected.shape, k)
    if name == "grad":
        where += " = " + _grad_position(k, inputs[call.case_id])[0]
    a = _numeric(actual).ravel(order="F")[k]
    e = expected.ravel(order="F")[k]
    return f"{where}: Octave {a:.17g}, nn3 {e:.17g}"


def _numbers_row(call, result, inputs):
    exp = nn3_side.expected(call, inputs)
    exact = call.function == "predict"
    compared = {n: _compare(result.outputs.get(n), e, exact) for n, e in exp.items()}
    worst = max(c.rel for c in compared.values())
    diff = "-" if not np.isfinite(worst) else f"{worst:.1e}"
    bad = [(n, c) for n, c in compared.items() if c.shape_error or c.failing.size]
    printed = result.printed.strip()
    if not bad:
        if printed:
            first = printed.splitlines()[0][:60]
            detail = f"prints {first!r} (a line without a semicolon?); the numbers agree"
            return Row(call.function, call.case, diff, "PRINTS", detail)
        return Row(call.function, call.case, diff, AGREES)
    name, c = bad[0]
    if c.shape_error:
        hint = _size_hint(name, result.outputs.get(name), exp[name])
        detail = f"{name}: {c.shape_error}, nn3's is {_size(exp[name].shape)}"
        verdict = "WRONG SIZE"
        hints = [hint] if hint else []
    else:
        detail = "first difference " + _first_difference(
            name, call, result.outputs[name], exp[name], c.failing, inputs
        )
        verdict = "DIFFERS"
        hints = _fault_hints(call, result, exp, inputs) or _structural_hints(
            name, call, result.outputs[name], exp[name], c.failing, inputs
        )
    if hints:
        detail += ". Likely cause: " + "; or ".join(hints)
    if printed:
        detail += " (it also prints)"
    return Row(call.function, call.case, diff, verdict, detail)


def _init_row(call, result):
    L_in, L_out = nn3_side.init_size(call)
    W = _numeric(result.outputs.get("W"))
    want = (L_out, 1 + L_in)
    row = Row(call.function, call.case, "-", AGREES)
    if W is None or W.shape != want:
        got = _describe(result.outputs.get("W")) if W is None else f"size {_size(W.shape)}"
        hint = " (transposed)" if W is not None and W.shape == want[::-1] else ""
        row.verdict, row.detail = "WRONG SIZE", f"W: {got}, expected {_size(want)}{hint}"
        return row
    eps = cases.EPSILON_INIT
    top = float(np.max(np.abs(W))) if np.all(np.isfinite(W)) else np.inf
    row.difference = f"max |W| {top:.4g}"
    problem = ""
    if top > eps:
        problem = f"max |W| is {top:.4g}, above epsilon_init = {eps:g}"
        if 0.5 < top <= 1.0:
            problem += (
                ": the rand(...) * 2 - 1 range (epsilon 1, the source document's); use "
                f"rand(L_out, 1 + L_in) * 2 * {eps:g} - {eps:g}"
            )
        elif abs(top - np.sqrt(6) / np.sqrt(L_in + L_out)) < 0.1 * top:
            problem += (
                ": epsilon = sqrt(6)/sqrt(L_in + L_out); nn3 uses a fixed epsilon "
                f"(nn3 train --epsilon, default {eps:g})"
            )
    elif np.all(W >= 0):
        problem = f"every weight is >= 0: use rand(...) * 2 * {eps:g} - {eps:g}, not rand * {eps:g}"
    elif top < 0.5 * eps or np.ptp(W) == 0:
        problem = f"the weights span only +-{top:.4g}, not +-{eps:g} (symmetry barely broken)"
    if problem:
        row.verdict, row.detail = "DIFFERS", problem
    if result.printed.strip() and not problem:
        row.verdict = "PRINTS"
        row.detail = f"prints {result.printed.strip().splitlines()[0][:60]!r}; the range is right"
    return row


_STATUS = {"error": "ERROR", "timeout": "TIME LIMIT", "exited": "EXITED", "not run": "NOT RUN"}


def evaluate(call, result, inputs):
    """The table row of one call, or None for a call that does not apply (signature).

    Parameters
    ----------
    call : Call
    result : CallResult
    inputs : dict

    Returns
    -------
    row : Row or None
    """
    if result.status == "skipped":
        return None
    if result.status != "ok":
        message = result.message.splitlines()[0] if result.message else result.status
        if result.status == "error" and "undefined" in message:
            message += " (is a function it calls missing from the folder?)"
        return Row(call.function, call.case, "-", _STATUS[result.status], message)
    if call.function == "randInitializeWeights":
        return _init_row(call, result)
    return _numbers_row(call, result, inputs)


def saved_variables(calls, results, inputs):
    """The Octave outputs as MATLAB variables, for ``--save``.

    ``outputs.<function>.<case>.<output>`` holds every output and ``inputs.<case>`` the inputs.
    For the README's regression-test recipe, the 400-25-10 case at lambda 1 is also at the top
    level: ``X``, ``y``, ``Theta1``, ``Theta2``, ``lambda`` and, where the functions ran, ``J``
    and ``grad`` (nnCostFunction) and ``p`` (predict).

    Returns
    -------
    variables : dict
    """
    outputs = {}
    for call, res in zip(calls, results, strict=True):
        if res.status == "ok":
            outputs.setdefault(call.function, {})[call.case_id] = dict(res.outputs)
    used = {call.case_id for call in calls if call.case_id in inputs}
    variables = {"inputs": {k: inputs[k] for k in sorted(used)}, "outputs": outputs}
    ex4 = "ex4_lambda1"
    if ex4 in inputs:
        for k in ("X", "y", "Theta1", "Theta2", "lambda"):
            variables[k] = inputs[ex4][k]
        variables.update(outputs.get("nnCostFunction", {}).get(ex4, {}))
        variables.update(outputs.get("predict", {}).get(ex4, {}))
    return variables


def port_check(folder, time_limit=10.0, total_limit=None):
    """Run the user's functions in ``folder`` in GNU Octave and compare them with nn3.

    Parameters
    ----------
    folder : str or os.PathLike
        Holds some of ``sigmoid.m``, ``sigmoidGradient.m``, ``costFunction.m``,
        ``backpropagation.m``, ``nnCostFunction.m``, ``predict.m``, ``randInitializeWeights.m``.
    time_limit : float, default 10.0
        Seconds each call may take.
    total_limit : float, optional
        Seconds the whole run may take (see :func:`octave.run_calls`).

    Returns
    -------
    report : PortCheckReport

    Raises
    ------
    Nn3Error
        No such folder, or none of the functions in it.
    MissingDependencyError
        GNU Octave is not installed.
    """
    folder = os.fspath(folder)
    if not os.path.exists(folder):
        raise Nn3Error(f"{folder}: no such folder")
    if not os.path.isdir(folder):
        raise Nn3Error(f"{folder}: not a folder; give the folder holding your .m files")
    if not time_limit > 0:
        raise Nn3Error(f"the time limit must be a positive number of seconds, got {time_limit}")
    functions = cases.find_functions(folder)
    if not functions:
        known = ", ".join(f + ".m" for f in cases.FUNCTIONS)
        raise Nn3Error(f"{folder}: none of the functions nn3 checks is there ({known})")
    exe = octave.find_octave()
    calls = cases.calls_for(functions)
    inputs = cases.inputs()
    version, results = octave.run_calls(folder, calls, inputs, time_limit, total_limit, exe)
    report = PortCheckReport(folder, functions, version)
    for call, res in zip(calls, results, strict=True):
        row = evaluate(call, res, inputs)
        if row is not None:
            report.rows.append(row)
    report.saved = saved_variables(calls, results, inputs)
    return report
