"""The ``nn3`` command: a thin layer over the library that owns output and exit statuses.

Exit statuses: 0 success; 1 a check failed (e.g. accuracy or gradient check); 2 bad input or
usage (one line on stderr naming the file and the problem; ``--debug`` shows the traceback);
3 training failed (the cost or its gradient became NaN; nothing saved); 128 + signal stopped
by Ctrl-C (130), SIGTERM (143) or SIGHUP (129): ``nn3 train`` saves what was reached, other
commands save nothing and leave no temporary file.

Each command lives in its own module (``nn3/cli/train.py``, ...) and is registered here, in
:data:`COMMANDS`, the one place that lists them. Following click's lazy-loading pattern, a
command's module is imported only when the command is looked up, and heavy imports (numpy,
scipy, h5py) happen inside the commands, so ``nn3 --help`` starts fast. No command module
imports this one.
"""

import importlib

import click

from .._version import __version__
from ..errors import Nn3Error
from ._common import (
    UserError,
    error_message,
    ignore_stop_signals,
    interrupted_exit,
    one_line,
    one_line_warnings,
    protect_process,
)

__all__ = ["COMMANDS", "OPTION_NAMES", "cli", "main"]


def __getattr__(name):
    if name == "OPTION_NAMES":  # the options' table, loaded only when asked for
        from .options import OPTION_NAMES

        return OPTION_NAMES
    raise AttributeError(f"module 'nn3.cli' has no attribute {name!r}")


#: Every ``nn3`` command: its name and ``"module:attribute"`` of its click command.
COMMANDS = {
    "train": "nn3.cli.train:train",
    "predict": "nn3.cli.predict:predict",
    "compare": "nn3.cli.compare:compare",
    "check-grad": "nn3.cli.check_grad:check_grad",
    "cost": "nn3.cli.cost:cost",
    "info": "nn3.cli.info:info",
    "show": "nn3.cli.show:show",
    "make-data": "nn3.cli.make_data:make_data",
    "learning-curve": "nn3.cli.learning_curve:learning_curve",
    "port-check": "nn3.cli.port_check:port_check",
}


class Nn3Group(click.Group):
    """The ``nn3`` group: loads commands from :data:`COMMANDS`, one-line errors.

    Turns the library's user errors into one-line messages (unless ``--debug``). Usage errors
    (a bad option value, a missing argument) are one line too, and Ctrl-C (or SIGTERM, SIGHUP)
    outside training exits with status 128 + signal.
    """

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx, cmd_name):
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        self.add_command(command, cmd_name)
        return command

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise one_line(exc) from exc

    def invoke(self, ctx):
        try:
            with one_line_warnings(ctx.params.get("debug")):
                return super().invoke(ctx)
        except Nn3Error as exc:
            if ctx.params.get("debug"):
                raise
            raise UserError(error_message(exc), exc.exit_code) from exc
        except click.UsageError as exc:
            raise one_line(exc) from exc
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP at a safe point
            if ctx.params.get("debug"):
                raise
            raise click.exceptions.Exit(interrupted_exit(exc)) from None  # 128 + signal


@click.group(cls=Nn3Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nn3", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
def cli(debug):
    """nn3: MATLAB three-layer backpropagation networks in Python, with MATLAB parity.

    \b
    Exit status: 0 success, 1 a check failed, 2 bad input or usage, 3 training
    failed (NaN cost; nothing saved), 130/143/129 stopped by Ctrl-C, SIGTERM or
    SIGHUP (nn3 train saves the best weights so far).
    """


def main(argv=None):
    """Entry point of the ``nn3`` console script (and ``python -m nn3``).

    A stop signal that arrived after the command's last safe point (while it printed, or as it
    returned) still ends it with 128 + the signal, saying what had been written.
    """
    from ..stopping import stop_requested

    protect_process()  # signals, and stdout that cannot be written
    try:
        cli.main(args=argv, prog_name="nn3")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if stop_requested() and not 128 < code < 160:
            code = interrupted_exit()
        # The status is decided: a signal from now on (Python's exit restores the default
        # handlers, which would kill the process with another status) changes nothing.
        ignore_stop_signals()
        raise SystemExit(code) from None
