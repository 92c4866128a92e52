"""``nn3 port-check DIR... [--save FILE] [--json] [--strict]``: a user's MATLAB functions in
GNU Octave against nn3 (:mod:`nn3.portcheck`), with its output and exit status.

Registered in :data:`nn3.cli.COMMANDS`. The library is imported inside the command, so
``nn3 --help`` stays fast.
"""

import click

from ..errors import OptionError, SandboxRequiredError
from . import options
from ._common import check_output_folder, exit_with, shown


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
@options.time_limit
@options.json_report(
    "one JSON document (a folder object per folder, a check object per function and case: "
    "verdict, largest difference, hint)"
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail a function that prints (a line without a semicolon) or that Octave cannot run "
    "(MATLAB-only); by default printing is reported and the numbers decide, and a MATLAB-only "
    "function is reported as not checked.",
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
    nnCostFunction.m, predict.m and randInitializeWeights.m DIR holds (or, when it holds none
    that port-check checks, the folders below it that do, each on its own), on fixed cases: a
    debug network at lambda 0/1/3, a binary and K-class network, odd sizes, ex4weights.mat's
    shapes. Prints the largest difference per function and case and, for a disagreement, the
    first differing element and the likely cause. A file of another exercise with the same
    name (logistic regression's costFunction(theta, X, y)) is named and not checked; a case
    outside a function's contract (ex4's nnCostFunction on 0/1 labels) is reported, not
    counted. MATLAB-only sum(A, 'all') and the like run through nn3's shims (the report says
    so); a MATLAB function Octave cannot run is reported as not checked.

    \b
    Several DIRs: each is checked, then one summary line per folder.
    Exit status: 0 all agree, 1 something differs, 2 bad input (a folder
    without the functions, a bad option) or Octave missing.
    """
    from ..errors import Nn3Error
    from ..mat import save_mat
    from ..portcheck.report import check_time_limit, find
    from ..portcheck.report import port_check as run

    check_time_limit(time_limit)
    if save_path is not None:
        _refuse_inside(save_path, folders)
        targets = [t for f in folders for t in find(f).folders]
        if len(targets) > 1:
            raise OptionError(
                f"--save takes the outputs of one folder, and {len(targets)} would be checked "
                f"({', '.join(shown(t) for t in targets[:5])}{', ...' if len(targets) > 5 else ''})"
                "; name one folder"
            )
        check_output_folder(save_path)
    try:
        result = run(list(folders), time_limit=time_limit, strict=strict, sandbox=sandbox)
    except SandboxRequiredError as exc:
        raise SandboxRequiredError(f"--sandbox require: {exc}") from exc
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
        exit_with(result.exit_status)


def _refuse_inside(save_path, folders):
    """Refuse a --save file inside one of the folders checked (DIR is never written to)."""
    import os

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
