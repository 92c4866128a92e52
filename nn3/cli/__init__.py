"""The ``nn3`` command: a thin layer over the library that owns output and exit statuses.

Exit statuses: 0 success; 1 a check failed (e.g. accuracy or gradient check); 2 bad input or
usage (one line on stderr naming the file and the problem; ``--debug`` shows the traceback);
3 training failed (the cost or its gradient became NaN; nothing saved); 130 interrupted
(Ctrl-C), after saving what was reached.

Heavy imports (numpy, scipy, h5py) happen inside the commands, so ``nn3 --help`` starts fast.
"""

import sys
import time

import click

from ._version import __version__
from .errors import Nn3Error, OptionError, ParameterError

#: The option each library parameter is given by, in every command (one place): a
#: :class:`~nn3.errors.ParameterError` naming ``hidden_layer_size`` reads ``--hidden ...``.
OPTION_NAMES = {
    "hidden_layer_size": "--hidden",
    "input_layer_size": "--input",
    "num_labels": "--labels",
    "m": "--examples",
    "lambda_": "--lambda",
    "maxiter": "--maxiter",
    "seed": "--seed",
    "epsilon_init": "--epsilon",
    "fraction": "--holdout",
    "rows": "--rows",
    "cols": "--cols",
    "example_width": "--width",
}


def error_message(exc):
    """What the CLI says for a library error: a parameter is called by its option name."""
    if isinstance(exc, ParameterError) and exc.parameter in OPTION_NAMES:
        return exc.message_for(OPTION_NAMES[exc.parameter])
    return str(exc)


class UserError(click.ClickException):
    """An :class:`Nn3Error` as the CLI shows it: ``nn3: error: <message>``, its exit status."""

    exit_code = 2

    def __init__(self, message, exit_code=2):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None):
        click.echo(f"nn3: error: {self.format_message()}", err=True)


class OneLineUsageError(click.UsageError):
    """A click usage error on one line: ``nn3: error: <problem> (see 'nn3 train --help')``."""

    def __init__(self, exc):
        super().__init__(exc.format_message(), exc.ctx)

    def show(self, file=None):
        names, ctx = [], self.ctx
        while ctx is not None and ctx.parent is not None:
            names.insert(0, ctx.info_name)
            ctx = ctx.parent
        where = " ".join(["nn3", *names])
        click.echo(f"nn3: error: {self.format_message()} (see '{where} --help')", err=True)


def _one_line(exc):
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if isinstance(exc, (OneLineUsageError, no_args_help)):
        return exc
    return OneLineUsageError(exc)


class Nn3Group(click.Group):
    """Turns the library's user errors into one-line messages (unless ``--debug``).

    Usage errors (a bad option value, a missing argument) are one line too, and Ctrl-C outside
    training exits with status 130.
    """

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _one_line(exc) from exc

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Nn3Error as exc:
            if ctx.params.get("debug"):
                raise
            raise UserError(error_message(exc), exc.exit_code) from exc
        except click.UsageError as exc:
            raise _one_line(exc) from exc
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            click.echo("nn3: interrupted; nothing was saved", err=True)
            raise click.exceptions.Exit(130) from None


@click.group(cls=Nn3Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nn3", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
def cli(debug):
    """nn3: MATLAB three-layer backpropagation networks in Python, with MATLAB parity.

    \b
    Exit status: 0 success, 1 a check failed, 2 bad input or usage, 3 training
    failed (NaN cost; nothing saved), 130 interrupted (Ctrl-C; the best weights so far
    are saved).
    """


def _fmt_size(a):
    from .matio import format_size

    return format_size(a.shape)


class _Progress:
    """fmincg's progress line: rewritten in place on a terminal, one line per iteration else."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.tty = sys.stdout.isatty()
        self.start = time.monotonic()
        self.pending_newline = False

    def __call__(self, intermediate_result):
        if self.quiet:
            return
        from .optimize import progress_line

        line = progress_line(intermediate_result.nit, intermediate_result.fun)
        if self.tty:
            elapsed = time.monotonic() - self.start
            click.echo(f"\r{line} | {elapsed:6.1f} s", nl=False)
            self.pending_newline = True
        else:
            click.echo(line)

    def close(self):
        if self.pending_newline:
            click.echo()
            self.pending_newline = False


def _check_output_folder(out):
    from .atomic import check_destination

    check_destination(out, OptionError)


#: ``--format`` of every command that writes a .mat file.
_format_option = click.option(
    "--format",
    "out_format",
    type=click.Choice(["5", "7.3"]),
    default="5",
    show_default=True,
    help="MAT-file format of --out: 5 (v5/v7, compressed) or 7.3 (HDF5).",
)


@cli.command()
@click.argument("data", type=click.Path(dir_okay=True))
@click.option(
    "--hidden",
    default=25,
    show_default=True,
    type=int,
    help="Hidden layer size (hidden_layer_size).",
)
@click.option(
    "--lambda",
    "lambda_",
    default=1.0,
    show_default=True,
    type=float,
    help="Regularisation strength lambda (bias weights are not regularised).",
)
@click.option(
    "--maxiter",
    default=50,
    show_default=True,
    type=int,
    help="fmincg MaxIter: line searches if positive, function evaluations if negative.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="MATLAB rng(seed, 'twister') seed for randInitializeWeights (and --holdout's split).",
)
@click.option(
    "--labels",
    "num_labels",
    type=int,
    default=None,
    help="Number of output units K (default: 1 for 0/1 labels, else max(y)).",
)
@click.option(
    "--epsilon",
    "epsilon_init",
    default=0.12,
    show_default=True,
    type=float,
    help="epsilon_init of randInitializeWeights (the source document used 1).",
)
@click.option(
    "--init",
    "init_path",
    type=click.Path(dir_okay=True),
    default=None,
    help="Start from Theta1/Theta2 (or initial_params) in this .mat file.",
)
@click.option(
    "--out",
    default="nn3_weights.mat",
    show_default=True,
    type=click.Path(),
    help="Where to write the trained weights (.mat, written atomically).",
)
@_format_option
@click.option(
    "--x-var",
    default="X",
    show_default=True,
    help="Name of the data variable; struct fields as data.X.",
)
@click.option(
    "--y-var",
    default="y",
    show_default=True,
    help="Name of the label variable; struct fields as data.y.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@click.option(
    "--holdout",
    type=float,
    default=None,
    help="Hold out this fraction of each label's examples (stratified, by --seed) and report "
    "the test-set accuracy too, e.g. --holdout 0.2.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(),
    default=None,
    help="Save the cost per iteration as a PNG (needs matplotlib: pip install 'nn3[plot]').",
)
def train(
    data,
    hidden,
    lambda_,
    maxiter,
    seed,
    num_labels,
    epsilon_init,
    init_path,
    out,
    x_var,
    y_var,
    quiet,
    holdout,
    plot_path,
    out_format,
):
    """Train a network on DATA.mat with fmincg and save the weights.

    Prints fmincg's progress, the training-set accuracy, and writes Theta1, Theta2, nn_params,
    cost (fmincg's fX) and the settings used to --out. --holdout trains on part of the data and
    also reports the accuracy on the rest; --plot draws the cost per iteration.
    """
    import signal
    import threading

    import numpy as np

    from . import training
    from .errors import TrainingError
    from .matio import save_mat
    from .network import unroll
    from .validation import check_feature_count, validate

    training.check_settings(
        hidden_layer_size=hidden,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )
    _check_output_folder(out)
    if holdout is not None:
        validate("fraction", holdout)
    if plot_path is not None:
        from .plot import _matplotlib

        _matplotlib()  # before training: say what to install now, not after the run
        _check_output_folder(plot_path)
    X, y = training.load_training_data(data, x_var, y_var, num_labels=num_labels)

    initial_params = None
    init_note = f"randInitializeWeights, rng({seed}, 'twister'), epsilon {epsilon_init:g}"
    if init_path is not None:
        Theta1, Theta2 = training.load_weights(init_path)
        ctx = click.get_current_context()
        explicit = ctx.get_parameter_source("hidden") == click.core.ParameterSource.COMMANDLINE
        if explicit and hidden != Theta1.shape[0]:
            raise OptionError(
                f"{init_path}: Theta1 has {Theta1.shape[0]} hidden units but --hidden is {hidden}"
            )
        hidden = Theta1.shape[0]
        check_feature_count(X.shape[1], Theta1.shape, f"{data} and {init_path}: ")
        if num_labels is not None and num_labels != Theta2.shape[0]:
            raise OptionError(
                f"{init_path}: Theta2 has {Theta2.shape[0]} output units but "
                f"--labels is {num_labels}"
            )
        if num_labels is None:  # the labels were checked without knowing K: check them again
            training.check_labels(y, data, y_var, Theta2.shape[0])
        num_labels = Theta2.shape[0]
        initial_params = unroll(Theta1, Theta2)
        init_note = f"from {init_path}"
    _check_network_size(data, X, y, hidden, num_labels)
    if holdout is not None:
        split = _holdout(X, y, holdout, seed, num_labels)
        X, y, num_labels = split["X_train"], split["y_train"], split["num_labels"]

    progress = _Progress(quiet)
    stop = threading.Event()

    def on_sigint(signum, frame):
        if stop.is_set():  # second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        result = training.train(
            X,
            y,
            hidden_layer_size=hidden,
            lambda_=lambda_,
            maxiter=maxiter,
            seed=seed,
            num_labels=num_labels,
            initial_params=initial_params,
            epsilon_init=epsilon_init,
            callback=progress,
            stop_event=stop,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.close()

    res = result.optimize_result
    if res.status == 3:  # NaN: refuse to save weights as if trained
        raise TrainingError(
            f"{data}: training failed: the cost or its gradient became NaN at evaluation "
            f"{res.nfev} (fmincg: {res.message}); nothing saved to {out} (best cost before: "
            f"{res.fun:.6e}; check the scale of X, --epsilon and --init)"
        )
    variables = {
        "Theta1": result.Theta1,
        "Theta2": result.Theta2,
        "nn_params": result.nn_params.reshape(-1, 1),
        "initial_params": result.initial_params.reshape(-1, 1),
        "cost": np.asarray(res.fun_history, dtype=np.float64).reshape(-1, 1),
        "iterations": float(res.nit),
        "n_evals": float(res.nfev),
        "train_accuracy": result.train_accuracy,
        "interrupted": np.array([[result.interrupted]]),
        "data_file": str(data),
        "x_var": x_var,
        "y_var": y_var,
        "init": init_note,
        "nn3_version": __version__,
    }
    variables.update({k: float(v) for k, v in result.settings.items()})
    if holdout is not None:
        variables.update(_holdout_variables(split, result))
    previous = signal.signal(signal.SIGINT, on_sigint)  # a first Ctrl-C lets the save finish
    try:
        save_mat(out, variables, format=out_format)
    finally:
        signal.signal(signal.SIGINT, previous)
    click.echo(f"Training Set Accuracy: {result.train_accuracy:.2f}%")
    if holdout is not None:
        click.echo(
            f"Test Set Accuracy: {variables['test_accuracy']:.2f}% "
            f"({split['test_idx'].size} held-out examples, stratified, seed {seed})"
        )
    click.echo(
        f"Saved Theta1 ({_fmt_size(result.Theta1)}) and Theta2 "
        f"({_fmt_size(result.Theta2)}) to {out}"
    )
    if plot_path is not None:
        from .plot import plot_cost, save_png

        size = save_png(plot_cost(res.fun_history), plot_path)
        click.echo(f"Saved the cost per iteration to {plot_path} ({size[0]}x{size[1]} pixels)")
    if result.interrupted:
        click.echo(
            f"nn3: interrupted after {res.nfev} evaluations; saved the best weights "
            f"reached so far (cost {res.fun:.6e}) to {out}, marked interrupted = 1",
            err=True,
        )
        sys.exit(130)
    if stop.is_set():
        click.echo(
            f"nn3: interrupted after training had finished; the complete result is in {out}",
            err=True,
        )
        sys.exit(130)


def _check_network_size(data, X, y, hidden, num_labels):
    """Refuse networks too large to hold in memory before allocating them."""
    from .matio import MAX_ELEMENTS
    from .training import infer_num_labels

    m, n = X.shape
    K = num_labels if num_labels is not None else infer_num_labels(y)
    weights = hidden * (n + 1) + K * (hidden + 1)
    activations = m * (hidden + 1 + K)
    if max(weights, activations) > MAX_ELEMENTS // 8:
        raise OptionError(
            f"--hidden {hidden}: a {n}-{hidden}-{K} network on {data} ({m} examples) needs "
            f"{weights} weights and {activations} activations; too large (limit "
            f"{MAX_ELEMENTS // 8} each)"
        )


def _holdout(X, y, fraction, seed, num_labels):
    """Split for ``--holdout``: the training part, and what the test report needs."""
    from . import training

    train_idx, test_idx = training.holdout_split(y, fraction, seed)
    if num_labels is None:  # from all labels, so a label missing from training keeps its unit
        num_labels = training.infer_num_labels(y)
    return {
        "fraction": fraction,
        "train_idx": train_idx,
        "test_idx": test_idx,
        "X_train": X[train_idx],
        "y_train": y[train_idx],
        "X_test": X[test_idx],
        "y_test": y[test_idx],
        "num_labels": num_labels,
    }


def _holdout_variables(split, result):
    """Test-set accuracy and the split (1-based row indices, columns) for the weights file."""
    from .network import accuracy, predict

    p = predict(result.Theta1, result.Theta2, split["X_test"])
    return {
        "holdout": split["fraction"],
        "test_accuracy": accuracy(p, split["y_test"]),
        "train_idx": (split["train_idx"] + 1.0).reshape(-1, 1),
        "test_idx": (split["test_idx"] + 1.0).reshape(-1, 1),
    }


def _parse_sample(text):
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise OptionError(f"--x: '{part}' is not a number (give e.g. --x 1.5,2.0)") from None
    if not values:
        raise OptionError("--x: no values given (give e.g. --x 1.5,2.0)")
    return values


@cli.command()
@click.argument("weights", type=click.Path(dir_okay=True))
@click.argument("data", required=False, type=click.Path(dir_okay=True))
@click.option(
    "--x", "sample", default=None, help="One sample as comma-separated features, e.g. --x 1.5,2.0."
)
@click.option(
    "--out",
    default=None,
    type=click.Path(),
    help="Write the predictions p (m x 1) and outputs h (m x K) to this .mat file.",
)
@_format_option
@click.option("--x-var", default="X", show_default=True, help="Name of the data variable.")
@click.option(
    "--y-var",
    default="y",
    show_default=True,
    help="Name of the label variable (accuracy is shown when it is present).",
)
def predict(weights, data, sample, out, x_var, y_var, out_format):
    """Predict with trained WEIGHTS.mat on DATA.mat or on one sample (--x).

    Labels are 1..K (argmax of the outputs), or 0/1 for a single output unit.
    """
    import numpy as np

    from . import training
    from .matio import save_mat
    from .network import accuracy, labels_from_outputs, predict_proba
    from .validation import check_feature_count

    if (data is None) == (sample is None):
        raise OptionError("give either DATA.mat or --x (one sample), not both or neither")
    if out is not None:
        _check_output_folder(out)
    Theta1, Theta2 = training.load_weights(weights)
    y = None
    if sample is not None:
        X = np.array([_parse_sample(sample)])
        source = "--x"
    else:
        X, y = training.load_training_data(data, x_var, y_var, require_y=False)
        source = data
    check_feature_count(X.shape[1], Theta1.shape, f"{source} and {weights}: ")
    h = predict_proba(Theta1, Theta2, X)
    p = labels_from_outputs(h)
    if sample is not None:
        click.echo(f"Prediction: {int(p[0])}")
        if Theta2.shape[0] == 1:
            click.echo(f"Output h: {h[0, 0]:.6f}")
        else:
            click.echo("Outputs h: " + " ".join(f"{v:.4f}" for v in h[0]))
    else:
        click.echo(f"Predicted {X.shape[0]} examples")
        if y is not None:
            click.echo(f"Accuracy: {accuracy(p, y):.2f}%")
    if out is not None:
        save_mat(out, {"p": p.reshape(-1, 1), "h": h}, format=out_format)
        click.echo(f"Saved p ({p.size}x1) and h ({_fmt_size(h)}) to {out}")


def main(argv=None):
    """Entry point of the ``nn3`` console script."""
    cli.main(args=argv, prog_name="nn3")


from . import cli_show  # noqa: E402,F401,I001  (registers show)
from . import cli_tools  # noqa: E402,F401  (registers compare, check-grad, cost, info)
from .portcheck import command as _portcheck  # noqa: E402,F401  (registers port-check)
