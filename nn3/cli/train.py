"""``nn3 train DATA.mat``: parse the options, handle Ctrl-C, print; the library trains.

Registered in :data:`nn3.cli.COMMANDS`. Everything between the options and the output (data,
starting weights, checks, hold-out, the weights file's variables) is
:func:`nn3.workflow.fitting.prepare` and :class:`nn3.workflow.fitting.FitResult`, so
``nn3.fit(...).save(path)`` writes the same file. numpy and scipy are imported inside the command,
so ``nn3 --help`` stays fast.

Ctrl-C (SIGINT), SIGTERM and SIGHUP alike (:class:`nn3.cli._common.StopSignals`): the first
stops training after the current function evaluation; the best weights reached are saved,
marked ``interrupted = 1``, and the exit status is 128 + the signal (130, 143, 129). A second one
stops at once, nothing saved: during the save, the save is abandoned, its temporary file removed
and the previous file left as it was. A first one during the save lets the save finish.
"""

import sys

import click

from ..errors import OptionError
from ._common import (
    Progress,
    StopSignals,
    check_distinct,
    check_output_folder,
    fmt_size,
    format_option,
    shown,
)


@click.command()
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
    "--rng",
    "rng_engine",
    type=click.Choice(["matlab", "octave"]),
    default="matlab",
    show_default=True,
    help="Whose rng(seed) draws the initial weights: MATLAB's or GNU Octave's (--holdout's "
    "split always uses MATLAB's).",
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
    help="Start from Theta1/Theta2, or an unrolled initial_nn_params, initial_params or "
    "nn_params (sizes from the data and --hidden), in this .mat file.",
)
@click.option(
    "--init-var",
    "init_var",
    default=None,
    metavar="NAME",
    help="Which starting weights of --init to use when it holds more than one (Theta1 for "
    "Theta1/Theta2, or the unrolled vector's name).",
)
@click.option(
    "--out",
    default="nn3_weights.mat",
    show_default=True,
    type=click.Path(),
    help="Where to write the trained weights (.mat, written atomically).",
)
@format_option
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
@click.option(
    "--stream",
    is_flag=True,
    help="Read X by row blocks from the v7.3 file at each evaluation (bounded memory); the "
    "default when X does not fit in memory.",
)
@click.option(
    "--block-rows",
    type=int,
    default=None,
    metavar="N",
    help="Rows per block for --stream/--dask (default: about 32 MB of X per block).",
)
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="ADDRESS|local[:N]",
    help="Evaluate on Dask workers: a scheduler tcp://HOST:PORT, or local[:N] for N local "
    "worker processes (needs pip install 'nn3[dask]').",
)
@click.option(
    "--classes",
    type=click.Choice(["auto"]),
    default=None,
    help="Map any set of whole-number labels (-1/+1, 0..9) to 1..K in ascending order and store "
    "them as 'classes'. Text labels are always mapped.",
)
@click.option(
    "--y-col",
    "y_col",
    type=int,
    default=None,
    metavar="N",
    help="Text files (.txt/.csv/.dat): 1-based column of the labels (default: the last).",
)
@click.option(
    "--normalize",
    is_flag=True,
    help="Train on (X - mu) ./ sigma (featureNormalize: mean, std with N-1, of the training "
    "rows); save mu and sigma, which nn3 predict applies.",
)
@click.option(
    "--method",
    type=click.Choice(["fmincg", "lbfgs"]),
    default="fmincg",
    show_default=True,
    help="Optimizer: fmincg (the coursework's; MATLAB's iterates) or lbfgs (scipy's L-BFGS-B: "
    "usually fewer evaluations to the same cost). Saved as 'method'.",
)
@click.option(
    "--precision",
    type=click.Choice(["double", "single"]),
    default="double",
    show_default=True,
    help="Evaluate in float64 or float32 (single: faster on large data, cost sums in float64; "
    "not MATLAB's bits). Saved as 'precision'.",
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
    rng_engine,
    init_var,
    stream,
    block_rows,
    dask_address,
    classes,
    y_col,
    normalize,
    method="fmincg",
    precision="double",
):
    """Train a network on DATA.mat with fmincg and save the weights.

    Prints fmincg's progress, the training-set accuracy, and writes Theta1, Theta2, nn_params,
    cost (fmincg's fX) and the settings used to --out. --holdout trains on part of the data and
    also reports the accuracy on the rest; --plot draws the cost per iteration.

    DATA may also be a numeric text file (.txt/.csv/.dat, as MATLAB's load reads it): the last
    column is y (--y-col N for another). Text labels are numbered 1..K in sorted order and
    stored as 'classes'. Warns on stderr when the network learned nothing (accuracy at the
    majority-class rate) or the cost stalled.
    """

    from ..validation import validate
    from ..workflow import fitting, training

    training.check_settings(
        hidden_layer_size=hidden,
        lambda_=lambda_,
        maxiter=maxiter,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        seed=seed,
    )
    check_output_folder(out)
    if holdout is not None:
        validate("fraction", holdout)
    if plot_path is not None:
        from ..plot import _matplotlib

        _matplotlib()  # before training: say what to install now, not after the run
        check_output_folder(plot_path)
    if init_var is not None and init_path is None:
        raise OptionError("--init-var names a variable of --init; give --init FILE too")
    check_distinct([("DATA", data), ("--init", init_path)], [("--out", out), ("--plot", plot_path)])
    ctx = click.get_current_context()
    explicit = ctx.get_parameter_source("hidden") == click.core.ParameterSource.COMMANDLINE
    run = fitting.prepare(
        data,
        hidden_layer_size=hidden if explicit or init_path is None else None,
        lambda_=lambda_,
        maxiter=maxiter,
        seed=seed,
        num_labels=num_labels,
        epsilon_init=epsilon_init,
        init=init_path,
        init_var=init_var,
        holdout=holdout,
        rng=rng_engine,
        x_var=x_var,
        y_var=y_var,
        **_engine_options(stream, block_rows, dask_address),
        classes=classes,
        y_col=y_col,
        normalize=normalize,
    )
    mapping = getattr(run, "mapping", None)  # issue 15: say how the labels were numbered
    if mapping is not None:
        click.echo(f"nn3: {y_var}: {mapping.message}", err=True)
    if init_path is not None:
        _say_init(run, init_path)

    fitting.use_method_precision(run, method, precision)  # issue 16
    progress = Progress(quiet)
    signals = StopSignals()  # Ctrl-C, SIGTERM, SIGHUP: stop, save the best weights, say so
    stop = signals.stop
    previous = signals.install()  # until the command ends: training, saving, printing
    ctx.call_on_close(lambda: signals.restore(previous))
    try:
        if isinstance(run, fitting.EngineTrainingRun):  # --stream/--dask: eval/s and rows/s
            result = run.run(callback=progress, stop_event=stop, progress=progress.evaluated)
        else:
            result = run.run(callback=progress, stop_event=stop)
    finally:
        progress.close()

    res = result.optimize_result
    if result.failed:  # NaN: refuse to save weights as if trained
        raise result.failure(out, advice="check the scale of X, --epsilon and --init")
    result.save(out, format=out_format)  # a first signal lets it finish, a second abandons it
    signals.saved = True
    click.echo(f"Training Set Accuracy: {result.train_accuracy:.2f}%")
    for warning in result.warnings:  # issue 15: learned nothing, stalled cost
        click.echo(f"nn3: warning: {warning}", err=True)
    if result.split is not None:
        click.echo(
            f"Test Set Accuracy: {result.test_accuracy:.2f}% "
            f"({result.split['test_idx'].size} held-out examples, stratified, seed {seed})"
        )
    click.echo(
        f"Saved Theta1 ({fmt_size(result.Theta1)}) and Theta2 ({fmt_size(result.Theta2)}) to "
        f"{shown(out)}"
    )
    if plot_path is not None:
        from ..plot import plot_cost, save_png

        size = save_png(plot_cost(res.fun_history), plot_path)
        click.echo(
            f"Saved the cost per iteration to {shown(plot_path)} ({size[0]}x{size[1]} pixels)"
        )
    if result.interrupted:
        click.echo(
            f"nn3: interrupted{signals.by} after {res.nfev} evaluations; saved the best "
            f"weights reached so far (cost {res.fun:.6e}) to {shown(out)}, marked "
            "interrupted = 1",
            err=True,
        )
        sys.exit(signals.exit_code)
    if stop.is_set():
        click.echo(
            f"nn3: interrupted{signals.by} after training had finished; the complete result is "
            f"in {shown(out)}",
            err=True,
        )
        sys.exit(signals.exit_code)


def _say_init(run, init_path):
    """Say on stderr which variables of --init training starts from."""
    start = run.starting
    Theta1, Theta2 = start.Theta1, start.Theta2
    shape = f"{Theta1.shape[1] - 1}-{Theta1.shape[0]}-{Theta2.shape[0]} network"
    if start.unrolled:
        how = f"rolled as a {shape} (features and labels from the data, --hidden {Theta1.shape[0]})"
    else:
        how = f"a {shape}"
    names = " and ".join(start.variables)
    click.echo(f"nn3: --init: starting from {names} in {shown(init_path)}, {how}", err=True)


def _engine_options(stream, block_rows, dask_address):
    """``engine``, ``block_rows``, ``client`` for :func:`nn3.workflow.fitting.prepare`."""
    if stream and dask_address is not None:
        raise OptionError("--stream and --dask are two engines; give one")
    if block_rows is not None and block_rows < 1:
        raise OptionError(f"--block-rows must be at least 1, got {block_rows}")
    if dask_address is not None:
        from ..engines.dask_engine import _distributed, parse_address

        parse_address(dask_address)
        _distributed()  # the missing extra, in one line, before anything is read
        return {"engine": "dask", "block_rows": block_rows, "client": dask_address}
    if stream or block_rows is not None:
        return {"engine": "stream", "block_rows": block_rows}
    return {}
