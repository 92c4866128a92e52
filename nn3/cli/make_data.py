"""``nn3 make-data --rows N --features n --labels K --seed S --out OUT.mat``.

Registered in :data:`nn3.cli.COMMANDS`. Writes a learnable synthetic data set of any size block
by block (:func:`nn3.workflow.datagen.make_data`), so files larger than memory can be made to try
``nn3 train --stream`` and ``--dask``. numpy and h5py are imported inside the command.
"""

import click

from ..errors import OptionError
from . import options
from ._common import check_output_folder, shown


@click.command(name="make-data")
@click.argument("out_file", metavar="[OUT.mat]", required=False, type=click.Path(dir_okay=False))
@options.out(help="The .mat file to write (OUT.mat as an argument works too).")
@options.rows(None, required=True, help="Examples m (rows of X).")
@options.features
@options.labels(10, help="Labels K: y in 1..K (0/1 for K = 1), given by a fixed random network.")
@options.seed("The file's values depend on the seed alone (0 .. 2^32-1).")
@options.format_(("7.3",), "7.3")
@options.x_var()
@options.y_var()
def make_data(out_file, out, rows, features, num_labels, seed, out_format, x_var, y_var):
    """Write synthetic data X (m x n, uniform in [0, 1)) and y (m x 1) to --out OUT.mat.

    Written block by block (memory: a few MB whatever the size) and atomically: OUT.mat appears
    only when complete. The labels come from a fixed random network, so they can be learned.
    --features and --labels are at most 7812500; the file must fit in the free space of its
    folder (checked first: 8 bytes per value of X and y, and 1 MiB more).
    """
    from ..workflow.datagen import make_data as write

    if out is None or out_file is None:
        out = out or out_file
    elif out != out_file:
        raise OptionError(f"give the output once: --out {shown(out)} or {shown(out_file)}")
    if out is None:
        raise OptionError("give the file to write: --out OUT.mat")
    check_output_folder(out)
    info = write(out, rows, features, num_labels, seed, x_var=x_var, y_var=y_var)
    size = info["bytes"] / 2**30
    click.echo(
        f"Wrote {x_var} ({rows}x{features}, {size:.2f} GiB) and {y_var} ({rows}x1, labels "
        f"{'0/1' if num_labels == 1 else f'1..{num_labels}'}, seed {seed}) to {shown(out)} "
        f"(v{out_format})"
    )
