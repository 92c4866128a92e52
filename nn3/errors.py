"""The one exception hierarchy for user errors, and text that names parameters.

Everything a user can get wrong (a missing file, a variable that is not there, labels out of
range, a setting that makes no sense) raises a subclass of :class:`Nn3Error`. The CLI turns
these into one line on stderr and exit status 2; anything else is a bug and keeps its traceback.

The library speaks of parameters by their Python names (``hidden_layer_size``); the command line
speaks of options (``--hidden``). So that one message serves both, an error about a setting is a
:class:`ParameterError` that knows which parameters it names, and text that names parameters
(an error's template, a warning's) marks them with placeholders the reader's vocabulary fills in:

``{name}``
    the error's own parameter (``hidden_layer_size``; ``--hidden`` on the command line);
``{lambda_}``
    another parameter by name (``lambda_``; ``--lambda``);
``{engine=}``
    a parameter with the value it was given (``engine='stream'``; ``--stream``);
``{classes='auto'}``
    a parameter with a value to suggest, a Python literal (``classes='auto'``;
    ``--classes auto``).

:func:`fill_names` does the filling; ``str(error)`` is the Python wording and the CLI passes its
own namer (``nn3.cli.options.option_text``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

#: ``namer(parameter, value, with_value)``: how a reader calls a parameter (see fill_names).
Namer = Callable[[str, object, bool], str]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(=([^{}]*))?\}")


def python_name(parameter: str, value: object, with_value: bool) -> str:
    """How Python code calls a parameter: ``lambda_``, or ``engine='stream'`` with its value."""
    return f"{parameter}={value!r}" if with_value else parameter


def fill_names(template: str, values: Mapping[str, object], namer: Namer = python_name) -> str:
    """``template`` with each placeholder of a parameter in ``values`` filled by ``namer``.

    Parameters
    ----------
    template : str
        Text with placeholders (see the module docstring). A placeholder whose name is not a key
        of ``values`` is left as it is, so braces in file names are safe.
    values : mapping of str to object
        The parameters the text names, with their values.
    namer : callable, default :func:`python_name`
        ``namer(parameter, value, with_value)``.
    """

    def fill(match: re.Match) -> str:
        name, has_value, literal = match.group(1), match.group(2), match.group(3)
        if name not in values:
            return match.group(0)
        if not has_value:
            return namer(name, values[name], False)
        value = values[name] if literal == "" else ast.literal_eval(literal)
        return namer(name, value, True)

    return _PLACEHOLDER.sub(fill, template)


class NamedText(str):
    """Text that names parameters: ``str`` is the Python wording, :meth:`named` any other.

    A warning such as "try more iterations ({maxiter}, now 50)" reads "maxiter" from Python and
    "--maxiter" from the command line.

    Parameters
    ----------
    template : str
        With placeholders (see the module docstring).
    values : mapping of str to object
        The parameters the text names, with their values.
    """

    template: str
    values: dict

    def __new__(cls, template: str, values: Mapping[str, object]) -> NamedText:
        text = super().__new__(cls, fill_names(template, values))
        text.template, text.values = template, dict(values)
        return text

    def named(self, namer: Namer) -> str:
        """The text with each parameter called as ``namer`` calls it."""
        return fill_names(self.template, self.values, namer)

    def __reduce__(self):  # pickled with what makes it (a result sent back by a worker)
        return type(self), (self.template, self.values)


def prefixed(prefix: str, message: object) -> str:
    """``prefix`` and ``message`` (an exception's, or text): a :class:`NamedText` when the message
    names parameters, so they keep their names for every reader."""
    if isinstance(message, Exception) and message.args:
        message = message.args[0]
    if isinstance(message, NamedText):
        return NamedText(prefix + message.template, message.values)
    return prefix + str(message)


class Nn3Error(Exception):
    """Base class of every error nn3 raises for bad input."""

    #: Exit status the CLI uses for this error.
    exit_code = 2


class MatFileError(Nn3Error):
    """A .mat file cannot be read or written (missing, unreadable, corrupt, unsupported)."""


class DataError(Nn3Error):
    """The data in a file is not what the network needs (shape, class, values)."""


class OptionError(Nn3Error):
    """A setting makes no sense; the library raises its subclass :class:`ParameterError`."""


class MissingDependencyError(Nn3Error):
    """An optional dependency (matplotlib for pictures, Dask for the Dask engine) is missing."""


class SandboxRequiredError(MissingDependencyError):
    """``nn3 port-check`` was told to isolate the user's code (``sandbox="require"``) and no
    sandbox works here (bubblewrap not installed, no user namespaces); the message says why."""


class ParameterError(OptionError, ValueError, TypeError):
    """A parameter's value has the wrong type or is out of range; ``.parameter`` names it.

    Like scikit-learn's ``InvalidParameterError`` it is also a ``ValueError`` and a
    ``TypeError``, so code written against the errors numpy raised before keeps working. The
    command line shows it with its option name (``--hidden`` for ``hidden_layer_size``).

    Parameters
    ----------
    parameter : str
        The Python name of the parameter (``hidden_layer_size``).
    requirement : str
        What the value must be, e.g. ``"must be at least 1"``.
    value : object
        The value given.
    shown : str, optional
        How to show the value in the message (default ``repr(value)``).
    """

    def __init__(self, parameter, requirement, value, shown=None):
        self.parameter = parameter
        self.requirement = requirement
        self.value = value
        self.shown = repr(value) if shown is None else shown
        super().__init__(self.message_for(parameter))

    @property
    def values(self) -> dict:
        """The parameters the message names, with their values."""
        return {self.parameter: self.value}

    def message_for(self, name):
        """The message with the parameter called ``name`` (e.g. an option name)."""
        return f"{name} {self.requirement}, got {self.shown}"

    def named(self, namer: Namer) -> str:
        """The message with every parameter it names called as ``namer`` calls it."""
        return self.message_for(namer(self.parameter, self.value, False))

    def __reduce__(self):  # pickled with its arguments (an error raised in a worker process)
        return type(self), (self.parameter, self.requirement, self.value, self.shown)


class ParameterConflictError(ParameterError):
    """A parameter's value conflicts with the data or another input; the message names it.

    ``template`` holds ``{name}`` where the parameter is named, so the command line can show its
    option name: ``"init.mat: Theta1 has 4 hidden units but {name} is 7"`` reads
    ``... but hidden_layer_size is 7`` in Python and ``... but --hidden is 7`` in ``nn3 train``.
    Other parameters it names are given in ``others`` (name to value) and marked as the module
    docstring says (``{engine=}``).
    """

    def __init__(self, parameter, value, template, others: Mapping[str, object] | None = None):
        self.template = template
        self.others = dict(others or {})
        super().__init__(parameter, "conflicts", value)

    @property
    def values(self) -> dict:
        return {**self.others, self.parameter: self.value}

    def message_for(self, name):
        """The message with the parameter called ``name`` (e.g. an option name)."""
        return fill_names(self.template.replace("{name}", name), self.values)

    def named(self, namer: Namer) -> str:
        template = self.template.replace("{name}", "{" + self.parameter + "}")
        return fill_names(template, self.values, namer)

    def __reduce__(self):
        return type(self), (self.parameter, self.value, self.template, self.others)


class ObjectiveError(Nn3Error, TypeError, ValueError):
    """The objective handed to an optimizer or the gradient check is not what it needs (a
    callable returning ``(J, grad)``, or a scalar cost). Also a ``TypeError`` and a
    ``ValueError``, as the errors raised before it were."""


class TrainingError(Nn3Error):
    """Training failed (the cost or its gradient became NaN); the CLI exits with status 3."""

    exit_code = 3


class ClusterError(Nn3Error):
    """A Dask cluster cannot be used: the scheduler does not answer, or workers were lost."""
