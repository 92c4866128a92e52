"""Every training setting in one frozen object, checked once where a run starts.

:class:`TrainingSettings` holds what ``nn3 train``'s options, :func:`nn3.fit`'s and
:func:`nn3.train`'s keyword arguments say. Making one checks every field against the table of
:mod:`nn3.validation` (and the settings against one another) and converts it (``2.0`` becomes
``2``, ``"MATLAB"`` becomes ``"matlab"``); the code below the entry points trusts it and checks
nothing again. Copies with changes are checked too::

    settings = TrainingSettings(hidden_layer_size=25, lambda_=1.0)
    faster = dataclasses.replace(settings, method="lbfgs")   # checked again

The entry points that make one: :func:`nn3.fit`, :func:`nn3.train`, the ``nn3 train`` command,
and an estimator wrapping them (its parameters are these fields). A field of the form
``x: T | None = None`` means "not given"; :meth:`TrainingSettings.given` lists the fields that
are not at their defaults.

Adding a setting: a field here (with its default and a line in the docstring), a row of the same
name in :data:`nn3.validation.SETTINGS`, and its option in ``nn3/cli/options.py``
(``OPTION_NAMES``) when the command line has it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from .errors import ParameterConflictError
from .validation import SETTINGS

#: The hidden layer size when neither the settings nor the starting weights give one (ex4's).
DEFAULT_HIDDEN = 25

#: Settings that only the in-memory training has, with the value that means "not used".
MEMORY_ONLY = {
    "holdout": None,
    "normalize": False,
    "classes": None,
    "y_col": None,
    "method": "fmincg",
    "precision": "double",
    "threads": None,
}

#: Fields that are not rows of the table: checked by their users.
_UNCHECKED = frozenset({"client"})


@dataclass(frozen=True)
class TrainingSettings:
    """The settings of one training run, checked when made.

    Parameters
    ----------
    hidden_layer_size : int, optional
        Hidden units; default 25, or the starting weights' when ``init`` is given.
    lambda_ : float, default 1.0
        Regularisation strength (bias weights are not regularised).
    maxiter : int, default 50
        fmincg's MaxIter: line searches when positive, function evaluations when negative.
    seed : int, default 0
        MATLAB's ``rng(seed)``: the random starting weights and the hold-out split.
    num_labels : int, optional
        Output units K; by default 1 for 0/1 labels, else from the labels.
    epsilon_init : float, default 0.12
        ``randInitializeWeights``' range, [-epsilon, epsilon].
    rng : {"matlab", "octave"}, default "matlab"
        Whose ``rng(seed)`` stream draws the random starting weights (not the hold-out split,
        which is always MATLAB's).
    method : {"fmincg", "lbfgs"}, default "fmincg"
        The optimizer.
    precision : {"double", "single"}, default "double"
        The precision of the evaluation (in-memory training only).
    threads : int, optional
        Threads per evaluation (in-memory training only); default: the cores available. The
        result is the same for any number (:func:`nn3.core.network.memory_objective`).
    init : str or os.PathLike, optional
        A .mat file with the starting weights (see :mod:`nn3.workflow.starting_weights`).
    init_var : str, optional
        Which starting weights of ``init`` (when it holds more than one set).
    holdout : float, optional
        Hold out this fraction of each label's examples and report the test accuracy.
    x_var, y_var : str, default "X", "y"
        The variables of a .mat data file (struct fields as ``"data.X"``).
    y_col : int, optional
        For a numeric text file: the 1-based column of the labels (default the last).
    classes : {None, "auto"}
        ``"auto"``: number any set of whole-number labels 1..K (text labels always are).
    normalize : bool, default False
        Train on ``(X - mu) ./ sigma`` of the training rows.
    engine : {None, "memory", "stream", "dask"}
        Who evaluates the cost and gradient; None: in memory, unless a v7.3 file's X does not
        fit in memory (then ``"stream"``), or ``"dask"``/``"stream"`` when ``client`` or
        ``block_rows`` is given (:meth:`requested_engine`).
    block_rows : int, optional
        Rows per block for ``"stream"``/``"dask"``.
    client : distributed.Client or str, optional
        For ``"dask"``: a client, or an address (``tcp://host:port``, ``local``, ``local:N``),
        checked when the engine connects.

    Raises
    ------
    ParameterError
        A field of the wrong type or out of range, naming it.
    ParameterConflictError
        Settings that cannot go together (``init_var`` without ``init``, ``holdout`` with the
        ``"stream"`` engine, ...), naming both.
    """

    hidden_layer_size: int | None = None
    lambda_: float = 1.0
    maxiter: int = 50
    seed: int = 0
    num_labels: int | None = None
    epsilon_init: float = 0.12
    rng: str = "matlab"
    method: str = "fmincg"
    precision: str = "double"
    threads: int | None = None
    init: str | os.PathLike[str] | None = None
    init_var: str | None = None
    holdout: float | None = None
    x_var: str = "X"
    y_var: str = "y"
    y_col: int | None = None
    classes: str | None = None
    normalize: bool = False
    engine: str | None = None
    block_rows: int | None = None
    client: Any = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _UNCHECKED or (value is None and f.default is None):
                continue
            object.__setattr__(self, f.name, SETTINGS[f.name].check(value))
        if self.init_var is not None and self.init is None:
            raise ParameterConflictError(
                "init_var",
                self.init_var,
                "{name} names a variable of {init}; give {init} too",
                {"init": None},
            )
        if self.client is not None and self.engine not in (None, "dask"):
            raise ParameterConflictError(
                "client",
                self.client,
                "{client=} is for the Dask engine; it cannot be combined with {engine=}",
                {"engine": self.engine},
            )
        self.check_engine(self.requested_engine())

    def requested_engine(self) -> str | None:
        """The engine asked for: ``engine``, else ``"dask"`` with a ``client``, ``"stream"``
        with ``block_rows``; None when the data decides (:func:`nn3.engines.auto_engine`)."""
        if self.engine is not None:
            return self.engine
        if self.client is not None:
            return "dask"
        if self.block_rows is not None:
            return "stream"
        return None

    def check_engine(self, engine: str | None) -> None:
        """Refuse in-memory-only settings with the ``"stream"`` or ``"dask"`` engine.

        Called when the settings are made, and again with the engine the data decided on when
        the settings left it open (a v7.3 file too large for memory).

        Raises
        ------
        ParameterConflictError
            Naming the first in-memory-only setting given (``holdout``, ``normalize``,
            ``classes``, ``y_col``, ``method``, ``precision``, ``threads``) and the engine.
        """
        if engine in (None, "memory"):
            return
        for name, unused in MEMORY_ONLY.items():
            value = getattr(self, name)
            if value != unused:
                raise ParameterConflictError(
                    name,
                    value,
                    "{" + name + "=} is for in-memory training; the " + engine + " engine "
                    "trains with fmincg in double precision on the file as it is, with its own "
                    "threads, so it cannot be combined with {engine=}",
                    {"engine": engine},
                )

    def given(self) -> dict[str, Any]:
        """The fields not at their defaults, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) is not f.default and getattr(self, f.name) != f.default
        }

    @property
    def hidden(self) -> int:
        """``hidden_layer_size``, or the default 25 when it was not given."""
        return DEFAULT_HIDDEN if self.hidden_layer_size is None else self.hidden_layer_size
