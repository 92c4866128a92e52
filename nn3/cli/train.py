"""``nn3 train DATA.mat``: parse the options, call the library, print.

Registered in :data:`nn3.cli.COMMANDS`. The options are :class:`nn3.settings.TrainingSettings`'
fields (``nn3/cli/options.py``); everything between them and the output (data, starting weights,
checks, hold-out, the weights file's variables) is :func:`nn3.workflow.fitting.prepare` and
:class:`nn3.workflow.fitting.FitResult`, so ``nn3.fit(...).save(path)`` writes the same file.
numpy and scipy are imported inside the command, so ``nn3 --help`` stays fast.

Ctrl-C (SIGINT), SIGTERM and SIGHUP alike (:class:`nn3.cli._common.StopSignals`): the first
stops training after the current function evaluation; the best weights reached are saved,
marked ``interrupted = 1``, and the exit status is 128 + the signal (130, 143, 129). A second one
stops at the next safe point (:mod:`nn3.stopping`: a row block of an evaluation, the commit of
the save), nothing saved: the save's temporary file is removed and the previous file left as it
was. A first one during the save lets the save finish.
"""

import click

from ..errors import OptionError
from . import options
from ._common import (
    Progress,
    StopSignals,
    check_distinct,
    check_output_folder,
    check_picture_path,
    error_message,
    fmt_size,
    shown,
)


@click.command()
@options.data_argument()
@options.training_options
@options.out("nn3_weights.mat", help="Where to write the trained weights (.mat, atomically).")
@options.format_()
@options.quiet
@options.plot
@options.cv
@options.jobs
def train(data, out, out_format, quiet, plot_path, cv, jobs, **given):
    """Train a network on DATA.mat with fmincg and save the weights.

    Prints fmincg's progress, the training-set accuracy, and writes Theta1, Theta2, nn_params,
    cost (fmincg's fX) and the settings used to --out. --holdout trains on part of the data and
    also reports the accuracy on the rest; --plot draws the cost per iteration.

    DATA may also be a numeric text file (.txt/.csv/.dat, as MATLAB's load reads it): the last
    column is y (--y-col N for another); DATA without an extension is DATA.mat when there is no
    file DATA, as MATLAB's load finds it. Text labels are numbered 1..K in sorted order and
    stored as 'classes'. Warns on stderr when the network learned nothing (accuracy at the
    majority-class rate, or a cost still Inf: starting weights or features too large) or the
    cost stalled.

    A list of --lambda values with --holdout (or --cv K) chooses lambda as the course's ex5
    does: each is trained and validated, the table printed, and the network of the lowest
    validation cost saved.
    """
    from ..workflow import fitting

    if isinstance(given["lambda_"], tuple) or cv is not None:  # several values to choose from
        from .curves import choose_lambda

        return choose_lambda(data, out, out_format, quiet, plot_path, cv, jobs, given,
                             (_say_prepared, _say_result))  # fmt: skip
    if jobs is not None:
        raise OptionError("--jobs runs the evaluations of a --lambda list (or --cv) at once")
    settings = options.training_settings(**given)
    check_output_folder(out)
    check_distinct(
        [("DATA", data), ("--init", settings.init)], [("--out", out), ("--plot", plot_path)]
    )
    if plot_path is not None:
        check_picture_path(plot_path)  # matplotlib and the format, before training
    run = fitting.prepare(data, None, settings)
    _say_prepared(run)
    signals = StopSignals()  # Ctrl-C, SIGTERM, SIGHUP: stop, save the best weights, say so
    result = signals.run(run, Progress(quiet, settings.maxiter))
    if result.failed:  # NaN: refuse to save weights as if trained
        raise result.failure(out)
    result.save(out, format=out_format)  # a first signal lets it finish, a second abandons it
    signals.saved = True
    _say_result(result, out, plot_path)
    signals.exit_if_stopped(result, out)


def _say_prepared(run):
    """On stderr: how the labels were numbered, which variables of --init training starts from."""
    if run.mapping is not None:  # the labels escaped and shortened (shown_label)
        click.echo(f"nn3: {shown(run.settings.y_var)}: {run.mapping.message}", err=True)
    if run.settings.init is None:
        return
    start = run.starting
    Theta1, Theta2 = start.Theta1, start.Theta2
    shape = f"{Theta1.shape[1] - 1}-{Theta1.shape[0]}-{Theta2.shape[0]} network"
    if start.unrolled:
        how = f"rolled as a {shape} (features and labels from the data, --hidden {Theta1.shape[0]})"
    else:
        how = f"a {shape}"
    names = " and ".join(start.variables)
    click.echo(f"nn3: --init: starting from {names} in {shown(run.settings.init)}, {how}", err=True)


def _say_result(result, out, plot_path):
    """The accuracy, the warnings (on stderr), where the weights and the picture went."""
    click.echo(f"Training Set Accuracy: {result.train_accuracy:.2f}%")
    for warning in result.warnings:  # learned nothing, Inf or stalled cost: naming the options
        click.echo(f"nn3: warning: {error_message(warning)}", err=True)
    if result.split is not None:
        click.echo(
            f"Test Set Accuracy: {result.test_accuracy:.2f}% "
            f"({result.split['test_idx'].size} held-out examples, stratified, seed "
            f"{result.settings['seed']})"
        )
    click.echo(
        f"Saved Theta1 ({fmt_size(result.Theta1)}) and Theta2 ({fmt_size(result.Theta2)}) to "
        f"{shown(out)}"
    )
    if plot_path is not None:
        from ..plot import plot_cost, save_picture

        size = save_picture(plot_cost(result.optimize_result.fun_history), plot_path)
        click.echo(
            f"Saved the cost per iteration to {shown(plot_path)} ({size[0]}x{size[1]} pixels)"
        )
