"""The result of ``nn3 port-check``: which folders, which functions, the rows, text and JSON.

:func:`check_folder` checks one folder; :func:`port_check` takes the folders a user names, finds
the folders holding the functions (the folder itself, or folders a few levels below it), checks
each and gathers the reports. Nothing here prints or exits: the command does.
"""

import json
import os
import re
from dataclasses import dataclass, field

import numpy as np

from .._version import __version__
from ..errors import MissingDependencyError, Nn3Error, ParameterError
from . import cases, compat, contracts, discover, init_weights, octave, source
from .verdicts import RTOL, Row, evaluate

__all__ = ["FolderReport", "PortCheckRun", "Row", "check_folder", "evaluate", "port_check"]

#: Seconds a call may take at most (``--time-limit``); the whole run may take 12 times as long.
MAX_TIME_LIMIT = 3600.0

#: Functions whose values other checked functions use, for "it calls your ..." hints.
_HELPERS = ("sigmoid", "sigmoidGradient")


def shown(text):
    """``text`` safe on one terminal line: control characters (newline, ESC) escaped.

    The same rule as the command line's ``one_line_text`` (nn3/cli/_common.py), which the
    library cannot import: folder names and what the user's code wrote (error messages,
    printing) reach the terminal only this way. Bidirectional overrides and isolates are
    escaped too.
    """
    text = os.fsdecode(text) if isinstance(text, bytes) else str(text)
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if ord(ch) < 0x20
        or 0x7F <= ord(ch) < 0xA0
        or 0x202A <= ord(ch) <= 0x202E
        or 0x2066 <= ord(ch) <= 0x2069
        else ch
        for ch in text
    )


@dataclass
class FolderReport:
    """The outcome of checking one folder.

    Attributes
    ----------
    folder : str
        The folder checked.
    given : str
        The folder named on the command line (``folder`` or a folder above it).
    functions : list of str
        The functions checked.
    not_checked : list of str
        Messages for files of the functions' names that are other functions.
    octave_version : str or None
    sandbox : str
        How the code ran (the header line says it).
    sandboxed : bool
    rows : list of Row
    saved : dict
        The Octave outputs, for ``--save`` (see :func:`saved_variables`).
    error : str
        Why the folder could not be checked (bad input); empty otherwise.
    strict : bool
        Whether printing fails the check.
    others : list of str
        Folders below ``folder`` that hold candidates too (not checked).
    shims : list of str
        The MATLAB-only forms run through nn3's shims, one line each (see :mod:`.compat`).
    given_not_checked : list of str
        Why the files of checked names in the folder named (``given``) were passed over, when
        this folder was found below it.
    """

    folder: str
    given: str = ""
    functions: list = field(default_factory=list)
    not_checked: list = field(default_factory=list)
    octave_version: str | None = None
    sandbox: str = ""
    sandboxed: bool = False
    rows: list = field(default_factory=list)
    saved: dict = field(default_factory=dict)
    error: str = ""
    strict: bool = False
    others: list = field(default_factory=list)
    shims: list = field(default_factory=list)
    given_not_checked: list = field(default_factory=list)

    @property
    def counted(self):
        return [r for r in self.rows if r.counted]

    @property
    def failing(self):
        return [r for r in self.counted if not r.ok]

    @property
    def passed(self):
        """True when every counted check agrees."""
        return not self.error and not self.failing

    @property
    def exit_status(self):
        """0 all agree, 1 something differs, 2 bad input."""
        return 2 if self.error else (0 if self.passed else 1)

    @property
    def result(self):
        """``"agrees"``, ``"differs"``, ``"error"``, or ``"not_checked"`` (nothing could be run:
        every function MATLAB-only; exit status 0 unless strict)."""
        if self.error:
            return "error"
        if not self.passed:
            return "differs"
        if not self.counted and any(r.kind == "matlab_only" for r in self.rows):
            return "not_checked"
        return "agrees"

    def summary(self):
        """The last line: ``OK: all 27 checks agree with nn3`` or ``FAILED: ...``."""
        if self.error:
            return f"error: {self.error}"
        counted = self.counted
        matlab = sorted({r.function for r in self.rows if r.kind == "matlab_only"})
        outside = len([r for r in self.rows if not r.counted and r.kind != "matlab_only"])
        extra = []
        if matlab and not self.strict:
            extra.append(
                f"{', '.join(f + '.m' for f in matlab)} not checked: MATLAB-only, Octave cannot "
                "run it"
            )
        if outside:
            extra.append(f"{outside} outside the functions' contract, not counted")
        prints = sorted({r.function for r in counted if r.ok and r.prints})
        if prints:
            extra.append(f"{', '.join(f + '.m' for f in prints)} print")
        if self.not_checked:
            names = ", ".join(n.split(" ")[0] for n in self.not_checked)
            extra.append(f"{names} not checked")
        more = f" ({'; '.join(extra)})" if extra else ""
        bad = self.failing
        if not bad and not counted and matlab:
            return f"NOTHING CHECKED: Octave cannot run the code{more}"
        if not bad:
            return f"OK: all {len(counted)} checks agree with nn3{more}"
        funcs = ", ".join(dict.fromkeys(r.function for r in bad))
        return f"FAILED: {len(bad)} of {len(counted)} checks do not agree ({funcs}){more}"

    def header(self):
        names = ", ".join(f + ".m" for f in self.functions)
        how = "sandboxed" if self.sandboxed else "NOT sandboxed"
        where = shown(self.folder)
        if self.given and self.given != self.folder:
            where += f" (found in {shown(self.given)})"
        return f"Checking {where} in GNU Octave {self.octave_version} ({how}): {names}"

    def format_table(self):
        """The report as text: header, table, explanations, agreement rule and summary."""
        if self.error:
            return f"{shown(self.folder)}: error: {self.error}"
        lines = [self.header(), f"Sandbox: {self.sandbox}"]
        lines += [f"Note: {shown(n)}" for n in self.shims]
        lines += [f"Not checked in {shown(self.given)}: {shown(n)}" for n in self.given_not_checked]
        lines += [f"Not checked: {shown(n)}" for n in self.not_checked]
        if self.others:
            lines.append(
                "Also holding candidates (not checked; name them to check them): "
                + ", ".join(shown(o) for o in self.others)
            )
        table = [("function", "case", "largest difference", "verdict")]
        table += [(r.function, r.case, r.difference, r.verdict) for r in self.rows]
        widths = [max(len(t[i]) for t in table) for i in range(4)]
        for t in table:
            lines.append("  ".join(c.ljust(w) for c, w in zip(t, widths, strict=True)).rstrip())
        lines += _explanations(self.rows)
        lines.append(
            f"Agreement: largest |Octave - nn3| <= {RTOL:g} x largest |nn3| element "
            "(summation order and exp's last bit differ between engines by ~1e-15); "
            "sizes and predicted labels exactly; randInitializeWeights by size and range "
            f"(uniform on [-epsilon, epsilon], epsilon {cases.EPSILON_INIT:g} or the handout's "
            "sqrt(6)/sqrt(L_in + L_out), at most twice that)"
        )
        lines.append(self.summary())
        return "\n".join(lines)

    def to_json(self):
        """The folder's result as a JSON-ready dict (see ``docs/how-to/port-check.md``)."""
        return {
            "folder": self.folder,
            "given": self.given or self.folder,
            "exit_status": self.exit_status,
            "result": self.result,
            "error": self.error or None,
            "summary": self.summary(),
            "octave_version": self.octave_version,
            "sandboxed": self.sandboxed,
            "sandbox": self.sandbox,
            "functions": list(self.functions),
            "not_checked": list(self.not_checked),
            "other_folders": list(self.others),
            "given_not_checked": list(self.given_not_checked),
            "shims": list(self.shims),
            "checks": [
                {
                    "function": r.function,
                    "case": r.case,
                    "case_id": r.case_id,
                    "verdict": r.kind,
                    "counted": r.counted,
                    "largest_difference": r.rel,
                    "shown_difference": r.difference,
                    "prints": r.prints or None,
                    "hint": r.detail or None,
                }
                for r in self.rows
            ],
        }


def _explanations(rows):
    """One line per explanation; rows of one function with the same text share a line."""
    groups = {}
    for r in rows:
        texts = []
        if r.detail:
            texts.append(r.detail)
        if r.prints:
            agree = "; the numbers agree" if r.kind == "agrees" else ""
            texts.append(f"prints {r.prints}{agree}")
        for text in texts:
            groups.setdefault((r.function, text), []).append(r.case)
    lines = []
    for (function, text), group in groups.items():
        where = group[0] if len(group) == 1 else f"{len(group)} cases"
        lines.append(f"{function}, {where}: {shown(text)}")
    return lines


_SHOWN_VARIABLE = re.compile(r"^\s*([A-Za-z]\w*)\s*=")


def _printing(folder, function, result):
    """How a call's printing is described: ``W: missing ';' at line 4`` or the first line."""
    text = result.printed.strip("\n")
    if not text.strip():
        return ""
    first = text.strip().splitlines()[0]
    m = _SHOWN_VARIABLE.match(first)
    if m:
        name = m.group(1)
        try:
            line = source.printing_line(os.path.join(folder, function + ".m"), name)
        except OSError:
            line = None
        if line is not None:
            return f"{name}: missing ';' at line {line}"
        return f"{name} (a line without ';'?)"
    return f"'{first[:60]}' (disp, printf or a line without ';'?)"


def _cross_hints(report, checks, folder):
    """Hints that need several rows: sizes written into the code, helpers that differ."""
    by_function = {}
    for r in report.rows:
        by_function.setdefault(r.function, []).append(r)
    differing = {f for f, rs in by_function.items() if any(r.counted and not r.ok for r in rs)}
    for function, rs in by_function.items():
        bad = [r for r in rs if r.counted and not r.ok]
        if not bad:
            continue
        ex4 = [r for r in rs if r.case_id.startswith("ex4") and r.counted]
        others = [r for r in rs if not r.case_id.startswith("ex4") and r.counted]
        if ex4 and all(r.ok for r in ex4) and others and all(not r.ok for r in others):
            for r in others:
                r.detail += (
                    ". It agrees on the ex4 sizes (400-25-10) only: are 400, 25 or 10 written "
                    "into the code instead of input_layer_size, hidden_layer_size, num_labels "
                    "or size(...)?"
                )
        if all(r.unwritten for r in bad):
            # every case returns zeros: the template, unwritten (whatever one number suggests)
            for r in bad:
                if r.unwritten not in r.detail:
                    r.detail = r.detail.split(". Likely cause: ")[0]
                    r.detail += f". Likely cause: {r.unwritten}"
        if function in _HELPERS or function not in checks:
            continue
        try:
            used = source.calls(os.path.join(folder, function + ".m"), _HELPERS)
        except OSError:
            used = set()
        helpers = sorted(h for h in used if h in differing and h != function)
        # a failure that is a function missing from the folder is explained by that: a helper
        # that differs is named as the cause only when nothing else explains the failure, and a
        # helper that misses the same function is said to, not blamed
        missing = {r.missing for r in bad if r.missing}
        explained = all(r.missing for r in bad)
        blame, same = [], {}
        for h in helpers:
            failed = [r for r in by_function[h] if r.counted and not r.ok]
            needs = {r.missing for r in failed if r.missing} & missing
            if failed and needs and all(r.missing for r in failed):
                same[h] = needs
            elif not explained:
                blame.append(h)
        for r in bad:
            if blame:
                text = " and ".join(h + ".m" for h in blame)
                r.detail += f" (it calls your {text}, which differs too: fix that first)"
            for h, needs in same.items():
                need = " and ".join(n + ".m" for n in sorted(needs))
                verb = "is" if len(needs) == 1 else "are"
                r.detail += (
                    f" (your {h}.m fails the same way: both need {need}, which {verb} missing "
                    "from the folder)"
                )


def check_time_limit(time_limit):
    """Refuse a time limit that is not a number of seconds above 0 and at most
    :data:`MAX_TIME_LIMIT` (``inf`` and NaN included).

    Raises
    ------
    ParameterError
        Naming ``time_limit``.
    """
    number = isinstance(time_limit, (int, float)) and not isinstance(time_limit, bool)
    if not number or not 0 < time_limit <= MAX_TIME_LIMIT:
        raise ParameterError(
            "time_limit",
            f"must be a number of seconds above 0 and at most {MAX_TIME_LIMIT:g}",
            time_limit,
        )


def check_folder(
    folder,
    time_limit=10.0,
    total_limit=None,
    *,
    strict=False,
    sandbox="auto",
    given=None,
):
    """Run the user's functions in ``folder`` in GNU Octave and compare them with nn3.

    Parameters
    ----------
    folder : str or os.PathLike
        Holds some of ``sigmoid.m``, ``sigmoidGradient.m``, ``costFunction.m``,
        ``backpropagation.m``, ``nnCostFunction.m``, ``predict.m``, ``randInitializeWeights.m``
        (subfolders are not searched here; see :func:`port_check`).
    time_limit : float, default 10.0
        Seconds each call may take.
    total_limit : float, optional
        Seconds the whole run may take (see :func:`octave.run_calls`).
    strict : bool, default False
        Printing (a line without a semicolon) fails the check.
    sandbox : {"auto", "require", "off"}
        How to isolate the code (see :mod:`.sandbox`).
    given : str, optional
        The folder the user named, when ``folder`` was found below it.

    Returns
    -------
    report : FolderReport

    Raises
    ------
    Nn3Error
        No such folder, none of the functions in it, a temporary copy that cannot be made.
    ParameterError
        A bad time limit (``time_limit``).
    MissingDependencyError
        GNU Octave is not installed; :class:`~nn3.errors.SandboxRequiredError`, no sandbox
        when one is required.
    """
    folder = os.fspath(folder)
    check_time_limit(time_limit)
    if not os.path.exists(folder):
        raise Nn3Error(f"{shown(folder)}: no such folder")
    if not os.path.isdir(folder):
        raise Nn3Error(f"{shown(folder)}: not a folder; give the folder holding your .m files")
    present = cases.find_functions(folder)
    if not present:
        known = ", ".join(f + ".m" for f in cases.FUNCTIONS)
        raise Nn3Error(f"{shown(folder)}: none of the functions nn3 checks is there ({known})")
    checks = {f: contracts.check_file(folder, f) for f in present}
    functions = [f for f in present if checks[f].checked]
    not_checked = [checks[f].reason for f in present if not checks[f].checked]
    if not functions:
        raise Nn3Error(
            f"{shown(folder)}: none of the functions nn3 checks is there; " + "; ".join(not_checked)
        )
    exe = octave.find_octave()
    calls = [_with_nargout(c, checks[c.function].outputs) for c in cases.calls_for(functions)]
    inputs = cases.inputs()
    uses = compat.scan(folder, functions)
    version, results, isolation = octave.run_calls(
        folder,
        calls,
        inputs,
        time_limit,
        total_limit,
        exe,
        sandbox_mode=sandbox,
        shown_folder=shown(folder),
        shims=[u.shim for u in uses],
    )
    report = FolderReport(
        folder,
        given=given or folder,
        functions=functions,
        not_checked=not_checked,
        octave_version=version,
        sandbox=isolation.summary,
        sandboxed=isolation.sandboxed,
        strict=strict,
        shims=compat.notes(uses),
    )
    entries = []
    for call, res in zip(calls, results, strict=True):
        row = evaluate(call, res, inputs, checks[call.function].signature, folder)
        if row is not None:
            printed = _printing(folder, call.function, res) if res.status == "ok" else ""
            entries.append((call, res, row, printed))
    # randInitializeWeights is judged on all its sizes at once
    init = [(c, r) for c, r, _row, _p in entries if c.function == "randInitializeWeights"]
    init = [(c, r) for c, r in init if r.status == "ok"]
    judged = init_weights.rows([c for c, _r in init], [r for _c, r in init])
    replaced = {c.case_id: row for (c, _r), row in zip(init, judged, strict=True)}
    for call, _res, row, printed in entries:
        if call.function == "randInitializeWeights":
            row = replaced.get(call.case_id, row)
        row.prints = printed
        row.strict = strict
        if strict and row.ok and row.prints:
            row.kind = "prints"
        report.rows.append(row)
    _cross_hints(report, checks, folder)
    report.saved = saved_variables(calls, results, inputs)
    return report


def _with_nargout(call, declared):
    from dataclasses import replace

    if declared is None or declared >= len(call.outputs) or declared == 0:
        return call
    return replace(call, nargout=declared)


def saved_variables(calls, results, inputs):
    """The Octave outputs as MATLAB variables, for ``--save``.

    ``outputs.<function>.<case>.<output>`` holds every output and ``inputs.<case>`` the inputs.
    For the regression-test recipe (docs/how-to/regression-tests.md), the 400-25-10 case at
    lambda 1 is also at the top level: ``X``, ``y``, ``Theta1``, ``Theta2``, ``lambda`` and,
    where the functions ran, ``J`` and ``grad`` (nnCostFunction) and ``p`` (predict).

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


@dataclass
class PortCheckRun:
    """Every folder checked by one ``nn3 port-check DIR...``.

    Attributes
    ----------
    reports : list of FolderReport
        One per folder checked (a folder named on the command line that could not be checked
        has one with ``error`` set).
    """

    reports: list = field(default_factory=list)

    @property
    def exit_status(self):
        """2 when a folder was bad input, else 1 when something differs, else 0."""
        codes = [r.exit_status for r in self.reports] or [2]
        return 2 if 2 in codes else max(codes)

    @property
    def passed(self):
        return self.exit_status == 0

    def format_text(self):
        """Each folder's report, then one summary line per folder when there are several."""
        parts = [r.format_table() for r in self.reports]
        if len(self.reports) > 1:
            lines = ["Summary:"]
            for r in self.reports:
                lines.append(f"  {shown(r.folder)}: {r.summary()}")
            parts.append("\n".join(lines))
        return "\n\n".join(parts)

    def to_json(self):
        """The whole run as a JSON document (text)."""
        doc = {
            "nn3_version": __version__,
            "exit_status": self.exit_status,
            "agreement": {
                "rtol": RTOL,
                "rule": "largest |Octave - nn3| <= rtol x largest |nn3| element",
            },
            "folders": [r.to_json() for r in self.reports],
        }
        return json.dumps(doc, indent=2, allow_nan=False, default=_json_default)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


@dataclass
class Targets:
    """What :func:`find` found for one folder named by the user.

    Attributes
    ----------
    folders : list of str
        The folders to check.
    others : list of str
        Folders below the one named that hold candidates too (named, not checked).
    note : str
        Why nothing was found (empty when something was).
    skipped : list of str
        Why the files of the checked names in the folder named are not checked, when it was
        passed over for the folders below it (a script ``backpropagation.m``, logistic
        regression's ``costFunction(theta, X, y)``).
    """

    folders: list
    others: list = field(default_factory=list)
    note: str = ""
    skipped: list = field(default_factory=list)


def _not_checked_here(folder):
    """Why each file of a checked name in ``folder`` is not checked (empty: one is checked)."""
    reasons = []
    for function in cases.find_functions(folder):
        check = contracts.check_file(folder, function)
        if check.checked:
            return []
        reasons.append(check.reason)
    return reasons


def _checkable(folder):
    """Whether ``folder`` holds a file nn3 checks (not only scripts or other exercises' files)."""
    try:
        return bool(cases.find_functions(folder)) and not _not_checked_here(folder)
    except OSError:
        return False


def find(given):
    """The folders to check for one folder named by the user, and the others found.

    A folder is checked when it holds a file port-check checks; one whose files of those names
    are all passed over (a script, another exercise's function) is searched below, like a folder
    holding none.

    Returns
    -------
    targets : Targets
    """
    if not os.path.isdir(given):
        return Targets([given])  # check_folder says what is wrong with it
    found = discover.find_folders(given, set(cases.FUNCTIONS), accept=_checkable)
    try:
        skipped = [] if given in found.folders else _not_checked_here(given)
    except OSError:
        skipped = []
    if found.folders:
        return Targets(found.folders, found.others, "", skipped)
    known = ", ".join(f + ".m" for f in cases.FUNCTIONS)
    more = (
        f" (searched {discover.MAX_FOLDERS} folders and stopped)"
        if found.truncated
        else f" (nor in its subfolders, {discover.MAX_DEPTH} levels down)"
    )
    why = f"none of the functions nn3 checks is there ({known}){more}"
    if skipped:
        why += "; " + "; ".join(skipped)
    return Targets([], [], why, skipped)


def port_check(
    folders,
    time_limit=10.0,
    total_limit=None,
    *,
    strict=False,
    sandbox="auto",
):
    """Check every folder named (or found below one named) and gather the reports.

    Parameters
    ----------
    folders : str, os.PathLike or list of them
        The folders named by the user. Each is checked when it holds one of the functions;
        otherwise the folders below it that do (to :data:`discover.MAX_DEPTH` levels) are
        checked, each on its own.
    time_limit, total_limit, strict, sandbox
        See :func:`check_folder`.

    Returns
    -------
    run : PortCheckRun
        For one folder named with one folder checked, ``run.reports[0]`` is that folder's
        report.

    Raises
    ------
    MissingDependencyError
        GNU Octave is not installed (nothing can be checked); its subclass
        :class:`~nn3.errors.SandboxRequiredError` for ``sandbox="require"`` without a working
        sandbox.
    ParameterError
        A bad time limit (``time_limit``).
    """
    if isinstance(folders, (str, bytes, os.PathLike)):
        folders = [folders]
    check_time_limit(time_limit)
    run = PortCheckRun()
    for given in folders:
        given = os.fspath(given)
        found = find(given)
        if found.note:
            run.reports.append(
                FolderReport(given, given=given, error=f"{shown(given)}: {found.note}")
            )
            continue
        for k, target in enumerate(found.folders):
            try:
                report = check_folder(
                    target,
                    time_limit,
                    total_limit,
                    strict=strict,
                    sandbox=sandbox,
                    given=given,
                )
            except MissingDependencyError:
                raise  # Octave missing, or a sandbox required and none works: nothing can run
            except Nn3Error as exc:
                report = FolderReport(target, given=given, error=str(exc))
            report.others = found.others if target == given else []
            if k == 0 and target != given:
                report.given_not_checked = list(found.skipped)
            run.reports.append(report)
    return run
