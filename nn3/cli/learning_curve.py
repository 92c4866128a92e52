"""``nn3 learning-curve DATA.mat``: ex5's learning curve, the errors against the number of
training examples.

Registered in :data:`nn3.cli.COMMANDS`. The work is
:func:`nn3.workflow.model_selection.prepare_learning_curve`; the printing, the signals and the
picture are :mod:`nn3.cli.curves`' (shared with ``nn3 train --lambda LIST``).
"""

import click

from . import options


@click.command("learning-curve")
@options.data_argument()
@options.training_options
@options.sizes
@options.in_order
@options.jobs
@options.out(help="Also save the table (learning_curve), the rows used and the settings to this "
             ".mat file (atomically).")  # fmt: skip
@options.format_()
@options.quiet
@options.plot_of("the learning curve (ex5's figure)")
def learning_curve(data, sizes, in_order, jobs, out, out_format, quiet, plot_path, **given):
    """The learning curve of ex5's learningCurve.m on DATA.mat.

    Holds out a validation part (--holdout, default 0.2, stratified by --seed), then for each
    number i of --sizes trains a network (with --lambda, from the same starting weights) on the
    first i training examples and prints its cost J (lambda 0) and accuracy on those i and on
    the whole validation part. High validation error that falls as i grows: more data helps
    (variance); both errors high and close: it does not (bias).

    The trainings run at once (--jobs, or on Dask workers with --dask); the results are the
    same bit for bit whichever way.
    """
    from .curves import learning_curve_command

    learning_curve_command(data, sizes, in_order, jobs, out, out_format, quiet, plot_path, given)
