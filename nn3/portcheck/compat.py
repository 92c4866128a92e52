"""MATLAB-only forms in a user's code: shims that let GNU Octave run them, and names for the rest.

Students write MATLAB as often as Octave. MATLAB R2018b added ``sum(A, 'all')`` and a vector of
dimensions (``sum(A, [1 2])``) to its reductions; GNU Octave 7 rejects ``'all'`` ("sum:
unrecognized type argument 'all'") and, worse, reads ``[1 2]`` as dimension 1 without a word.
Correct MATLAB code would fail the check for a reason that has nothing to do with the exercise.

So the folder's code is read first (:func:`scan`): where the checked functions, or the functions
of the folder they call, use such a form, small shims (:data:`SHIMS`) are put on Octave's path in
the temporary copy, and the report says so ("ran MATLAB-only sum(..., 'all') through nn3's
shim"). A shim does what MATLAB documents for that form and hands every other call to Octave's
own function unchanged:

- ``sum``, ``prod``, ``mean``, ``median``, ``any``, ``all`` with ``'all'`` or a vector of
  dimensions; ``max`` and ``min`` as ``max(A, [], 'all')`` (with the linear index as second
  output) or ``max(A, [], vecdim)``; ``'omitnan'`` with ``'all'``;
- ``height(A)`` and ``width(A)`` (R2020b): ``size(A, 1)`` and ``size(A, 2)``.

A MATLAB function Octave has no shim for (a toolbox's ``dummyvar`` or ``ind2vec``, ``normalize``,
or anything Octave itself calls "not yet implemented in Octave") cannot be run:
:func:`matlab_only` recognises the error and says so, with the Octave form, and the function is
reported as not checked rather than as differing.
"""

import os
import re
from dataclasses import dataclass

from . import source

#: Reductions MATLAB extends with 'all' and vecdim: name -> 0-based position of the dimension.
REDUCTIONS = {
    "sum": 1,
    "prod": 1,
    "mean": 1,
    "median": 1,
    "any": 1,
    "all": 1,
    "max": 2,
    "min": 2,
}

#: MATLAB functions Octave lacks that have an exact shim: name -> what it computes.
SIZE_FUNCTIONS = {"height": "size(x, 1)", "width": "size(x, 2)"}

#: MATLAB functions Octave 7 lacks (or has only in a package), no shim: name -> (where from,
#: the Octave form). Octave names many others itself ("not yet implemented in Octave").
KNOWN_MATLAB_ONLY = {
    "dummyvar": (
        "Statistics and Machine Learning Toolbox",
        "Y = (y == 1:num_labels), or I = eye(num_labels); Y = I(y, :)",
    ),
    "ind2vec": (
        "Deep Learning Toolbox",
        "full(ind2vec(y')) is (y == 1:num_labels)', the one-hot columns",
    ),
    "vec2ind": ("Deep Learning Toolbox", "[~, p] = max(Y, [], 1)"),
    "onehotencode": ("Deep Learning Toolbox", "Y = (y == 1:num_labels)"),
    "onehotdecode": ("Deep Learning Toolbox", "[~, p] = max(Y, [], 2)"),
    "logsig": ("Deep Learning Toolbox", "1 ./ (1 + exp(-z)), your sigmoid"),
    "normalize": ("MATLAB R2018a", "(x - mean(x)) ./ std(x)"),
    "maxk": ("MATLAB R2017b", "s = sort(x, 'descend'); s(1:k)"),
    "mink": ("MATLAB R2017b", "s = sort(x); s(1:k)"),
    "nansum": ("Statistics and Machine Learning Toolbox", "sum(x(~isnan(x)))"),
    "nanmean": ("Statistics and Machine Learning Toolbox", "mean(x(~isnan(x)))"),
    "nanmax": ("Statistics and Machine Learning Toolbox", "max(x) (it skips NaN)"),
    "nanmin": ("Statistics and Machine Learning Toolbox", "min(x) (it skips NaN)"),
}


@dataclass(frozen=True)
class Use:
    """One MATLAB-only form found in the code.

    Attributes
    ----------
    shim : str
        The shim that runs it (``"sum"``).
    form : str
        The form as the report shows it (``"sum(..., 'all')"``).
    file : str
        The ``.m`` file (``"nnCostFunction.m"``).
    line : int
        The 1-based line where the statement starts.
    """

    shim: str
    form: str
    file: str
    line: int

    def shown(self):
        return f"{self.form} ({self.file} line {self.line})"


def _statements(path):
    """``(first line, code with strings blanked, code with strings kept)`` per statement."""
    lines = source.read_text(path)
    out, pending, first, depth = [], [], None, 0
    for number, blank in source.code_lines(lines):
        raw = lines[number - 1][: len(blank)]
        cont = re.search(r"\.\.\.\s*$", blank)
        if cont:
            blank, raw = blank[: cont.start()] + " ", raw[: cont.start()] + " "
        if not pending:
            first, depth = number, 0
        pending.append((blank, raw))
        depth += sum(1 if ch in "([{" else -1 if ch in ")]}" else 0 for ch in blank)
        if cont or depth > 0:
            continue
        out.append((first, " ".join(b for b, _ in pending), " ".join(r for _, r in pending)))
        pending = []
    if pending:
        out.append((first, " ".join(b for b, _ in pending), " ".join(r for _, r in pending)))
    return out


def _arguments(blank, raw, start):
    """The top-level arguments (raw text) of the call whose ``(`` is at ``start``."""
    args, depth, begin = [], 0, start + 1
    for i in range(start, len(blank)):
        ch = blank[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                args.append(raw[begin:i].strip())
                return args
        elif ch == "," and depth == 1:
            args.append(raw[begin:i].strip())
            begin = i + 1
    return None  # not closed on this statement


_CALL = re.compile(r"(?<![\w.])([A-Za-z]\w*)\s*\(")
_FLAG = re.compile(r"""^(['"])(\w+)\1$""")


def _is_vecdim(arg):
    """Whether ``arg`` is a literal vector of two or more dimensions (``[1 2]``, ``1:2``)."""
    text = arg.strip()
    if re.fullmatch(r"\[?\s*\d+\s*:\s*\d+\s*\]?", text):
        return True
    m = re.fullmatch(r"\[([\d\s,]*)\]", text)
    return bool(m) and len(re.findall(r"\d+", m.group(1))) >= 2


def _uses_in(path, file):
    """The shimmed MATLAB-only forms in one file."""
    found = []
    assigned = set()
    statements = _statements(path)
    for _first, blank, _raw in statements:
        m = re.match(r"^\s*([A-Za-z]\w*)\s*(\([^=]*\))?\s*=(?!=)", blank)
        if m:
            assigned.add(m.group(1))
    for first, blank, raw in statements:
        for m in _CALL.finditer(blank):
            name = m.group(1)
            if name in assigned:
                continue  # a variable of that name: indexing, not a call
            if name in SIZE_FUNCTIONS:
                found.append(Use(name, f"{name}(x)", file, first))
                continue
            if name not in REDUCTIONS:
                continue
            args = _arguments(blank, raw, m.end() - 1)
            if not args:
                continue
            flags = {f.group(2).lower() for a in args if (f := _FLAG.match(a))}
            pos = REDUCTIONS[name]
            lead = f"{name}(..., [], " if pos == 2 else f"{name}(..., "
            if "all" in flags:
                found.append(Use(name, f"{lead}'all')", file, first))
            elif len(args) > pos and _is_vecdim(args[pos]):
                found.append(Use(name, f"{lead}{args[pos]})", file, first))
    return found


def scan(folder, functions):
    """The MATLAB-only forms with a shim used by ``functions`` or the folder's files they call.

    Parameters
    ----------
    folder : str
    functions : iterable of str
        The functions checked (their ``.m`` files are read, then every ``.m`` file of the folder
        they name, and so on).

    Returns
    -------
    uses : list of Use
        In the order found (one per statement and form).
    """
    try:
        here = {name[:-2] for name in source.list_m_files(folder)}
    except OSError:
        return []
    todo = [f for f in functions if f in here]
    seen, uses = set(todo), []
    while todo:
        name = todo.pop(0)
        path = os.path.join(folder, name + ".m")
        try:
            # a function of the folder's own with a shim's name is the one Octave runs
            uses += [u for u in _uses_in(path, name + ".m") if u.shim not in here]
            called = {
                w for _f, blank, _r in _statements(path) for w in re.findall(r"[A-Za-z]\w*", blank)
            }
        except OSError:
            continue
        for other in sorted(called & here - seen):
            seen.add(other)
            todo.append(other)
    return uses


# --- the shims (GNU Octave code, written to the temporary copy's shim folder) ---------------

_FORM = r"""function [form, x, dims, rest] = nn3_matlab_form__(name, args, pos)
% Port-check's reading of a MATLAB reduction call: form is 'all' (x becomes x(:), dims 1),
% 'vecdim' (a vector of dimensions) or '' (a call Octave's own function handles).
% (No shimmed function is called here: they call this.)
form = ''; x = []; dims = []; rest = {};
if numel(args) < pos
  return;
end
d = args{pos};
if ischar(d) && strcmpi(d, 'all')
  form = 'all';
elseif isnumeric(d) && numel(d) > 1
  form = 'vecdim';
else
  return;
end
x = args{1}; dims = d; omit = false;
extreme = strcmp(name, 'max') || strcmp(name, 'min');
for k = pos + 1:numel(args)
  f = args{k};
  if ischar(f) && strcmpi(f, 'omitnan')
    omit = true;
  elseif ischar(f) && strcmpi(f, 'includenan') && ~extreme
    % MATLAB's default for sum, prod, mean and median
  elseif ischar(f) && strcmpi(f, 'default')
    % MATLAB's default output type
  else
    rest{end + 1} = f;
  end
end
if extreme && ~isempty(rest)
  error(['MATLAB-only form %s(..., [], %s, ...) with these options: ', ...
         'nn3''s shim does not cover it'], name, form);
end
if omit && extreme
  omit = false;  % max and min skip NaN anyway
end
if strcmp(form, 'all')
  x = x(:);
  if omit
    x = x(~isnan(x));
  end
  dims = 1;
elseif omit
  error('MATLAB-only form %s(..., vecdim, ''omitnan''): nn3''s shim does not cover it', name);
end
end
"""

_REDUCE = r"""function y = nn3_matlab_reduce__(reduce, x, dims)
% reduce(v, d) over the dimensions dims of x at once, as MATLAB's vecdim: those dimensions are
% moved to the front and merged into one; the result keeps size 1 in each of them.
if isscalar(dims)
  y = reduce(x, dims);
  return;
end
dims = unique(dims(:)');
sz = size(x);
nd = builtin('max', [numel(sz), dims]);
sz(end + 1:nd) = 1;
others = setdiff(1:nd, dims);
p = reshape(permute(x, [dims, others]), [builtin('prod', sz(dims)), sz(others), 1]);
y = reduce(p, 1);
out = sz;
out(dims) = 1;
y = reshape(y, out);
end
"""

_ORIGINAL = r"""function f = nn3_octave_function__(name)
% A handle to Octave's own function NAME, made while the shims are off the path (a handle
% keeps the function it was made for).
me = fileparts(mfilename('fullpath'));
rmpath(me);
unwind_protect
  f = str2func(name);
unwind_protect_cleanup
  addpath(me);
end_unwind_protect
end
"""

_BUILTIN_REDUCTION = r"""function varargout = {name}(varargin)
% nn3 port-check's shim: MATLAB's {name}(x, 'all') and {name}(x, vecdim) (R2018b), which GNU
% Octave 7 lacks. Every other call is Octave's own {name}, unchanged.
[form, x, dims, rest] = nn3_matlab_form__('{name}', varargin, 2);
if isempty(form)
  [varargout{{1:nargout + (nargout == 0)}}] = builtin('{name}', varargin{{:}});
else
  varargout{{1}} = nn3_matlab_reduce__(@(v, d) builtin('{name}', v, d, rest{{:}}), x, dims);
end
end
"""

_FILE_REDUCTION = r"""function varargout = {name}(varargin)
% nn3 port-check's shim: MATLAB's {name}(x, 'all') and {name}(x, vecdim) (R2018b), which GNU
% Octave 7 lacks. Every other call is Octave's own {name}, unchanged.
global nn3_octave_{name}__
if isempty(nn3_octave_{name}__)
  nn3_octave_{name}__ = nn3_octave_function__('{name}');
end
[form, x, dims, rest] = nn3_matlab_form__('{name}', varargin, 2);
if isempty(form)
  [varargout{{1:nargout + (nargout == 0)}}] = nn3_octave_{name}__(varargin{{:}});
else
  varargout{{1}} = nn3_matlab_reduce__(@(v, d) nn3_octave_{name}__(v, d, rest{{:}}), x, dims);
end
end
"""

_EXTREME = r"""function varargout = {name}(varargin)
% nn3 port-check's shim: MATLAB's {name}(x, [], 'all') (with the linear index as second
% output) and {name}(x, [], vecdim) (R2018b), which GNU Octave 7 lacks. Every other call is
% Octave's own {name}, unchanged.
[form, x, dims] = nn3_matlab_form__('{name}', varargin, 3);
if isempty(form)
  [varargout{{1:nargout + (nargout == 0)}}] = builtin('{name}', varargin{{:}});
elseif strcmp(form, 'all')
  [varargout{{1:nargout + (nargout == 0)}}] = builtin('{name}', x, [], 1);
elseif nargout > 1
  error('MATLAB-only form [M, I] = {name}(x, [], vecdim): nn3''s shim does not cover it');
else
  varargout{{1}} = nn3_matlab_reduce__(@(v, d) builtin('{name}', v, [], d), x, dims);
end
end
"""

_SIZE = r"""function n = {name}(x)
% nn3 port-check's shim: MATLAB's {name}(x) (R2020b), which GNU Octave 7 lacks: {what}.
n = {what};
end
"""


def _shim_source(name):
    if name in SIZE_FUNCTIONS:
        return _SIZE.format(name=name, what=SIZE_FUNCTIONS[name])
    if name in ("max", "min"):
        return _EXTREME.format(name=name)
    if name in ("mean", "median"):
        return _FILE_REDUCTION.format(name=name)
    return _BUILTIN_REDUCTION.format(name=name)


#: Every shim's source: file name -> text (the helpers included).
SHIMS = {f"{name}.m": _shim_source(name) for name in (*REDUCTIONS, *SIZE_FUNCTIONS)}

_HELPERS = {
    "nn3_matlab_form__.m": _FORM,
    "nn3_matlab_reduce__.m": _REDUCE,
    "nn3_octave_function__.m": _ORIGINAL,
}


def write_shims(folder, names):
    """Write the shims ``names`` (and their helpers) into ``folder`` (made if needed)."""
    os.makedirs(folder, exist_ok=True)
    files = {f"{n}.m": SHIMS[f"{n}.m"] for n in names}
    if any(n in REDUCTIONS for n in names):
        files.update(_HELPERS)
    for name, text in files.items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(path, 0o644)
    os.chmod(folder, 0o755)


def _computes(use):
    """What the shim computes for one form, in MATLAB terms."""
    if use.shim in SIZE_FUNCTIONS:
        return SIZE_FUNCTIONS[use.shim]
    if use.form.endswith("'all')"):
        inner = "x(:), [], 1" if use.shim in ("max", "min") else "x(:)"
        return f"{use.shim}({inner})"
    return f"{use.shim} over those dimensions at once"


def notes(uses):
    """The report's lines for the forms run through shims, one per form.

    ``ran MATLAB-only sum(..., 'all') (nnCostFunction.m line 47) through nn3's shim, as
    MATLAB computes it: sum(x(:)); GNU Octave lacks it``.
    """
    by_form = {}
    for use in uses:
        by_form.setdefault((use.shim, use.form), []).append(use)
    out = []
    for group in by_form.values():
        where = {}
        for use in group:
            where.setdefault(use.file, set()).add(use.line)
        places = "; ".join(
            f"{file} line{'s' if len(lines) > 1 else ''} {', '.join(map(str, sorted(lines)))}"
            for file, lines in where.items()
        )
        out.append(
            f"ran MATLAB-only {group[0].form} ({places}) through nn3's shim, as MATLAB "
            f"computes it: {_computes(group[0])}; GNU Octave lacks it"
        )
    return out


# --- recognising what no shim covers --------------------------------------------------------

_UNDEFINED = re.compile(r"'([A-Za-z]\w*)' undefined")
_NOT_IN_OCTAVE = re.compile(r"The '([A-Za-z]\w*)' function is not yet implemented in Octave")
_PACKAGE = re.compile(r"The '([A-Za-z]\w*)' function belongs to the (\S+) package")
_FLAG_ERROR = re.compile(r"(\w+): unrecognized type argument '(omitnan|includenan|all)'")
_SHIM_ERROR = re.compile(r"MATLAB-only form (.*?): nn3's shim does not cover it")
_WHERE = re.compile(r"\((\w+\.m) line (\d+)\)\s*$")


def _line_of(folder, files, name):
    """The first ``(file, line)`` among ``files`` whose code calls ``name``."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\s*\(")
    for file in files:
        try:
            for first, blank, _raw in _statements(os.path.join(folder, file)):
                if pattern.search(blank):
                    return file, first
        except OSError:
            continue
    return None


def matlab_only(message, folder, function):
    """The verdict's text when an Octave error is a MATLAB-only function or form, else ``""``.

    ``MATLAB-only function dummyvar (Statistics and Machine Learning Toolbox) at line 12 of
    nnCostFunction.m: Octave cannot run it; not checked (Octave form: ...)``.

    Parameters
    ----------
    message : str
        Octave's whole error message (several lines for a function Octave knows it lacks).
    folder : str
        The user's folder (to find the line that uses it).
    function : str
        The function called.
    """
    try:
        files = [function + ".m"] + [f for f in source.list_m_files(folder) if f != function + ".m"]
    except OSError:
        files = [function + ".m"]
    where_msg = _WHERE.search(message)

    def where(name):
        found = _line_of(folder, files, name) if name else None
        if found is None and where_msg:
            found = where_msg.group(1), int(where_msg.group(2))
        return f" at line {found[1]} of {found[0]}" if found else ""

    m = _SHIM_ERROR.search(message)
    if m:
        form = m.group(1)
        return (
            f"MATLAB-only syntax {form}{where(None)}: Octave cannot run it; not checked "
            "(Octave form: apply it to x(:), or reduce one dimension at a time)"
        )
    m = _FLAG_ERROR.search(message)
    if m:
        name, flag = m.groups()
        form = {
            "omitnan": f"{name}(x(~isnan(x)))",
            "includenan": f"{name}(x)",
            "all": f"{name}(x(:))",
        }[flag]
        return (
            f"MATLAB-only syntax {name}(..., '{flag}'){where(name)}: Octave cannot run it; "
            f"not checked (Octave form: {form})"
        )
    m = _UNDEFINED.search(message)
    if not m:
        return ""
    name = m.group(1)
    if os.path.isfile(os.path.join(folder, name + ".m")):
        return ""
    if name in KNOWN_MATLAB_ONLY:
        origin, form = KNOWN_MATLAB_ONLY[name]
    elif _NOT_IN_OCTAVE.search(message):
        origin, form = "", "none known"
    elif (p := _PACKAGE.search(message)) and p.group(1) == name:
        origin = f"Octave has it in its {p.group(2)} package, not installed here"
        form = "none in Octave itself"
    else:
        return ""
    origin = f" ({origin})" if origin else ""
    return (
        f"MATLAB-only function {name}{origin}{where(name)}: Octave cannot run it; not checked "
        f"(Octave form: {form})"
    )
