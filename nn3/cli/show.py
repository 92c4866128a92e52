"""``nn3 show``: a PNG of a data set's examples or of a network's hidden units.

Registered in :data:`nn3.cli.COMMANDS`. matplotlib, numpy and scipy are imported inside the
command, so ``nn3 --help`` stays fast.
"""

import click

from ..errors import DataError, OptionError
from ._common import check_distinct, check_output_folder
from ._common import shown as shown_name

#: Examples shown from a data set unless both --rows and --cols are given (ex4 shows 100).
DEFAULT_EXAMPLES = 100


def _pick_examples(m, count, seed):
    """Which ``count`` of ``m`` examples to show: all in order, or a reproducible random pick.

    The pick is MATLAB's ``rng(seed); [~, order] = sort(rand(m, 1)); order(1:count)``.
    """
    import numpy as np

    from ..core.rng import MatlabRNG

    if count >= m:
        return np.arange(m)
    order = MatlabRNG(seed).shuffled_order(m)
    return order[:count]


@click.command()
@click.argument("file", type=click.Path(dir_okay=True))
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    help="PNG file to write (written atomically; the same input gives the same bytes).",
)
@click.option("--rows", type=int, default=None, help="Rows of images in the grid.")
@click.option("--cols", type=int, default=None, help="Columns of images in the grid.")
@click.option(
    "--width",
    "example_width",
    type=int,
    default=None,
    help="Image width in pixels (default: the square root of the feature count).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    help="Which examples to show when the data set has more than the grid holds.",
)
@click.option(
    "--x-var",
    default=None,
    help="Show this data variable (struct fields as data.X) even if the file holds weights.",
)
def show(file, out, rows, cols, example_width, seed, x_var):
    """Save a picture of FILE as a PNG: examples of a data set, or a network's hidden units.

    \b
    nn3 show DATA.mat --out data.png       a grid of examples of X as images (displayData)
    nn3 show WEIGHTS.mat --out hidden.png  each hidden unit's input weights, Theta1(:, 2:end)

    A file with Theta1 (or nn_params) is shown as hidden units, otherwise X is shown. Each row is
    an image unrolled column-major, square unless --width is given. Data sets show at most 100
    examples (picked at random, reproducibly by --seed), or --rows x --cols when both are given.
    Needs matplotlib: pip install 'nn3[plot]'.
    """
    from .. import plot
    from ..mat import get_variable, load_mat
    from ..validation import check_picture_size
    from ..workflow import training

    for label, value in (("--rows", rows), ("--cols", cols), ("--width", example_width)):
        if value is not None and value < 1:
            raise OptionError(f"{label} must be at least 1, got {value}")
    training.check_settings(seed=seed)
    plot._matplotlib()  # fail early, with the install hint, if matplotlib is missing
    check_output_folder(out)
    check_distinct([("FILE", file)], [("--out", out)])  # issue 14
    variables = load_mat(file)
    weights = x_var is None and ("Theta1" in variables or "nn_params" in variables)
    if weights:
        Theta1, _ = training.weights_from_variables(variables, file)
        images = Theta1[:, 1:]
        what = "Theta1(:, 2:end)"
        units = images.shape[0]
        shown = units if rows is None or cols is None else min(units, rows * cols)
        noun = f"{shown} of {units} hidden units" if shown < units else f"{units} hidden units"
    else:
        name = x_var or "X"
        X = get_variable(variables, name, file)
        X, _ = training.validate_data(X, None, file, name)
        what = f"variable '{name}'"
        count = DEFAULT_EXAMPLES if rows is None or cols is None else rows * cols
        images = X[_pick_examples(X.shape[0], count, seed)]
        shown = images.shape[0]
        noun = f"{shown} of {X.shape[0]} examples"
    try:
        height, width = plot.tile_shape(images.shape[1], example_width)
        grid_rows, grid_cols = plot.grid_shape(images.shape[0], rows, cols)
        check_picture_size(grid_rows, grid_cols, height, width)  # before allocating (issue 14)
        fig = plot.display_data(images, example_width, grid_rows, grid_cols)
    except DataError as exc:
        raise DataError(f"{file}: {what}: {exc}") from None
    size = plot.save_png(fig, out)
    click.echo(
        f"Saved {noun} of {shown_name(file)} ({height}x{width} images, {grid_rows}x{grid_cols} "
        f"grid) to {shown_name(out)} ({size[0]}x{size[1]} pixels)"
    )
