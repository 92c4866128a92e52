"""Every option of the ``nn3`` commands, defined once, and the one map to the library's names.

As pip-tools' ``scripts/options.py``: a command module builds its options from here, so an
option reads the same in every command. Options whose default differs between commands (``--lambda``
is 1 for ``train``, as ex4.m trains, and 0 for ``cost`` and ``check-grad``, as ex4.m's checks)
are functions of the default. :data:`OPTION_NAMES` maps each library parameter to the option
that gives it; the library's errors and warnings name parameters, and :func:`option_text` is how
the command line calls them (``hidden_layer_size`` is ``--hidden``, ``engine='stream'`` is
``--stream``).

Imports click and the settings table only (no numpy), so ``nn3 --help`` stays fast.
"""

from __future__ import annotations

import os
from dataclasses import fields
from typing import Any

import click

from ..errors import OptionError, python_name
from ..settings import DEFAULT_HIDDEN, TrainingSettings
from ..validation import CLASSES, METHODS, PRECISIONS, RNG_NAMES, format_value

#: The default of each training setting (the library's, so the command cannot drift from it).
DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(TrainingSettings)}

#: The option each library parameter is given by, in every command (one place): a
#: :class:`~nn3.errors.ParameterError` naming ``hidden_layer_size`` reads ``--hidden ...``. The
#: options below take their spelling from here (:func:`_option`).
OPTION_NAMES: dict[str, str] = {
    "hidden_layer_size": "--hidden",
    "lambda_": "--lambda",
    "maxiter": "--maxiter",
    "seed": "--seed",
    "num_labels": "--labels",
    "epsilon_init": "--epsilon",
    "rng": "--rng",
    "method": "--method",
    "precision": "--precision",
    "threads": "--threads",
    "init": "--init",
    "init_var": "--init-var",
    "holdout": "--holdout",
    "x_var": "--x-var",
    "y_var": "--y-var",
    "y_col": "--y-col",
    "classes": "--classes",
    "normalize": "--normalize",
    "block_rows": "--block-rows",
    "client": "--dask",
    "engine": "--stream/--dask",
    "rows": "--rows",
    "cols": "--cols",
    "example_width": "--width",
    "features": "--features",
    "ulps": "--ulps",
    "lambdas": "--lambda",
    "cv": "--cv",
    "jobs": "--jobs",
    "sizes": "--sizes",
    "shuffle": "--in-order",
    "time_limit": "--time-limit",
    # parameters of the library that an option gives under another name
    "input_layer_size": "--input",
    "m": "--examples",
    "fraction": "--holdout",
    "labels": "--labels",
    "path": "--out",
}

#: Parameters of the Python API that no option gives (their errors keep the Python name).
PYTHON_ONLY = frozenset({"L_in", "L_out", "fan_in", "fan_out", "red", "e", "scale", "y", "jac"})

#: How ``engine`` values are chosen on the command line.
_ENGINE_OPTIONS = {"stream": "--stream", "dask": "--dask", "memory": "in-memory training"}


def option_text(parameter: str, value: object, with_value: bool) -> str:
    """How the command line calls a parameter (a :data:`~nn3.errors.Namer` for the library's
    errors and warnings): ``--hidden``, or with a value ``--method lbfgs``, ``--normalize``,
    ``--stream``. A parameter no option gives keeps its Python name."""
    name = OPTION_NAMES.get(parameter)
    if name is None:
        return python_name(parameter, value, with_value)
    if parameter == "engine":
        return _ENGINE_OPTIONS.get(str(value), name) if with_value or value else name
    if not with_value:
        return name
    if isinstance(value, bool):
        return name if value else f"no {name}"
    shown = value if isinstance(value, str) else format_value(value)
    return f"{name} {shown}"


def _option(parameter: str, *decls: str, **attrs):
    """The option of a library ``parameter``, spelled as :data:`OPTION_NAMES` says, giving the
    command the parameter by its library name (``--hidden`` gives ``hidden_layer_size``)."""
    return click.option(OPTION_NAMES[parameter], *decls, parameter, **attrs)


class InputFile(click.Path):
    """An input file, found as MATLAB's ``load`` finds one: ``mydata`` is ``mydata.mat`` when
    there is no file ``mydata`` and there is a ``mydata.mat``."""

    def convert(self, value, param, ctx):
        value = super().convert(value, param, ctx)
        path = os.fsdecode(value)
        if not os.path.splitext(path)[1] and not os.path.lexists(path):
            if os.path.exists(path + ".mat"):
                return path + ".mat"
        return value


def data_argument(name: str = "data", required: bool = True):
    """A data or weights file argument (``DATA``, ``WEIGHTS``, ``FILE``)."""
    return click.argument(name, required=required, type=InputFile(dir_okay=True))


# --- The network and its training --------------------------------------------------------------


def hidden(default: int | None = None, help: str | None = None):
    """``--hidden``: ``train``'s default is the library's (25, or ``--init``'s)."""
    return _option(
        "hidden_layer_size",
        type=int,
        default=default,
        show_default=default is not None,
        help=help
        or f"Hidden layer size (hidden_layer_size) [default: {DEFAULT_HIDDEN}, or --init's].",
    )


def lambda_(default: float):
    """``--lambda``: ``train`` defaults to 1 (ex4.m trains with it); ``cost`` and ``check-grad``
    to 0 (the unregularised checks of ex4.m)."""
    other = "nn3 train defaults to 1" if default == 0 else "nn3 cost defaults to 0"
    return _option(
        "lambda_",
        type=float,
        default=default,
        show_default=True,
        help=f"Regularisation strength lambda (bias weights are not regularised; {other}).",
    )


class NumberList(click.ParamType):
    """A number, or a comma-separated list of them (``0,0.01,0.1``): a ``float``/``int`` for one
    value (read as click reads one), a tuple for a list. The values' ranges are the library's
    to check (naming the parameter); here only "is it a list of numbers"."""

    def __init__(self, number: type = float) -> None:
        self.number = number
        self.name = "list"
        self._one = click.FLOAT if number is float else click.INT

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        if "," not in value:
            return self._one.convert(value, param, ctx)
        items = [item.strip() for item in value.split(",")]
        word = "number" if self.number is float else "whole number"
        if "" in items:
            self.fail(f"{value!r} has an empty item; give {word}s separated by commas", param, ctx)
        values = []
        for item in items:
            try:
                values.append(self.number(item))
            except ValueError:
                self.fail(f"{item!r} in {value!r} is not a {word}", param, ctx)
        return tuple(values)


def lambdas(default: float):
    """``--lambda`` of ``nn3 train``: one value, or a list to choose from on a validation set."""
    return _option(
        "lambda_",
        type=NumberList(float),
        default=default,
        show_default=True,
        metavar="FLOAT|LIST",
        help="Regularisation strength lambda (bias weights are not regularised; nn3 cost "
        "defaults to 0). In nn3 train, a list "
        "(0,0.01,0.1,1) trains each on the training part from the same starting weights, "
        "prints the training and validation costs and accuracies, and saves the network of the "
        "lowest validation cost, trained as with that value alone (needs --holdout or --cv; "
        "the table is saved as lambda_curve; --plot draws the validation curve).",
    )


def labels(default: int | None = None, help: str | None = None):
    """``--labels``: the output units K."""
    return _option(
        "num_labels",
        type=int,
        default=default,
        show_default=default is not None,
        help=help or "Number of output units K (default: 1 for 0/1 labels, else max(y)).",
    )


def seed(help: str):
    """``--seed``: MATLAB's ``rng(seed)``; what it seeds depends on the command."""
    return _option("seed", type=int, default=DEFAULTS["seed"], show_default=True, help=help)


def rows(default: int | None, required: bool = False, help: str = ""):
    """``--rows``: a picture's rows of images (``show``), a data set's examples (``make-data``)."""
    return _option("rows", type=int, default=default, required=required, help=help)


cols = _option("cols", type=int, default=None, help="Columns of images in the grid.")
width = _option(
    "example_width",
    type=int,
    default=None,
    help="Image width in pixels (default: the square root of the feature count).",
)
ulps = _option(
    "ulps",
    default=None,
    type=int,
    help="Instead of rtol/atol: at most N units in the last place apart (0: identical bits).",
)
features = _option("features", type=int, required=True, help="Features n (columns of X).")
maxiter = _option(
    "maxiter",
    type=int,
    default=DEFAULTS["maxiter"],
    show_default=True,
    help="fmincg MaxIter: line searches if positive, function evaluations if negative.",
)
rng = _option(
    "rng",
    type=click.Choice(RNG_NAMES),
    default=DEFAULTS["rng"],
    show_default=True,
    help="Whose rng(seed) draws the initial weights: MATLAB's or GNU Octave's (--holdout's "
    "split always uses MATLAB's).",
)
epsilon = _option(
    "epsilon_init",
    type=float,
    default=DEFAULTS["epsilon_init"],
    show_default=True,
    help="epsilon_init of randInitializeWeights (the source document used 1).",
)
init = _option(
    "init",
    type=InputFile(dir_okay=True),
    default=None,
    help="Start from Theta1/Theta2, or an unrolled initial_nn_params, initial_params or "
    "nn_params (sizes from the data and --hidden), in this .mat file.",
)
init_var = _option(
    "init_var",
    default=None,
    metavar="NAME",
    help="Which starting weights of --init to use when it holds more than one (Theta1 for "
    "Theta1/Theta2, or the unrolled vector's name).",
)
holdout = _option(
    "holdout",
    type=float,
    default=None,
    help="Hold out this fraction of each label's examples (stratified, by --seed) and report "
    "the test-set accuracy too, e.g. --holdout 0.2.",
)
classes = _option(
    "classes",
    type=click.Choice(CLASSES),
    default=None,
    help="Map any set of whole-number labels (-1/+1, 0..9) to 1..K in ascending order and store "
    "them as 'classes'. Text labels are always mapped.",
)
y_col = _option(
    "y_col",
    type=int,
    default=None,
    metavar="N",
    help="Text files (.txt/.csv/.dat): 1-based column of the labels (default: the last).",
)
normalize = _option(
    "normalize",
    is_flag=True,
    help="Train on (X - mu) ./ sigma (featureNormalize: mean, std with N-1, of the training "
    "rows); save mu and sigma, which nn3 predict applies.",
)
method = _option(
    "method",
    type=click.Choice(METHODS),
    default=DEFAULTS["method"],
    show_default=True,
    help="Optimizer: fmincg (the coursework's; MATLAB's iterates) or lbfgs (scipy's L-BFGS-B: "
    "usually fewer evaluations to the same cost). Saved as 'method'.",
)
precision = _option(
    "precision",
    type=click.Choice(PRECISIONS),
    default=DEFAULTS["precision"],
    show_default=True,
    help="Evaluate in float64 or float32 (single: faster on large data, cost sums in float64; "
    "not MATLAB's bits). Saved as 'precision'.",
)

threads = _option(
    "threads",
    type=int,
    default=None,
    metavar="N",
    help="Threads per evaluation of the cost and gradient [default: one per core]. Any number "
    "gives the same bits (fixed row blocks, summed in order); in-memory training only.",
)


# --- Variables of the data file -----------------------------------------------------------------


def x_var(default: str | None = DEFAULTS["x_var"], help: str = "Name of the data variable."):
    """``--x-var``; struct fields as ``data.X``."""
    return _option("x_var", default=default, show_default=default is not None, help=help)


def y_var(default: str = DEFAULTS["y_var"], help: str = "Name of the label variable."):
    """``--y-var``; struct fields as ``data.y``."""
    return _option("y_var", default=default, show_default=True, help=help)


# --- Engines ------------------------------------------------------------------------------------

stream = click.option(
    "--stream",
    is_flag=True,
    help="Read X by row blocks from the v7.3 file at each evaluation (bounded memory); the "
    "default when X does not fit in memory.",
)
block_rows = _option(
    "block_rows",
    type=int,
    default=None,
    metavar="N",
    help="Rows per block for --stream/--dask (default: about 32 MB of X per block).",
)
dask = click.option(
    "--dask",
    "dask",
    default=None,
    metavar="ADDRESS|local[:N]",
    help="Evaluate on Dask workers: a scheduler tcp://HOST:PORT, or local[:N] for N local "
    "worker processes, at most this machine's CPUs (or 4) (needs pip install 'nn3[dask]'). "
    "With a --lambda list, --cv or nn3 learning-curve: run the trainings there, each in memory "
    "on one worker.",
)


def engine_options(command):
    """``--stream``, ``--block-rows``, ``--dask`` (see :func:`engine_of`)."""
    return stream(block_rows(dask(command)))


def engine_of(stream: bool, dask: str | None) -> str | None:
    """The ``engine`` setting of ``--stream``/``--dask``; None leaves it to the settings (and
    ``--block-rows`` alone means streaming)."""
    if stream and dask is not None:
        raise OptionError("--stream and --dask are two engines; give one")
    return "dask" if dask is not None else ("stream" if stream else None)


# --- Outputs ------------------------------------------------------------------------------------


def out(default: str | None = None, required: bool = False, help: str = ""):
    """``--out``: where a command writes (atomically)."""
    return click.option(
        "--out",
        default=default,
        required=required,
        show_default=default is not None,
        type=click.Path(),
        help=help,
    )


def format_(choices=("5", "7.3"), default: str = "5"):
    """``--format`` of a command that writes a .mat file."""
    words = {"5": "5 (v5/v7, compressed)", "7.3": "7.3 (HDF5)"}
    return click.option(
        "--format",
        "out_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="MAT-file format of --out: " + " or ".join(words[c] for c in choices) + ".",
    )


cv = _option(
    "cv",
    type=int,
    default=None,
    metavar="K",
    help="Choose among the --lambda values by K-fold cross-validation (stratified, by --seed; "
    "the table holds the means over the folds) instead of --holdout; the chosen network is "
    "then trained on all the data.",
)
jobs = _option(
    "jobs",
    type=int,
    default=None,
    metavar="N",
    help="Evaluations (one per --lambda value, fold or --sizes number) run at once, on threads "
    "[default: one per core]; with --dask they run on its workers. The results are the same, "
    "bit for bit.",
)
sizes = _option(
    "sizes",
    type=NumberList(int),
    default=None,
    metavar="LIST",
    help="Numbers of training examples, e.g. 50,100,200 [default: every number up to 20 "
    "training examples, else 10 from a tenth of them to all].",
)
in_order = click.option(
    OPTION_NAMES["shuffle"],
    "in_order",
    is_flag=True,
    help="Take the first examples in the file's order, as learningCurve.m does [default: in the "
    "order of rng(seed); randperm(m), so that data sorted by class gives every class].",
)

quiet = click.option("--quiet", "-q", is_flag=True, help="No progress lines.")


def json_report(what: str = "the report as JSON"):
    """``--json``: print ``what`` (one JSON document) instead of the text report, for scripts
    (``nn3 compare``, ``nn3 port-check``)."""
    return click.option("--json", "as_json", is_flag=True, help=f"Print {what} instead of text.")


# --- Running a user's code (nn3 port-check) -----------------------------------------------------

time_limit = _option(
    "time_limit",
    default=10.0,
    show_default=True,
    type=float,
    metavar="SECONDS",
    help="Seconds each call of your code may take (above 0, at most 3600); the whole check of "
    "a folder may take 12 times as long (at least 60 s).",
)


def plot_of(what: str):
    """``--plot``: save ``what`` as a picture."""
    return click.option(
        "--plot",
        "plot_path",
        type=click.Path(),
        default=None,
        help=f"Save {what} as a picture, in the format of its extension (PNG, PDF, SVG, JPG, ...; "
        "needs matplotlib: pip install 'nn3[plot]').",
    )


plot = plot_of("the cost per iteration (with a --lambda list: the validation curve)")


# --- Every training setting, for nn3 train --------------------------------------------------------


def training_options(command):
    """All the options of :class:`~nn3.settings.TrainingSettings`, as ``nn3 train`` has them."""
    for option in reversed(
        (
            hidden(),
            lambdas(DEFAULTS["lambda_"]),
            maxiter,
            seed("MATLAB rng(seed, 'twister') seed for randInitializeWeights (and --holdout's "
                 "split)."),
            rng,
            labels(),
            epsilon,
            init,
            init_var,
            x_var(help="Name of the data variable; struct fields as data.X."),
            y_var(help="Name of the label variable; struct fields as data.y."),
            holdout,
            engine_options,
            classes,
            y_col,
            normalize,
            method,
            precision,
            threads,
        )
    ):  # fmt: skip
        command = option(command)
    return command


def training_settings(stream: bool = False, dask: str | None = None, **given) -> TrainingSettings:
    """The :class:`~nn3.settings.TrainingSettings` of :func:`training_options`' values (the one
    check of every setting)."""
    return TrainingSettings(engine=engine_of(stream, dask), client=dask, **given)
