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
