"""``nn3 compare EXPECTED.mat ACTUAL.mat``: do two .mat files hold the same numbers?

Registered in :data:`nn3.cli.COMMANDS`. numpy, scipy and h5py are imported inside the command,
so ``nn3 --help`` stays fast.
"""

import click

from ..errors import OptionError
from . import options
from ._common import exit_with


@click.command()
@options.data_argument("expected")
@options.data_argument("actual")
@click.option(
    "--rtol",
    default=1e-10,
    show_default=True,
    type=float,
    help="Relative tolerance: pass when |a - e| <= atol + rtol*|e|.",
)
@click.option("--atol", default=0.0, show_default=True, type=float, help="Absolute tolerance.")
@click.option(
    "--relative-to",
    "relative_to",
    type=click.Choice(["element", "max"]),
    default="element",
    show_default=True,
    help="What rtol scales: each expected element |e|, or the variable's largest max|e|.",
)
@options.ulps
@click.option(
    "--var",
    "names",
    multiple=True,
    metavar="NAME",
    help="Compare only this variable (repeatable; struct fields as data.X).",
)
@options.json_report()
def compare(expected, actual, rtol, atol, relative_to, ulps, names, as_json):
    """Compare the variables of ACTUAL.mat with those of EXPECTED.mat.

    For each variable of EXPECTED (struct fields and cell elements included): present in ACTUAL,
    same MATLAB class and size, largest absolute, relative and ULP differences, and the worst
    element in MATLAB notation (1-based). NaN equals NaN in the same position; char, integer
    and logical values are compared exactly; sparse matrices are compared as sparse. Exit status
    0 when everything matches, 1 when something differs, 2 on bad input.
    """
    import json

    from ..compare import compare_files
    from ..stopping import checkpoint

    ctx = click.get_current_context()
    for opt, value in (("--rtol", rtol), ("--atol", atol)):
        if not value >= 0:
            raise OptionError(f"{opt} must be a non-negative number, got {value}")
    if ulps is not None and ulps < 0:
        raise OptionError(f"--ulps must be a non-negative whole number, got {ulps}")
    if ulps is not None:  # at most 2^64 - 1 (10^23 would overflow the comparison)
        from ..validation import validate

        validate("ulps", ulps)
    if ulps is not None:
        given = [
            f"--{opt.replace('_', '-')}"
            for opt in ("rtol", "atol", "relative_to")
            if ctx.get_parameter_source(opt) == click.core.ParameterSource.COMMANDLINE
        ]
        if given:
            raise OptionError(f"--ulps replaces {' and '.join(given)}; give one or the other")
    report = compare_files(
        expected,
        actual,
        names=names or None,
        rtol=rtol,
        atol=atol,
        ulps=ulps,
        relative_to=relative_to,
    )
    checkpoint()  # a stop signal during the comparison: no report (nn3.stopping)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        click.echo(report.format_table())
    if not report.passed:
        exit_with(1)
