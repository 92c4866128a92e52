"""Differences, verdicts and hints for one call of a user's function.

Agreement: a numeric output agrees when it has nn3's size and its largest difference from nn3's,
``max|Octave - nn3|``, is at most :data:`RTOL` times nn3's largest element (NaN equals NaN in the
same place; a NaN or Inf anywhere else is a difference). The two engines add sums in different
orders (BLAS, loops) and nn3's vectorised ``exp`` can differ from libm's by one ulp, which moves
results by about 1e-15 of their size; every fault this check names moves them by 1e-4 or more.
Labels from ``predict`` must be equal.

A verdict has a *kind* (for ``--json`` and the exit status) and a text for the table:

========================  ==================  =============================================
kind                      table               counted
========================  ==================  =============================================
``agrees``                agrees              yes, agrees (printing is noted, not failed)
``prints``                PRINTS              yes, differs (``--strict`` only)
``differs``               DIFFERS             yes, differs
``wrong_size``            WRONG SIZE          yes, differs
``error``                 ERROR               yes, differs
``time_limit``            TIME LIMIT          yes, differs
``exited``                EXITED              yes, differs
``not_run``               NOT RUN             yes, differs
``outside_contract``      outside contract    no (see :mod:`.contracts`)
``matlab_only``           not checked         no, unless ``--strict`` (see :mod:`.compat`)
========================  ==================  =============================================

``matlab_only`` is a function that uses a MATLAB function or form GNU Octave cannot run and no
shim covers: it cannot be checked here, which says nothing about whether it is right.
"""

import os
import re
from dataclasses import dataclass

import numpy as np

from . import compat, contracts, nn3_side

#: Largest difference, relative to the largest element, that still agrees.
RTOL = 1e-9

AGREES = "agrees"

#: Table text of each verdict kind.
VERDICT_TEXT = {
    "agrees": "agrees",
    "prints": "PRINTS",
    "differs": "DIFFERS",
    "wrong_size": "WRONG SIZE",
    "error": "ERROR",
    "time_limit": "TIME LIMIT",
    "exited": "EXITED",
    "not_run": "NOT RUN",
    "outside_contract": "outside contract",
    "matlab_only": "not checked (MATLAB-only)",
}

_STATUS_KIND = {
    "error": "error",
    "timeout": "time_limit",
    "exited": "exited",
    "not run": "not_run",
}


@dataclass
class Row:
    """One line of the table, and the line explaining it when there is something to say.

    Attributes
    ----------
    function, case : str
        The function and the case as the table shows them.
    difference : str
        The largest relative difference as shown (``"1.9e-16"``, ``"-"``, ``"max |W| 0.12"``).
    kind : str
        The verdict (see the module's table).
    detail : str
        The explanation: the first difference and the likely cause, the error, ...
    case_id : str
        The case's MATLAB name.
    rel : float or None
        The largest relative difference, when there is a number.
    prints : str
        What the call printed, described (``W: missing ';' at line 4``); empty when nothing.
    missing : str
        The function the call needed and the folder lacks (``"sigmoid"``), for an error
        ``'sigmoid' undefined``; empty otherwise.
    strict : bool
        ``--strict``: a function that could not be checked (MATLAB-only) fails.
    """

    function: str
    case: str
    difference: str
    kind: str
    detail: str = ""
    case_id: str = ""
    rel: float | None = None
    prints: str = ""
    unwritten: str = ""  # the hint when the output is all zeros (see report's cross hints)
    missing: str = ""
    strict: bool = False

    @property
    def verdict(self):
        """The verdict as the table shows it (``agrees``, ``DIFFERS``, ...)."""
        if self.kind == AGREES and self.prints:
            return "agrees (prints)"
        return VERDICT_TEXT[self.kind]

    @property
    def counted(self):
        """False for a case outside the function's contract, and for a function Octave cannot
        run (MATLAB-only, unless strict): neither agrees nor differs."""
        if self.kind == "matlab_only":
            return self.strict
        return self.kind != "outside_contract"

    @property
    def ok(self):
        return self.kind == AGREES


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
    """``Theta1_grad(i, j)`` or ``Theta2_grad(i, j)`` for position ``flat`` of unrolled grad,
    and whether it is in a bias column."""
    il, hl, K = (int(inp[k]) for k in ("input_layer_size", "hidden_layer_size", "num_labels"))
    n1 = hl * (il + 1)
    if flat < n1:
        return _element("Theta1_grad", (hl, il + 1), flat), flat < hl
    return _element("Theta2_grad", (K, hl + 1), flat - n1), flat - n1 < K


@dataclass
class _Output:
    """The comparison of one output: relative difference and where it exceeds the limit."""

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


def _size_hint(name, actual, expected, function=""):
    a = getattr(actual, "shape", None)
    e = expected.shape
    if function in ("sigmoid", "sigmoidGradient"):
        return (
            "an element-by-element function must keep z's size: ./ and .* where / or * "
            "(matrix division and product) is written?"
        )
    if function == "costFunction" and name == "J" and a is not None and a[0] == 1:
        return (
            "J must be one number; with K >= 2 output units the targets must be one-hot rows, "
            "Y = (y == 1:K), and J = sum(sum(...)) (the source document's cost handles one "
            "output unit only)"
        )
    if a == e[::-1]:
        if name in ("grad", "p"):
            return f"{name} is a row; it must be a column ({_size(e)})"
        return "transposed"
    if name == "J" and a is not None and len(a) == 2 and a[0] == 1:
        return "J must be one number: sum over both dimensions, sum(sum(...))"
    if name == "grad" and a == (1, 1):
        return "grad is one number: the gradient is not computed (exercise 4, part 2)"
    return ""


def _ratio_hint(a, e, m=None):
    mask = np.abs(e) > 1e-12 * _scale(e)
    if not mask.any():
        return ""
    with np.errstate(all="ignore"):
        r = a[mask] / e[mask]
    c = float(np.median(r))
    if c != 1.0 and np.all(np.abs(r - c) <= 1e-9 * abs(c)):
        if m and abs(c - m) <= 1e-9 * m:
            return f"{c:.6g} times nn3's, which is m: the division by m is missing"
        if m and abs(c * m - 1) <= 1e-9:
            return "1/m times nn3's: divided by m once too often"
        return f"off by a constant factor {c:.6g} (a missing or extra division by m?)"
    return ""


def _variant_hints(call, result, exp, inputs, names):
    """Known faults (nn3_side.variants) that reproduce the user's outputs ``names``.

    A fault that also reproduces the outputs that agree (the gradient unregularised while J,
    regularised, agrees) is preferred to one that only reproduces those that differ.
    """
    exact = call.function == "predict"
    returned = [n for n in exp if _numeric(result.outputs.get(n)) is not None]
    found, whole = {}, []
    for hint, outs in nn3_side.variants(call, inputs):
        same = set()
        for name in returned:
            if name in outs:
                got = _compare(result.outputs[name], outs[name], exact=exact)
                if got.failing.size == 0 and not got.shape_error:
                    same.add(name)
        for name in names:
            if name in same:
                found.setdefault(name, []).append(hint)
        if set(names) <= same and all(n in same for n in returned if n in outs):
            whole.append(hint)
    if whole:
        return list(dict.fromkeys(whole))
    if not found:
        return []
    lists = [list(dict.fromkeys(found.get(n, []))) for n in names]
    if all(lst == lists[0] for lst in lists):
        return lists[0]
    return [f"{n}: {h}" for n, lst in zip(names, lists, strict=True) for h in lst]


def _zero_hint(name, actual, expected):
    """An output of zeros only where nn3's is not: the exercise's template, unwritten."""
    a = _numeric(actual)
    if a is None or not np.all(a == 0) or not np.any(expected != 0):
        return []
    return [
        {
            "J": "J is 0: the cost is not computed (exercise 4, part 1)",
            "grad": "grad is all zeros: the gradient is not computed (exercise 4, part 2)",
        }.get(name, f"{name} is all zeros: the function is not written yet (the template's zeros)")
    ]


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
        inp = inputs[call.case_id]
        m = inp["X"].shape[0] if isinstance(inp, dict) else None
        ratio = _ratio_hint(a, expected, m)
        if ratio:
            hints.append(ratio)
    return hints


def _predict_hints(call, actual, signature, inputs):
    """Why ``p`` differs when it holds values in (0, 1): the maxima, not their indices."""
    a = _numeric(actual)
    if a is None or not np.all((a > 0) & (a < 1)):
        return []
    largest = nn3_side.largest_outputs(call, inputs)
    if a.shape == largest.shape and _compare(a, largest).failing.size == 0:
        outs = signature.outputs if signature is not None else ()
        if len(outs) > 1 and outs[0] != "p" and "p" in outs:
            return [
                f"p holds the largest output of each row, not its index: the outputs are "
                f"swapped (function [{', '.join(outs)}] = predict(...) returns {outs[0]} "
                "first); declare function p = predict(...) and take [~, p] = max(h, [], 2)"
            ]
        return [
            "p holds the largest output of each row, not its index: max's first output is "
            "the maximum, its second the index ([~, p] = max(h, [], 2))"
        ]
    return ["p holds values in (0, 1), not labels 1..K: probabilities instead of max's index?"]


def _first_difference(name, call, actual, expected, failing, inputs):
    k = int(failing[0])
    where = _element(name, expected.shape, k)
    if name == "grad":
        where += " = " + _grad_position(k, inputs[call.case_id])[0]
    a = _numeric(actual).ravel(order="F")[k]
    e = expected.ravel(order="F")[k]
    return f"{where}: Octave {a:.17g}, nn3 {e:.17g}"


def _overflow_only(call, actual, expected, failing, inputs):
    """Whether the only differences of sigmoid/sigmoidGradient are non-finite values where
    ``exp(|z|)`` overflows (|z| > 709): a formula such as exp(-z) ./ (1 + exp(-z)).^2."""
    if call.function not in ("sigmoid", "sigmoidGradient"):
        return False
    z = np.asarray(inputs[call.case_id]).ravel(order="F")
    a = _numeric(actual).ravel(order="F")
    return bool(np.all(np.abs(z[failing]) > 709) and not np.any(np.isfinite(a[failing])))


def _numbers_row(call, result, inputs, signature):
    exp = nn3_side.expected(call, inputs)
    exact = call.function == "predict"
    compared = {n: _compare(result.outputs.get(n), e, exact) for n, e in exp.items()}
    worst = max(c.rel for c in compared.values())
    diff = "-" if not np.isfinite(worst) else f"{worst:.1e}"
    rel = float(worst) if np.isfinite(worst) else None
    bad = [(n, c) for n, c in compared.items() if c.shape_error or c.failing.size]
    row = Row(call.function, call.case, diff, AGREES, case_id=call.case_id, rel=rel)
    if not bad:
        return row
    missing = [n for n, c in bad if n not in result.outputs]
    if missing and call.nargout is not None and call.nargout < len(call.outputs):
        # function J = nnCostFunction(...): the outputs it has are compared, the rest named
        declared = signature.shown() if signature is not None else call.function
        returned = [n for n in exp if n in result.outputs]
        worst = max((compared[n].rel for n in returned), default=np.inf)
        row.difference = f"{worst:.1e}" if np.isfinite(worst) else "-"
        row.rel = float(worst) if np.isfinite(worst) else None
        row.kind = "differs"
        row.detail = (
            f"returns no {', '.join(missing)}: {declared} declares "
            f"{call.nargout} output{'s' if call.nargout != 1 else ''}"
        )
        wrong = [(n, c) for n, c in bad if n not in missing]
        if wrong:
            name, c = wrong[0]
            row.detail += "; " + _difference_text(call, result, exp, inputs, name, c)[1]
        else:
            row.detail += f"; {', '.join(returned)} agree{'s' if len(returned) == 1 else ''}"
            if "grad" in missing:
                row.detail += ". Likely cause: the gradient (exercise 4, part 2) is not written"
        return row
    name, c = bad[0]
    if c.shape_error:
        hint = _size_hint(name, result.outputs.get(name), exp[name], call.function)
        row.kind = "wrong_size"
        row.detail = f"{name}: {c.shape_error}, nn3's is {_size(exp[name].shape)}"
        if hint:
            row.detail += f". Likely cause: {hint}"
        return row
    if _overflow_only(call, result.outputs[name], exp[name], c.failing, inputs):
        row.kind = "outside_contract"
        row.detail = (
            "the values agree except at |z| = 800, where exp(800) overflows to Inf in this "
            "formula (Inf/Inf is NaN) and nn3 gives the limit (0 or 1); write it as "
            "1 ./ (1 + exp(-z)) (and s .* (1 - s) for the gradient) to get the limit too; "
            "not counted"
        )
        return row
    kind, detail = _difference_text(call, result, exp, inputs, name, c, signature)
    row.kind, row.detail = kind, detail
    unwritten = _zero_hint(name, result.outputs[name], exp[name])
    row.unwritten = unwritten[0] if unwritten else ""
    return row


def _difference_text(call, result, exp, inputs, name, c, signature=None):
    detail = "first difference " + _first_difference(
        name, call, result.outputs[name], exp[name], c.failing, inputs
    )
    bad_names = []
    for n in exp:
        if n in result.outputs:
            o = _compare(result.outputs[n], exp[n], call.function == "predict")
            if o.failing.size > 0 and not o.shape_error:
                bad_names.append(n)
    # zeros in one number say little (sigmoidGradient(0) = 0 is z .* (1 - z) too): the report
    # names an unwritten function when all of its cases return zeros (Row.unwritten)
    hints = _zero_hint(name, result.outputs[name], exp[name]) if exp[name].size > 1 else []
    if not hints and call.function == "predict":
        hints = _predict_hints(call, result.outputs[name], signature, inputs)
    hints = hints or _variant_hints(call, result, exp, inputs, bad_names or [name])
    hints = hints or _structural_hints(
        name, call, result.outputs[name], exp[name], c.failing, inputs
    )
    if hints:
        detail += ". Likely cause: " + "; or ".join(hints)
    return "differs", detail


#: An index that is not a positive integer, as Octave 7 says it: ``I(0,_): subscripts must be
#: ...``, ``Y(_,0): ...``, ``index (0,_): out of bound; value 0 ...``.
_INDEX_ZERO = re.compile(
    r"\((?:_\s*,\s*)*(-?\d+)(?:\s*,\s*_)*\)\s*:\s*(?:subscripts|out of bound)"
    r"|out of bound; value (-?\d+)|index (-?\d+)"
)


def index_zero(message):
    """Whether an Octave error is an index 0 (or negative): a label 0 used as an index."""
    for m in _INDEX_ZERO.finditer(message):
        value = next(g for g in m.groups() if g is not None)
        if int(value) <= 0:
            return True
    return False


_UNDEFINED = re.compile(r"'([A-Za-z]\w*)' undefined")


def missing_function(message, folder):
    """The name in ``'name' undefined`` when ``folder`` has no ``name.m``, else ``""``."""
    m = _UNDEFINED.search(message)
    if not m or folder is None:
        return ""
    name = m.group(1)
    return "" if os.path.isfile(os.path.join(folder, name + ".m")) else name


#: Files the course hands out with exercise 4 (a student's folder needs them, never writes them).
COURSE_FILES = ("sigmoid", "sigmoidGradient", "randInitializeWeights", "debugInitializeWeights")


def error_hint(message, folder=None, function=""):
    """A likely cause for an Octave error message, or an empty string.

    Parameters
    ----------
    message : str
    folder : str, optional
        The user's folder: an undefined name that is a course file missing from it is named.
    function : str, optional
        The function called (for the text).
    """
    m = message.lower()
    if "undefined" in m:
        name = missing_function(message, folder)
        if name in COURSE_FILES or name in contracts.EX4_SIGNATURES:
            who = function if function and function != name else "the code"
            return (
                f"{name}.m is missing from the folder: {who} calls it; put the exercise's "
                f"{name}.m beside it"
            )
        return (
            "is a function it calls missing from the folder, MATLAB-only, or a misspelt variable?"
        )
    if "nonconformant" in m:
        sizes = re.search(r"op1 is (\d+)x(\d+), op2 is (\d+)x(\d+)", m)
        if sizes:
            r1, c1, r2, c2 = (int(v) for v in sizes.groups())
            if r1 == r2 and abs(c1 - c2) == 1 and "operator *" not in m:
                return (
                    "one matrix has a column more than the other: a label used as a 0-based "
                    "index (y(i) + 1), or a bias column added or left out?"
                )
        if "operator *" in m:
            return (
                "a matrix product of mismatched sizes: a missing or extra transpose "
                "(Theta1'), or * where .* is meant"
            )
        if "operator /" in m:
            return "/ is matrix division: use ./ for element by element"
        return "sizes that do not match: a row where a column is meant, or a transpose?"
    if index_zero(message):
        return "an index 0: labels used as indices must be 1..K"
    if "out of bound" in m:
        return "an index beyond the size: sizes written into the code instead of taken from it?"
    if "called with too many outputs" in m:
        return "the function declares fewer outputs than exercise 4's"
    if "called with too many inputs" in m:
        return "the function takes fewer inputs than exercise 4's"
    return ""


_WHERE = re.compile(r"\((\w+\.m) line \d+\)\s*$")


def _first_line(message):
    """The first line of an error message, with the ``(f.m line N)`` the driver put at its end."""
    lines = message.splitlines()
    first = lines[0] if lines else message
    where = _WHERE.search(message)
    if where and where.group(0).strip() not in first:
        first += " " + where.group(0).strip()
    return first


def evaluate(call, result, inputs, signature=None, folder=None):
    """The table row of one call, or None for a call that does not apply (signature).

    randInitializeWeights is random: its rows come from :func:`init_weights.rows` (this gives a
    placeholder that it replaces).

    Parameters
    ----------
    call : Call
    result : CallResult
    inputs : dict
    signature : source.Signature, optional
        The function's first line, for hints.
    folder : str, optional
        The user's folder, for hints that look at its files (a function missing from it, the
        line that uses a MATLAB-only function).

    Returns
    -------
    row : Row or None
    """
    if result.status == "skipped":
        return None
    if result.status != "ok":
        message = _first_line(result.message) if result.message else result.status
        row = Row(call.function, call.case, "-", _STATUS_KIND[result.status], case_id=call.case_id)
        if result.status == "error" and folder is not None:
            only = compat.matlab_only(result.message, folder, call.function)
            if only:
                row.kind, row.detail = "matlab_only", only
                return row
        hint = error_hint(message, folder, call.function) if result.status == "error" else ""
        row.detail = f"{message} ({hint})" if hint else message
        if result.status == "error":
            row.missing = missing_function(message, folder)
        outside = contracts.outside_contract(call.function, call.case_id)
        if outside and result.status == "error":
            row.kind = "outside_contract"
            happened = "index_error" if index_zero(message) else "error"
            row.detail = outside.explain(row.detail, happened)
        return row
    if call.function == "randInitializeWeights":
        return Row(call.function, call.case, "-", AGREES, case_id=call.case_id)
    row = _numbers_row(call, result, inputs, signature)
    outside = contracts.outside_contract(call.function, call.case_id)
    if outside and row.counted and row.kind != AGREES:
        row.kind, row.detail = "outside_contract", outside.explain(row.detail)
    return row
