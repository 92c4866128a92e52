"""What a user's ``.m`` file says, read without running it: its signature, and lines that print.

Students' files come in every encoding and style: UTF-8 or Latin-1 bytes in comments, a byte
order mark, CRLF or CR line ends, ``%`` and ``#`` comments, ``%{ ... %}`` blocks, ``...``
continuations, ``end`` or ``endfunction``. Only the code matters here, so the text is decoded
leniently and comments and strings are blanked before anything is looked for.

:func:`read_signature` gives the first function's outputs and inputs, so that another exercise's
file with the same name (logistic regression's ``costFunction(theta, X, y)``, ``predict(theta,
X)``) is recognised and left unchecked instead of failing. :func:`printing_line` finds the line
that prints a variable (an assignment without a semicolon).
"""

import os
import re
from dataclasses import dataclass

#: Largest .m file read (a coursework function is a few kilobytes).
MAX_SOURCE_BYTES = 1 << 20

_IDENT = re.compile(r"[A-Za-z]\w*")


@dataclass(frozen=True)
class Signature:
    """The first function of a ``.m`` file.

    Attributes
    ----------
    name : str
        The name after ``function`` (Octave calls the file's name, whatever this says).
    outputs, inputs : tuple of str
        Output and parameter names, in order (``varargin``/``varargout`` included as such).
    line : int
        The 1-based line of the ``function`` keyword.
    """

    name: str
    outputs: tuple
    inputs: tuple
    line: int

    @property
    def varargin(self):
        return bool(self.inputs) and self.inputs[-1] == "varargin"

    def shown(self):
        """``[J, grad] = costFunction(theta, X, y)``, as messages show it."""
        outs = ", ".join(self.outputs)
        left = f"[{outs}] = " if len(self.outputs) > 1 else (f"{outs} = " if outs else "")
        return f"{left}{self.name}({', '.join(self.inputs)})"


def read_text(path, limit=MAX_SOURCE_BYTES):
    """The text of a ``.m`` file: UTF-8 if it is, else Latin-1; BOM dropped; lines split on any
    line end (CRLF, CR, LF). At most ``limit`` bytes are read.

    Returns
    -------
    lines : list of str
    """
    with open(path, "rb") as fh:
        raw = fh.read(limit)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _transpose_quote(code, i):
    """Whether the quote at ``code[i]`` is a transpose (after a name, a bracket, ``.`` or ``'``)."""
    if i == 0:
        return False
    prev = code[i - 1]
    return prev.isalnum() or prev in "_)]}.'"


def code_of(line):
    """``line`` with its comment removed and string contents blanked (quotes kept).

    ``%`` and ``#`` start a comment outside strings; ``'`` starts a string unless it is a
    transpose; ``"`` always does (Octave). Doubled quotes inside strings are escapes.
    """
    out = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in "%#":
            break
        if ch == '"' or (ch == "'" and not _transpose_quote(line, i)):
            quote = ch
            out.append(quote)
            i += 1
            while i < n:
                if line[i] == quote:
                    if i + 1 < n and line[i + 1] == quote:
                        out.append("  ")
                        i += 2
                        continue
                    break
                if quote == '"' and line[i] == "\\" and i + 1 < n:
                    out.append("  ")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            if i < n:
                out.append(quote)
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out).rstrip()


def code_lines(lines):
    """``(line number, code)`` of every line, block comments (``%{ ... %}``) dropped."""
    out, depth = [], 0
    for number, line in enumerate(lines, start=1):
        bare = line.strip()
        if bare in ("%{", "#{"):
            depth += 1
            continue
        if depth:
            if bare in ("%}", "#}"):
                depth -= 1
            continue
        out.append((number, code_of(line)))
    return out


def _depth(code):
    """Brackets opened and not closed in ``code`` (strings already blanked)."""
    depth = 0
    for ch in code:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


def statements(lines):
    """Logical lines: ``(first line number, last line number, code)``.

    Lines are joined after a ``...`` (or Octave's ``\\``) continuation and while a bracket is
    open (Octave reads ``function f (a,`` newline ``b)`` as one line, and a matrix over rows).
    """
    out, pending, first, depth = [], [], None, 0
    for number, code in code_lines(lines):
        cont = re.search(r"\.\.\.\s*$", code) or code.rstrip().endswith("\\")
        piece = re.sub(r"(\.\.\.|\\)\s*$", " ", code) if cont else code
        if not pending:
            first, depth = number, 0
        pending.append(piece)
        depth += _depth(piece)
        if cont or depth > 0:
            continue
        out.append((first, number, " ".join(p.strip() for p in pending)))
        pending = []
    if pending:
        out.append((first, number, " ".join(p.strip() for p in pending)))
    return out


_FUNCTION = re.compile(
    r"^function\b\s*(?:(?P<outs>\[[^\]]*\]|[A-Za-z]\w*)\s*=\s*)?"
    r"(?P<name>[A-Za-z][\w.]*)\s*(?:\((?P<ins>[^)]*)\))?"
)


def _names(text):
    """Names in a list (``~`` kept as a name: an output or input left unused)."""
    return tuple(re.findall(r"[A-Za-z]\w*|~", text)) if text else ()


def read_signature(path):
    """The first function of the ``.m`` file at ``path``, or None for a script (or no function).

    Returns
    -------
    signature : Signature or None
    """
    for first, _last, code in statements(read_text(path)):
        code = code.strip()
        if not code:
            continue
        m = _FUNCTION.match(code)
        if m is None:
            return None  # a script: its first statement is not a function
        outs = m.group("outs") or ""
        outputs = _names(outs.strip("[]")) if outs.startswith("[") else _names(outs)
        return Signature(m.group("name"), outputs, _names(m.group("ins")), first)
    return None


def _assigns(code, name):
    """Whether the statement ``code`` assigns to ``name`` (``name =``, ``name(i) =``, ``[.., name]
    =``, ``name += 1``)."""
    n = re.escape(name)
    if re.match(rf"^\s*{n}\s*(\([^=]*\)|\{{[^=]*\}})?\s*([-+*/^]|\.\*|\./)?=(?!=)", code):
        return True
    m = re.match(r"^\s*\[([^\]]*)\]\s*=(?!=)", code)
    return bool(m) and name in _names(m.group(1))


def _pieces(code):
    """The statements of one logical line, split at top-level ``,`` and ``;`` (with the
    separator that ends each: ``""`` for the last one)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(code):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        elif ch in ",;" and depth == 0:
            out.append((code[start:i], ch))
            start = i + 1
    out.append((code[start:], ""))
    return out


_KEYWORDS = {
    "if",
    "elseif",
    "else",
    "end",
    "for",
    "while",
    "do",
    "until",
    "switch",
    "case",
    "otherwise",
    "function",
    "endfunction",
    "endif",
    "endfor",
    "endwhile",
    "endswitch",
    "return",
    "break",
    "continue",
    "try",
    "catch",
    "end_try_catch",
    "unwind_protect",
    "unwind_protect_cleanup",
    "end_unwind_protect",
    "global",
    "persistent",
}


def printing_line(path, name):
    """The first line of ``path`` that displays ``name`` (an assignment without ``;``).

    Parameters
    ----------
    path : str
    name : str
        The variable the printed text shows (``W`` in ``W = ...``); ``"ans"``: the first
        expression statement without ``;``.

    Returns
    -------
    line : int or None
        1-based line number (the last line of a continued statement).
    """
    for _first, last, code in statements(read_text(path)):
        for piece, sep in _pieces(code):
            stmt = piece.strip()
            if not stmt or sep == ";":
                continue
            word = _IDENT.match(stmt)
            if word and word.group(0) in _KEYWORDS:
                # "for i = 1:m" or "if x": the header itself displays nothing
                continue
            if name == "ans":
                if not re.match(r"^\s*(\[[^\]]*\]|[A-Za-z]\w*(\([^=]*\))?)\s*=(?!=)", stmt):
                    return last
            elif _assigns(stmt, name):
                return last
    return None


def calls(path, names):
    """Which of ``names`` the code of ``path`` mentions (outside comments and strings)."""
    found = set()
    for _first, _last, code in statements(read_text(path)):
        found.update(w for w in _IDENT.findall(code) if w in names)
    return found


def list_m_files(folder):
    """Names of the regular ``.m`` files of ``folder`` (not followed into subfolders)."""
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.endswith(".m") and entry.is_file():
            out.append(entry.name)
    return out
