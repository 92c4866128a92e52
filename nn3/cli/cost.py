"""``nn3 cost WEIGHTS.mat DATA.mat``: the cost J as ex4.m prints it.

Registered in :data:`nn3.cli.COMMANDS`; numpy and scipy are imported inside the command.
"""

import click

from ..errors import DataError
from . import options


@click.command()
@options.data_argument("weights")
@options.data_argument("data")
@options.lambda_(0.0)
@options.x_var()
@options.y_var()
def cost(weights, data, lambda_, x_var, y_var):
    """Cost J of the network in WEIGHTS.mat on DATA.mat, as ex4.m prints it.

    WEIGHTS.mat holds Theta1 and Theta2 (or nn_params with the layer sizes); DATA.mat holds X
    (m x n) and y (labels 1..K, or 0/1 for one output unit). J is printed to six decimals and
    in full precision (%.17g, enough to reproduce the double exactly). lambda defaults to 0,
    ex4.m's first check (nn3 train's default is 1, as ex4.m trains).
    """
    import os

    from ..core.network import cost_function
    from ..stopping import checkpoint
    from ..validation import check_feature_count, validate
    from ..workflow.data import read_data, validate_data
    from ..workflow.model import load_model

    validate("lambda_", lambda_)  # before reading: a ParameterError the CLI calls --lambda
    model = load_model(weights)  # with the file's classes and mu/sigma
    Theta1, Theta2 = model.Theta1, model.Theta2
    X, labels = read_data(data, x_var, y_var)
    K = Theta2.shape[0] if model.classes is not None else None  # a subset of the classes
    X, y = validate_data(X, model.encode(labels, data, y_var), data, x_var, y_var, K)
    where = f"{data} ('{x_var}') and {weights}: "
    check_feature_count(X.shape[1], Theta1.shape, where, n_examples=X.shape[0])
    try:
        J = cost_function(model.scale(X), y, Theta1, Theta2, lambda_=lambda_)
    except DataError as exc:  # labels that do not fit the output layer
        raise DataError(f"{data}: {exc} (Theta2 in {weights} has {Theta2.shape[0]} rows)") from exc
    checkpoint()  # a stop signal meanwhile: no result (nn3.stopping)
    click.echo(
        f"Cost at parameters (loaded from {os.path.basename(weights)}), lambda {lambda_:g}: {J:.6f}"
    )
    click.echo(
        f"J = {J:.17g}  ({X.shape[0]} examples, "
        f"{X.shape[1]}-{Theta1.shape[0]}-{Theta2.shape[0]} network)"
    )
