"""Regression-testing commands: ``nn3 compare``, ``nn3 check-grad``, ``nn3 cost``, ``nn3 info``.

Registered on the ``nn3`` group by the import at the end of :mod:`nn3.cli`. numpy, scipy and h5py
are imported inside the commands, so ``nn3 --help`` stays fast.
"""

import click

from .cli import cli
from .errors import DataError, OptionError


def _exit(code):
    click.get_current_context().exit(code)


@cli.command()
@click.argument("expected", type=click.Path(dir_okay=True))
@click.argument("actual", type=click.Path(dir_okay=True))
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
@click.option(
    "--ulps",
    default=None,
    type=int,
    help="Instead of rtol/atol: at most N units in the last place apart (0: identical bits).",
)
@click.option(
    "--var",
    "names",
    multiple=True,
    metavar="NAME",
    help="Compare only this variable (repeatable; struct fields as data.X).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def compare(expected, actual, rtol, atol, relative_to, ulps, names, as_json):
    """Compare the variables of ACTUAL.mat with those of EXPECTED.mat.

    For each variable of EXPECTED (struct fields and cell elements included): present in ACTUAL,
    same MATLAB class and size, largest absolute, relative and ULP differences, and the worst
    element in MATLAB notation (1-based). NaN equals NaN in the same position; char, integer
    and logical values are compared exactly; sparse matrices are compared as sparse. Exit status
    0 when everything matches, 1 when something differs, 2 on bad input.
    """
    import json

    from .compare import compare_files

    ctx = click.get_current_context()
    for opt, value in (("--rtol", rtol), ("--atol", atol)):
        if not value >= 0:
            raise OptionError(f"{opt} must be a non-negative number, got {value}")
    if ulps is not None and ulps < 0:
        raise OptionError(f"--ulps must be a non-negative whole number, got {ulps}")
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
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        click.echo(report.format_table())
    if not report.passed:
        _exit(1)


#: ``--lambda`` of check-grad and cost (``nn3 train`` defaults to 1, as ex4.m trains).
_lambda_option = click.option(
    "--lambda",
    "lambda_",
    default=0.0,
    show_default=True,
    type=float,
    help="Regularisation strength lambda.",
)


@cli.command("check-grad")
@_lambda_option
@click.option("--input", "input_size", default=3, show_default=True, help="Input layer size.")
@click.option("--hidden", default=5, show_default=True, help="Hidden layer size.")
@click.option("--labels", default=3, show_default=True, help="Number of labels K.")
@click.option("--examples", default=5, show_default=True, help="Number of examples m.")
def check_grad(lambda_, input_size, hidden, labels, examples):
    """Check backpropagation against central differences (checkNNGradients).

    Debug-initialised weights and data, labels 1 + mod(1:m, K), numerical gradient by central
    differences with e = 1e-4. Prints both gradients side by side and their relative
    difference norm(num-grad)/norm(num+grad); exit status 1 if it is not below 1e-9.
    """
    from .gradcheck import TOLERANCE, check_nn_gradients

    numgrad, grad, diff = check_nn_gradients(
        lambda_=lambda_,
        input_layer_size=input_size,
        hidden_layer_size=hidden,
        num_labels=labels,
        m=examples,
    )
    click.echo(
        f"Gradient check: {input_size}-{hidden}-{labels} network, {examples} examples, "
        f"lambda {lambda_:g}, central differences e = 1e-4"
    )
    click.echo(f"{'numerical':>22}  {'analytical':>22}")
    for n, g in zip(numgrad, grad, strict=True):
        click.echo(f"{n:22.14e}  {g:22.14e}")
    click.echo("The two columns should be very similar.")
    verdict = "OK" if diff < TOLERANCE else "FAILED"
    click.echo(
        f"Relative Difference: {diff:.6e} (norm(num-grad)/norm(num+grad), "
        f"must be below {TOLERANCE:g}): {verdict}"
    )
    if not diff < TOLERANCE:
        _exit(1)


@cli.command()
@click.argument("weights", type=click.Path(dir_okay=True))
@click.argument("data", type=click.Path(dir_okay=True))
@_lambda_option
@click.option("--x-var", default="X", show_default=True, help="Name of the data variable.")
@click.option("--y-var", default="y", show_default=True, help="Name of the label variable.")
def cost(weights, data, lambda_, x_var, y_var):
    """Cost J of the network in WEIGHTS.mat on DATA.mat, as ex4.m prints it.

    WEIGHTS.mat holds Theta1 and Theta2 (or nn_params with the layer sizes); DATA.mat holds X
    (m x n) and y (labels 1..K, or 0/1 for one output unit). J is printed to six decimals and
    in full precision (%.17g, enough to reproduce the double exactly).
    """
    import os

    from . import training
    from .network import cost_function
    from .validation import check_feature_count

    training.check_settings(lambda_=lambda_)  # a ParameterError the CLI calls --lambda
    Theta1, Theta2 = training.load_weights(weights)
    X, y = training.load_training_data(data, x_var, y_var)
    check_feature_count(X.shape[1], Theta1.shape, f"{data} ('{x_var}') and {weights}: ")
    try:
        J = cost_function(X, y, Theta1, Theta2, lambda_=lambda_)
    except DataError as exc:  # labels that do not fit the output layer
        raise DataError(f"{data}: {exc} (Theta2 in {weights} has {Theta2.shape[0]} rows)") from exc
    click.echo(
        f"Cost at parameters (loaded from {os.path.basename(weights)}), lambda {lambda_:g}: {J:.6f}"
    )
    click.echo(
        f"J = {J:.17g}  ({X.shape[0]} examples, "
        f"{X.shape[1]}-{Theta1.shape[0]}-{Theta2.shape[0]} network)"
    )


def _header_text(path, fmt):
    """The descriptive text at the start of a v5 or v7.3 file, if printable."""
    if fmt == "4":
        return ""
    with open(path, "rb") as fh:
        head = fh.read(116)
    text = head.rstrip(b"\x00 ").decode("ascii", "replace")
    return text if text.isprintable() else ""


def _info_rows(value, name):
    from .compare import summarize

    yield name, summarize(value)
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _info_rows(item, f"{name}.{key}")


def _info_number(x):
    if x is None:
        return "-"
    if isinstance(x, int):
        return str(x)
    return f"{x:.6g}".replace("inf", "Inf").replace("nan", "NaN")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=True))
def info(file):
    """Format version and variables of FILE.mat: name, MATLAB class, size, min/max/NaNs.

    Struct fields are listed as data.X. Sizes are in MATLAB order (5000x400).
    """
    from .compare import format_size
    from .matio import load_mat, mat_format

    fmt = mat_format(file)
    variables = load_mat(file)
    header = _header_text(file, fmt)
    click.echo(f"{file}: MAT-file v{fmt}" + (f" ({header})" if header else ""))
    rows = [("name", "class", "size", "min", "max", "NaNs")]
    for root, value in variables.items():
        for name, s in _info_rows(value, root):
            rows.append(
                (
                    name,
                    s["class"],
                    format_size(s["size"]),
                    _info_number(s.get("min")),
                    _info_number(s.get("max")),
                    str(s["nans"]) if "nans" in s else "-",
                )
            )
    if len(rows) == 1:
        click.echo("(no variables)")
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
