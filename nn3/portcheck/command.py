"""The ``nn3 port-check DIR... [--save FILE] [--json] [--strict]`` command: output and exit status.

Registered in :data:`nn3.cli.COMMANDS`; it does not import the group.
"""

import math

import click

from .report import shown


class _Seconds(click.ParamType):
    """A number of seconds above 0 and at most ``MAX_TIME_LIMIT`` (``inf``, ``nan`` refused)."""

    name = "seconds"

    def convert(self, value, param, ctx):
        from .report import MAX_TIME_LIMIT

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIME_LIMIT:
            self.fail(
                f"must be a number of seconds above 0 and at most {MAX_TIME_LIMIT:g}, got {value}",
                param,
                ctx,
            )
        return seconds


@click.command("port-check")
@click.argument("folders", metavar="DIR...", nargs=-1, required=True, type=click.Path())
@click.option(
    "--save",
    "save_path",
    default=None,
    type=click.Path(),
    metavar="FILE",
    help="Write the Octave outputs to this .mat file (for a regression test; one folder only; "
    "never inside DIR).",
)
@click.option(
    "--time-limit",
    default=10.0,
    show_default=True,
    type=_Seconds(),
    help="Seconds each call of your code may take (at most 3600); the whole check of a "
    "folder may take 12 times as long (at least 60 s).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document (a folder object per folder, a check object per function "
    "and case: verdict, largest difference, hint) instead of the table.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail a function that prints (a line without a semicolon); by default printing is "
    "reported and the numbers decide.",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "require", "off"]),
    default="auto",
    show_default=True,
    help="auto: isolate your code with bubblewrap where it works (read-only file system, "
    "no network); require: refuse to run without it; off: never.",
)
def port_check(folders, save_path, time_limit, as_json, strict, sandbox):
    """Run your own MATLAB functions in DIR in GNU Octave and compare them with nn3.

    THIS RUNS THE CODE IN DIR. Check only code you would run yourself, or let port-check
    sandbox it: with bubblewrap (apt-get install bubblewrap) your code runs with the file
    system read-only except a temporary copy of DIR's .m files, without network, with limits
    on CPU time, memory, file size and processes, and every process it starts is ended
    afterwards. The header says whether the run was sandboxed.

    Checks whichever of sigmoid.m, sigmoidGradient.m, costFunction.m, backpropagation.m,
    nnCostFunction.m, predict.m and randInitializeWeights.m DIR holds (or, when it holds none,
    the folders below it that do, each on its own), on fixed cases: a debug network at lambda
    0/1/3, a binary and K-class network, odd sizes, ex4weights.mat's shapes. Prints the
    largest difference per function and case and, for a disagreement, the first differing
    element and the likely cause. A file of another exercise with the same name (logistic
    regression's costFunction(theta, X, y)) is named and not checked; a case outside a
    function's contract (ex4's nnCostFunction on 0/1 labels) is reported, not counted.

    \b
    Several DIRs: each is checked, then one summary line per folder.
    Exit status: 0 all agree, 1 something differs, 2 bad input (a folder
    without the functions, a bad option) or Octave missing.
    """
    from ..errors import Nn3Error, OptionError
    from ..mat import save_mat
    from ..mat.atomic import check_destination
    from .octave import SandboxRequired
    from .report import find
    from .report import port_check as run

    if save_path is not None:
        _refuse_inside(save_path, folders)
        targets = [t for f in folders for t in find(f).folders]
        if len(targets) > 1:
            raise OptionError(
                f"--save takes the outputs of one folder, and {len(targets)} would be checked "
                f"({', '.join(shown(t) for t in targets[:5])}{', ...' if len(targets) > 5 else ''})"
                "; name one folder"
            )
        check_destination(save_path, OptionError)
    try:
        result = run(list(folders), time_limit=time_limit, strict=strict, sandbox=sandbox)
    except SandboxRequired as exc:
        raise OptionError(f"--sandbox require: {exc}") from exc
    if as_json:
        click.echo(result.to_json())
    elif len(result.reports) == 1 and result.reports[0].error:
        raise Nn3Error(result.reports[0].error)
    else:
        click.echo(result.format_text())
    report = result.reports[0]
    if save_path is not None and not report.error:
        save_mat(save_path, report.saved)
        if not as_json:
            click.echo(f"Saved the Octave outputs to {shown(save_path)}")
    if result.exit_status:
        click.get_current_context().exit(result.exit_status)


def _refuse_inside(save_path, folders):
    """Refuse a --save file inside one of the folders checked (DIR is never written to)."""
    import os

    from ..errors import OptionError

    target = os.path.realpath(os.path.dirname(os.path.abspath(save_path)) or ".")
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        top = os.path.realpath(folder)
        if target == top or target.startswith(top.rstrip(os.sep) + os.sep):
            raise OptionError(
                f"--save {shown(save_path)} is inside {shown(folder)}, the folder checked; "
                "port-check never writes there: save it somewhere else"
            )
