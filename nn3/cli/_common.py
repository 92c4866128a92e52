"""What every ``nn3`` command shares: one-line errors, option names, progress, shared options.

Imported by the group (:mod:`nn3.cli`) and by each command module; it imports neither, so no
command imports the group back. Only click and the standard library at import time.
"""

import sys
import time

import click

from ..errors import OptionError, ParameterError

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
    "init_var": "--init-var",
    "rng": "--rng",
}


def error_message(exc: Exception) -> str:
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


def one_line(exc: click.UsageError) -> click.UsageError:
    """``exc`` as a :class:`OneLineUsageError` (unless it already is one, or is "no args")."""
    no_args_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if isinstance(exc, (OneLineUsageError, no_args_help)):
        return exc
    return OneLineUsageError(exc)


def exit_with(code: int) -> None:
    """Leave the current command with exit status ``code`` (e.g. 1: a check failed)."""
    click.get_current_context().exit(code)


def fmt_size(a) -> str:
    """An array's size in MATLAB notation, ``25x401``."""
    from ..mat import format_size

    return format_size(a.shape)


def check_output_folder(out) -> None:
    """Refuse an output path whose folder is missing, before any work is done."""
    from ..mat.atomic import check_destination

    check_destination(out, OptionError)


class Progress:
    """fmincg's progress line: rewritten in place on a terminal, one line per iteration else."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.tty = sys.stdout.isatty()
        self.start = time.monotonic()
        self.pending_newline = False

    def __call__(self, intermediate_result):
        if self.quiet:
            return
        from ..core.optimize import progress_line

        line = progress_line(intermediate_result.nit, intermediate_result.fun)
        if self.tty:
            elapsed = time.monotonic() - self.start
            self.last_line = line
            rates = getattr(self, "rates", None)  # set by evaluated() under --stream/--dask
            tail = f" | {rates.line()}" if rates is not None else ""
            click.echo(f"\r{line} | {elapsed:6.1f} s{tail}", nl=False)
            self.pending_newline = True
        else:
            click.echo(line)

    def evaluated(self, counts):
        """After each evaluation of an engine (``--stream``/``--dask``): on a terminal, show
        ``counts.line()`` (evaluations/s, rows/s) after the last iteration's line."""
        self.rates = counts
        if self.quiet or not self.tty:
            return
        elapsed = time.monotonic() - self.start
        line = getattr(self, "last_line", "Iteration     0 | Cost: -")
        click.echo(f"\r{line} | {elapsed:6.1f} s | {counts.line()}", nl=False)
        self.pending_newline = True

    def close(self):
        if self.pending_newline:
            click.echo()
            self.pending_newline = False


#: ``--format`` of every command that writes a .mat file.
format_option = click.option(
    "--format",
    "out_format",
    type=click.Choice(["5", "7.3"]),
    default="5",
    show_default=True,
    help="MAT-file format of --out: 5 (v5/v7, compressed) or 7.3 (HDF5).",
)

#: ``--lambda`` of check-grad and cost (``nn3 train`` defaults to 1, as ex4.m trains).
lambda_option = click.option(
    "--lambda",
    "lambda_",
    default=0.0,
    show_default=True,
    type=float,
    help="Regularisation strength lambda.",
)
