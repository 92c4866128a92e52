"""What ``nn3 train --lambda LIST`` and ``nn3 learning-curve`` share: a curve run with progress and
signals, its table, its picture. Not a command: the commands' modules call it.

The library does the work (:mod:`nn3.workflow.model_selection`); this module prints. A stop
signal (Ctrl-C, SIGTERM, SIGHUP) during the evaluations stops them at their next function
evaluation: the table of what finished is printed, nothing is saved (a half-trained network is
no basis for choosing), and the exit status is 128 + the signal. During the training of the
chosen network it is ``nn3 train``'s: the best weights reached are saved, marked interrupted.
"""

import sys
import time

import click

from ..errors import OptionError
from . import options
from ._common import (
    Progress,
    StopSignals,
    _duration,
    check_distinct,
    check_output_folder,
    check_picture_path,
    shown,
)


class CurveProgress(Progress):
    """Which evaluations have finished: on a terminal, one line rewritten in place
    (``Evaluated 3/6 | 12.3 s | ETA 20 s``); elsewhere nothing (the table follows). Given to
    :meth:`StopSignals.run` as a training's :class:`Progress` is."""

    def __init__(self, quiet: bool):
        super().__init__(quiet)

    def __call__(self, intermediate_result):  # the evaluations' iterations are not shown
        pass

    def evaluated(self, done, total=None, task=None):
        if self.quiet or not self.tty or total is None:
            return
        elapsed = time.monotonic() - self.start
        eta = f" | ETA {_duration(elapsed / done * (total - done))}" if done < total else ""
        click.echo(f"\rEvaluated {done}/{total} | {elapsed:6.1f} s{eta}", nl=False)
        self.pending_newline = True


def curve_settings(given: dict, lambda_: float | None = None):
    """The :class:`~nn3.settings.TrainingSettings` of a curve's options, and the Dask client:
    ``--dask`` runs the evaluations on Dask workers (each one trains in memory there)."""
    given = dict(given)
    client = given.pop("dask")
    if lambda_ is not None:
        given["lambda_"] = lambda_
    return options.training_settings(**given), client


def _where(run) -> str:
    """How the evaluations run, for the header line."""
    from ..workflow.parallel import default_jobs

    if run.client is not None:
        return f"on the Dask workers of {shown(run.client)}"
    jobs = default_jobs(len(run.tasks), run.task_bytes) if run.jobs is None else run.jobs
    return "one at a time" if jobs == 1 else f"{jobs} at a time"


def run_curve(run, quiet: bool, what: str):
    """Run a prepared curve with progress and the stop signals; on a stop, print what finished
    and exit with 128 + the signal."""
    signals = StopSignals()
    curve = signals.run(run, CurveProgress(quiet))
    if curve.interrupted:
        click.echo(curve.format())
        finished = sum(e is not None and not e.result.interrupted
                       for folds in curve.evaluations for e in folds)  # fmt: skip
        click.echo(
            f"nn3: interrupted{signals.by} during the {what} after {finished} of "
            f"{len(run.tasks)} trainings; nothing saved",
            err=True,
        )
        sys.exit(signals.exit_code)
    for value in curve.failed:
        click.echo(
            f"nn3: warning: the training with {curve.columns[0]} {value:g} failed (the cost became "
            "NaN); its row is of the best weights before",
            err=True,
        )
    return curve


def choose_lambda(data, out, out_format, quiet, plot_path, cv, jobs, given, say):
    """``nn3 train --lambda LIST``: the lambda curve, its table, the chosen network trained and
    saved as ``nn3 train --lambda BEST`` saves it, with the table (``lambda_curve``)."""
    from ..workflow.model_selection import prepare_lambda_curve

    say_prepared, say_result = say
    value = given["lambda_"]
    lambdas = value if isinstance(value, tuple) else (value,)
    settings, client = curve_settings(given, options.DEFAULTS["lambda_"])
    check_output_folder(out)
    check_distinct(
        [("DATA", data), ("--init", settings.init)], [("--out", out), ("--plot", plot_path)]
    )
    if plot_path is not None:
        check_picture_path(plot_path)
    run = prepare_lambda_curve(data, None, settings, lambdas, cv, jobs, client)
    say_prepared(run.prepared)
    prepared = run.prepared
    if cv is None:
        assert prepared.X is not None and prepared.X_test is not None
        how = (f"{prepared.X.shape[0]} training examples, validated on the "
               f"{prepared.X_test.shape[0]} held out (--holdout {settings.holdout:g})")  # fmt: skip
    else:
        how = f"{cv}-fold cross-validation (stratified, --seed {settings.seed}; means over folds)"
    click.echo(
        f"Choosing lambda among {len(lambdas)} values: {how}; {len(run.tasks)} trainings, "
        f"{_where(run)}"
    )
    curve = run_curve(run, quiet, "lambda curve")
    click.echo(curve.format())
    best = curve.best_lambda
    click.echo(
        f"Chosen lambda: {best:g} (the lowest validation cost, "
        f"{curve.table[curve.best_index, 3]:.6f})"
    )
    part = "the training part" if cv is None else "all the data"
    click.echo(f"Training with --lambda {best:g} on {part}, as nn3 train does:")
    signals = StopSignals()
    result = curve.attach(signals.run(curve.final_run(), Progress(quiet, settings.maxiter)))
    if result.failed:
        raise result.failure(out)
    result.save(out, format=out_format)
    signals.saved = True
    say_result(result, out, None)
    click.echo("The lambda curve is saved with the weights as lambda_curve")
    if plot_path is not None:
        from ..plot import plot_validation_curve

        table = curve.table
        fig = plot_validation_curve(table[:, 0], table[:, 1], table[:, 3], chosen=best)
        _save_picture(fig, plot_path, "validation curve")
    signals.exit_if_stopped(result, out)


def learning_curve_command(data, sizes, in_order, jobs, out, out_format, quiet, plot_path, given):
    """``nn3 learning-curve``: the table, and the .mat file and picture when asked."""
    from ..workflow.model_selection import DEFAULT_HOLDOUT, prepare_learning_curve

    if isinstance(given["lambda_"], tuple):
        raise OptionError(
            "nn3 learning-curve trains with one --lambda (to choose among several: nn3 train "
            "--lambda LIST --holdout F)"
        )
    if given["holdout"] is None:
        given = {**given, "holdout": DEFAULT_HOLDOUT}
    settings, client = curve_settings(given)
    if out is not None:
        check_output_folder(out)
    check_distinct(
        [("DATA", data), ("--init", settings.init)], [("--out", out), ("--plot", plot_path)]
    )
    if plot_path is not None:
        check_picture_path(plot_path)
    run = prepare_learning_curve(data, None, settings, sizes, not in_order, jobs, client)
    prepared = run.prepared
    if prepared.mapping is not None:
        click.echo(f"nn3: {shown(settings.y_var)}: {prepared.mapping.message}", err=True)
    assert prepared.X is not None and prepared.X_test is not None
    order = "in the file's order" if in_order else f"in the order of rng({settings.seed})"
    click.echo(
        f"Learning curve: lambda {settings.lambda_:g}, up to {prepared.X.shape[0]} training "
        f"examples taken {order}, validated on the {prepared.X_test.shape[0]} held out "
        f"(--holdout {settings.holdout:g}); {len(run.tasks)} trainings, {_where(run)}"
    )
    curve = run_curve(run, quiet, "learning curve")
    click.echo(curve.format())
    if out is not None:
        curve.save(out, format=out_format)
        click.echo(f"Saved the learning curve (learning_curve) to {shown(out)}")
    if plot_path is not None:
        from ..plot import plot_learning_curve

        table = curve.table
        _save_picture(plot_learning_curve(table[:, 0], table[:, 1], table[:, 3]), plot_path,
                      "learning curve")  # fmt: skip


def _save_picture(fig, path, what):
    from ..plot import save_picture

    size = save_picture(fig, path)
    click.echo(f"Saved the {what} to {shown(path)} ({size[0]}x{size[1]} pixels)")
