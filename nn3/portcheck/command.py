"""The ``nn3 port-check DIR [--save FILE]`` command: output and exit status only.

Registered in :data:`nn3.cli.COMMANDS`; it does not import the group.
"""

import click


@click.command("port-check")
@click.argument("folder", metavar="DIR", type=click.Path())
@click.option(
    "--save",
    "save_path",
    default=None,
    type=click.Path(),
    metavar="FILE",
    help="Write the Octave outputs to this .mat file (for a regression test).",
)
@click.option(
    "--time-limit",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds each call of your code may take.",
)
def port_check(folder, save_path, time_limit):
    """Run your own MATLAB functions in DIR in GNU Octave and compare them with nn3.

    Checks whichever of sigmoid.m, sigmoidGradient.m, costFunction.m, backpropagation.m,
    nnCostFunction.m, predict.m and randInitializeWeights.m DIR holds, on fixed cases (a debug
    network at lambda 0/1/3, binary and K-class, odd sizes, ex4weights.mat's shapes), in a
    temporary copy with a time limit per call. Prints the largest difference per function and
    case and, for a disagreement, the first differing element and the likely cause. Exit status
    0 all agree, 1 something differs, 2 bad input or Octave missing.
    """
    from ..mat import save_mat
    from ..mat.atomic import check_destination
    from .report import port_check as run

    if save_path is not None:
        check_destination(save_path)
    report = run(folder, time_limit=time_limit)
    click.echo(report.format_table())
    if save_path is not None:
        save_mat(save_path, report.saved)
        click.echo(f"Saved the Octave outputs to {save_path}")
    if not report.passed:
        click.get_current_context().exit(1)
