"""``nn3 check-grad``: backpropagation against central differences (checkNNGradients).

Registered in :data:`nn3.cli.COMMANDS`; numpy is imported inside the command.
"""

import click

from . import options
from ._common import exit_with


@click.command("check-grad")
@options.lambda_(0.0)
@click.option("--input", "input_size", default=3, show_default=True, help="Input layer size.")
@options.hidden(5, help="Hidden layer size.")
@options.labels(3, help="Number of labels K.")
@click.option("--examples", default=5, show_default=True, help="Number of examples m.")
def check_grad(lambda_, input_size, hidden_layer_size, num_labels, examples):
    """Check backpropagation against central differences (checkNNGradients).

    Debug-initialised weights and data, labels 1 + mod(1:m, K), numerical gradient by central
    differences with e = 1e-4. Prints both gradients side by side and their relative
    difference norm(num-grad)/norm(num+grad); exit status 1 if it is not below 1e-9.
    """
    from ..core.gradcheck import TOLERANCE, check_nn_gradients
    from ..stopping import checkpoint
    from ..validation import check_gradient_check_size

    hidden, labels = hidden_layer_size, num_labels
    check_gradient_check_size(input_size, hidden, labels, examples)  # before allocating
    numgrad, grad, diff = check_nn_gradients(
        lambda_=lambda_,
        input_layer_size=input_size,
        hidden_layer_size=hidden,
        num_labels=labels,
        m=examples,
    )
    checkpoint()  # a stop signal meanwhile: no result (nn3.stopping)
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
        exit_with(1)
