"""``nn3 make-data --rows N --features n --labels K --seed S --format 7.3 OUT.mat``.

Registered in :data:`nn3.cli.COMMANDS`. Writes a learnable synthetic data set of any size block
by block (:func:`nn3.workflow.datagen.make_data`), so files larger than memory can be made to try
``nn3 train --stream`` and ``--dask``. numpy and h5py are imported inside the command.
"""

import click

from ._common import check_output_folder


@click.command(name="make-data")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--rows", type=int, required=True, help="Examples m (rows of X).")
@click.option("--features", type=int, required=True, help="Features n (columns of X).")
@click.option(
    "--labels",
    "num_labels",
    type=int,
    default=10,
    show_default=True,
    help="Labels K: y in 1..K (0/1 for K = 1), given by a fixed random network.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="The file's values depend on the seed alone (0 .. 2^32-1).",
)
@click.option(
    "--format",
    "out_format",
    type=click.Choice(["7.3"]),
    default="7.3",
    show_default=True,
    help="MAT-file format of OUT.mat: 7.3 (HDF5, chunked as MATLAB's matfile writes).",
)
@click.option("--x-var", default="X", show_default=True, help="Name of the data variable.")
@click.option("--y-var", default="y", show_default=True, help="Name of the label variable.")
def make_data(out, rows, features, num_labels, seed, out_format, x_var, y_var):
    """Write synthetic data X (m x n, uniform in [0, 1)) and y (m x 1) to OUT.mat.

    Written block by block (memory: a few MB whatever the size) and atomically: OUT.mat appears
    only when complete. The labels come from a fixed random network, so they can be learned.
    """
    from ..workflow.datagen import make_data as write

    check_output_folder(out)
    info = write(out, rows, features, num_labels, seed, x_var=x_var, y_var=y_var)
    size = info["bytes"] / 2**30
    click.echo(
        f"Wrote {x_var} ({rows}x{features}, {size:.2f} GiB) and {y_var} ({rows}x1, labels "
        f"{'0/1' if num_labels == 1 else f'1..{num_labels}'}, seed {seed}) to {out} "
        f"(v{out_format})"
    )
