"""The one exception hierarchy for user errors.

Everything a user can get wrong (a missing file, a variable that is not there, labels out of
range, an option that makes no sense) raises a subclass of :class:`Nn3Error`. The CLI turns
these into one line on stderr and exit status 2; anything else is a bug and keeps its traceback.
"""


class Nn3Error(Exception):
    """Base class of every error nn3 raises for bad input."""

    #: Exit status the CLI uses for this error.
    exit_code = 2


class MatFileError(Nn3Error):
    """A .mat file cannot be read or written (missing, unreadable, corrupt, unsupported)."""


class DataError(Nn3Error):
    """The data in a file is not what the network needs (shape, class, values)."""


class OptionError(Nn3Error):
    """An option value makes no sense (``--hidden 0``, a negative lambda, ...)."""


class MissingDependencyError(Nn3Error):
    """An optional dependency (matplotlib for pictures) is not installed."""


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

    def message_for(self, name):
        """The message with the parameter called ``name`` (e.g. an option name)."""
        return f"{name} {self.requirement}, got {self.shown}"


class ObjectiveError(Nn3Error, TypeError):
    """The objective handed to fmincg does not return what fmincg needs (``(J, grad)``)."""


class TrainingError(Nn3Error):
    """Training failed (the cost or its gradient became NaN); the CLI exits with status 3."""

    exit_code = 3


class ClusterError(Nn3Error):
    """A Dask cluster cannot be used: the scheduler does not answer, or workers were lost."""


class ParameterConflictError(ParameterError):
    """A parameter's value conflicts with the data or another input; the message names it.

    ``template`` holds ``{name}`` where the parameter is named, so the command line can show its
    option name: ``"init.mat: Theta1 has 4 hidden units but {name} is 7"`` reads
    ``... but hidden_layer_size is 7`` in Python and ``... but --hidden is 7`` in ``nn3 train``.
    """

    def __init__(self, parameter, value, template):
        self.template = template
        super().__init__(parameter, "conflicts", value)

    def message_for(self, name):
        """The message with the parameter called ``name`` (e.g. an option name)."""
        return self.template.replace("{name}", name)
