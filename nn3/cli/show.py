"""``nn3 show``: a PNG of a data set's examples or of a network's hidden units.

Registered in :data:`nn3.cli.COMMANDS`. matplotlib, numpy and scipy are imported inside the
command, so ``nn3 --help`` stays fast.
"""

import click

from ..errors import DataError, prefixed
from . import options
from ._common import check_distinct, check_picture_path
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
@options.data_argument("file")
@options.out(
    required=True,
    help="Picture to write, in the format of its extension (PNG, JPG, PDF, SVG, ...; PNG "
    "without one), atomically; the same input gives the same bytes.",
)
@options.rows(None, help="Rows of images in the grid.")
@options.cols
@options.width
@options.seed("Which examples to show when the data set has more than the grid holds.")
@options.x_var(
    None, help="Show this data variable (struct fields as data.X) even if the file holds weights."
)
def show(file, out, rows, cols, example_width, seed, x_var):
    """Save a picture of FILE: examples of a data set, or a network's hidden units.

    \b
    nn3 show DATA.mat --out data.png       a grid of examples of X as images (displayData)
    nn3 show WEIGHTS.mat --out hidden.png  each hidden unit's input weights, Theta1(:, 2:end)

    A file with Theta1 (or nn_params) is shown as hidden units, otherwise X is shown. Each row is
    an image unrolled column-major, square unless --width is given. Data sets show at most 100
    examples (picked at random, reproducibly by --seed), or --rows x --cols when both are given.
    The picture's format is --out's extension, as matplotlib writes it. Needs matplotlib: pip
    install 'nn3[plot]'.
    """
    from .. import plot
    from ..mat import get_variable, load_mat
    from ..validation import check_picture_size, validate_params
    from ..workflow.data import validate_data
    from ..workflow.weights import weights_from_variables

    validate_params(rows=rows, cols=cols, example_width=example_width, seed=seed)
    check_distinct([("FILE", file)], [("--out", out)])
    check_picture_path(out, "--out")  # matplotlib, the format, the folder: before any work
    variables = load_mat(file)
    weights = x_var is None and ("Theta1" in variables or "nn_params" in variables)
    if weights:
        Theta1, _ = weights_from_variables(variables, file)
        images = Theta1[:, 1:]
        what = "Theta1(:, 2:end)"
        units = images.shape[0]
        shown = units if rows is None or cols is None else min(units, rows * cols)
        noun = f"{shown} of {units} hidden units" if shown < units else f"{units} hidden units"
    else:
        name = x_var or "X"
        X = get_variable(variables, name, file)
        X, _ = validate_data(X, None, file, name)
        what = f"variable '{name}'"
        count = DEFAULT_EXAMPLES if rows is None or cols is None else rows * cols
        images = X[_pick_examples(X.shape[0], count, seed)]
        shown = images.shape[0]
        noun = f"{shown} of {X.shape[0]} examples"
    try:
        height, width = plot.tile_shape(images.shape[1], example_width)
        grid_rows, grid_cols = plot.grid_shape(images.shape[0], rows, cols)
        check_picture_size(grid_rows, grid_cols, height, width)  # before allocating
        fig = plot.display_data(images, example_width, grid_rows, grid_cols)
    except DataError as exc:
        raise DataError(prefixed(f"{file}: {what}: ", exc)) from None
    size = plot.save_picture(fig, out)
    click.echo(
        f"Saved {noun} of {shown_name(file)} ({height}x{width} images, {grid_rows}x{grid_cols} "
        f"grid) to {shown_name(out)} ({size[0]}x{size[1]} pixels)"
    )
