"""``nn3 cost WEIGHTS.mat DATA.mat``: the cost J as ex4.m prints it.

Registered in :data:`nn3.cli.COMMANDS`; numpy and scipy are imported inside the command.
"""

import click

from ..errors import DataError
from ._common import lambda_option


@click.command()
@click.argument("weights", type=click.Path(dir_okay=True))
@click.argument("data", type=click.Path(dir_okay=True))
@lambda_option
@click.option("--x-var", default="X", show_default=True, help="Name of the data variable.")
@click.option("--y-var", default="y", show_default=True, help="Name of the label variable.")
def cost(weights, data, lambda_, x_var, y_var):
    """Cost J of the network in WEIGHTS.mat on DATA.mat, as ex4.m prints it.

    WEIGHTS.mat holds Theta1 and Theta2 (or nn_params with the layer sizes); DATA.mat holds X
    (m x n) and y (labels 1..K, or 0/1 for one output unit). J is printed to six decimals and
    in full precision (%.17g, enough to reproduce the double exactly).
    """
    import os

    from ..core.network import cost_function
    from ..validation import check_feature_count
    from ..workflow import training
    from ..workflow.model import load_model

    training.check_settings(lambda_=lambda_)  # a ParameterError the CLI calls --lambda
    model = load_model(weights)  # issue 15: with the file's classes and mu/sigma
    Theta1, Theta2 = model.Theta1, model.Theta2
    X, labels = training.read_data(data, x_var, y_var)
    K = Theta2.shape[0] if model.classes is not None else None  # a subset of the classes
    X, y = training.validate_data(X, model.encode(labels, data, y_var), data, x_var, y_var, K)
    where = f"{data} ('{x_var}') and {weights}: "
    check_feature_count(X.shape[1], Theta1.shape, where, n_examples=X.shape[0])
    try:
        J = cost_function(model.scale(X), y, Theta1, Theta2, lambda_=lambda_)
    except DataError as exc:  # labels that do not fit the output layer
        raise DataError(f"{data}: {exc} (Theta2 in {weights} has {Theta2.shape[0]} rows)") from exc
    click.echo(
        f"Cost at parameters (loaded from {os.path.basename(weights)}), lambda {lambda_:g}: {J:.6f}"
    )
    click.echo(
        f"J = {J:.17g}  ({X.shape[0]} examples, "
        f"{X.shape[1]}-{Theta1.shape[0]}-{Theta2.shape[0]} network)"
    )
