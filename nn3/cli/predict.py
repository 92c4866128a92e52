"""``nn3 predict WEIGHTS.mat [DATA.mat | --x ...]``: labels from a trained network.

Registered in :data:`nn3.cli.COMMANDS`; numpy and scipy are imported inside the command.
"""

import click

from ..errors import OptionError
from . import options
from ._common import check_distinct, check_output_folder, fmt_size, shown


def _parse_sample(text):
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise OptionError(f"--x: '{part}' is not a number (give e.g. --x 1.5,2.0)") from None
        if values[-1] in (float("inf"), float("-inf")) or values[-1] != values[-1]:
            raise OptionError(f"--x: '{part}' is not a finite number; features must be finite")
    if not values:
        raise OptionError("--x: no values given (give e.g. --x 1.5,2.0)")
    return values


@click.command()
@options.data_argument("weights")
@options.data_argument("data", required=False)
@click.option(
    "--x", "sample", default=None, help="One sample as comma-separated features, e.g. --x 1.5,2.0."
)
@options.out(help="Write the predictions p (m x 1) and outputs h (m x K) to this .mat file.")
@options.format_()
@options.x_var()
@options.y_var(help="Name of the label variable (accuracy is shown when it is present).")
@options.engine_options
def predict(weights, data, sample, out, x_var, y_var, out_format, stream, block_rows, dask):
    """Predict with trained WEIGHTS.mat on DATA.mat or on one sample (--x).

    Labels are 1..K (argmax of the outputs), or 0/1 for a single output unit; when WEIGHTS.mat
    holds 'classes' (text labels, --classes auto), the original labels, with p_index 1..K.
    Features are scaled with the file's mu and sigma (nn3 train --normalize). DATA may be a
    numeric text file: all X, or X and a last column of labels. Nothing is saved without --out.
    --stream/--dask read X by row blocks from a v7.3 DATA.mat and write p (and h) to a v7.3
    --out block by block: neither X nor the predictions are held whole.
    """
    import numpy as np

    from ..core.network import accuracy, labels_from_outputs
    from ..mat import save_mat
    from ..stopping import checkpoint
    from ..validation import check_feature_count
    from ..workflow.data import read_data, validate_data
    from ..workflow.labels import shown_label

    if (data is None) == (sample is None):
        raise OptionError("give either DATA.mat or --x (one sample), not both or neither")
    check_distinct([("WEIGHTS", weights), ("DATA", data)], [("--out", out)])
    if stream or block_rows is not None or dask is not None:
        return _predict_by_blocks(
            weights, data, out, x_var, y_var, out_format, stream, block_rows, dask
        )
    if out is not None:
        check_output_folder(out)
    # the weights file's classes and mu/sigma travel with the network (Model)
    from ..workflow.model import load_model

    model = load_model(weights)
    Theta1, Theta2 = model.Theta1, model.Theta2
    y = labels = None
    if sample is not None:
        X = np.array([_parse_sample(sample)])
        source = "--x"
    else:  # a text file with one column more than the network's inputs ends in the labels
        n_inputs = Theta1.shape[1] - 1
        X, labels = read_data(data, x_var, y_var, False, n_features=n_inputs)
        y = None if labels is None else model.encode(labels, data, y_var)  # stored classes
        K = Theta2.shape[0] if model.classes is not None else None  # a subset of the classes
        X, y = validate_data(X, y, data, x_var, y_var, K)
        source = data
    n_examples = X.shape[0] if sample is None else None  # a data file's X may be transposed
    check_feature_count(X.shape[1], Theta1.shape, f"{source} and {weights}: ", n_examples)
    h = model.predict_proba(X)  # (X - mu) ./ sigma first when the file holds mu and sigma
    p_index = labels_from_outputs(h)
    p = model.decode(p_index)
    checkpoint()  # a stop signal meanwhile: no result, nothing saved (nn3.stopping)
    if sample is not None:
        if model.classes is not None:  # escaped and short, as every label shown
            click.echo(f"Prediction: {shown_label(p[0])} (class {int(p_index[0])})")
        else:
            click.echo(f"Prediction: {int(p[0])}")
        if Theta2.shape[0] == 1:
            click.echo(f"Output h: {h[0, 0]:.6f}")
        else:
            click.echo("Outputs h: " + " ".join(f"{v:.4f}" for v in h[0]))
    else:
        click.echo(f"Predicted {X.shape[0]} examples")
        if y is not None:
            click.echo(f"Accuracy: {accuracy(p_index, y):.2f}%")
    if out is not None:
        saved = {"p": p.reshape(-1, 1), "h": h}
        if model.classes is not None:  # p: the original labels; p_index: 1..K
            saved = {"p": p.reshape(-1, 1), "p_index": p_index.reshape(-1, 1), "h": h}
        save_mat(out, saved, format=out_format)
        index = f", p_index ({p.size}x1)" if model.classes is not None else ""
        click.echo(f"Saved p ({p.size}x1){index} and h ({fmt_size(h)}) to {shown(out)}")
    elif sample is None:
        click.echo("nn3: predictions not saved (no --out); --out FILE.mat writes p and h", err=True)


def _predict_by_blocks(weights, data, out, x_var, y_var, out_format, stream, block_rows, address):
    """``--stream``/``--dask``: :func:`nn3.engines.predict.predict_blocks`, v7.3 output."""
    import h5py

    from ..engines.labels import read_labels
    from ..engines.predict import predict_blocks
    from ..engines.source import hdf5_path, open_source
    from ..mat import h5py_errors, load_mat
    from ..validation import check_feature_count, validate
    from ..workflow.weights import load_weights

    if data is None:
        raise OptionError("--stream/--dask predict a DATA.mat file, not --x")
    engine = options.engine_of(stream, address) or "stream"
    if block_rows is not None:
        validate("block_rows", block_rows)
    ctx = click.get_current_context()
    if out is not None:
        if ctx.get_parameter_source("out_format") == click.core.ParameterSource.COMMANDLINE and (
            out_format != "7.3"
        ):
            raise OptionError(
                "--stream/--dask write --out block by block as v7.3; use --format 7.3"
            )
        check_output_folder(out)
    if address is not None:
        from ..engines.dask_engine import parse_address, require_distributed

        parse_address(address)
        require_distributed()  # the missing extra, in one line, before anything is read
    Theta1, Theta2 = load_weights(weights)
    scaled = [k for k in ("classes", "mu", "sigma") if k in load_mat(weights)]
    if scaled:
        raise OptionError(
            f"{weights} holds {', '.join(scaled)}: --stream/--dask predict with Theta1/Theta2 "
            "only; predict in memory (without --stream/--dask)"
        )
    source = open_source(data, x_var)
    m, n = source.shape
    source.close()
    check_feature_count(n, Theta1.shape, f"{data} and {weights}: ", m)
    with h5py.File(data, "r") as f, h5py_errors(str(data)):
        has_y = hdf5_path(y_var) in f
    y = read_labels(data, y_var, m) if has_y else None
    info = predict_blocks(
        Theta1,
        Theta2,
        data,
        out,
        y=y,
        engine=engine,
        client=address,
        block_rows=block_rows,
        x_var=x_var,
    )  # stops at each block (nn3.stopping); --out is written by now: no checkpoint after it
    click.echo(f"Predicted {info['rows']} examples")
    if info["accuracy"] is not None:
        click.echo(f"Accuracy: {info['accuracy']:.2f}%")
    if out is not None:
        click.echo(f"Saved p ({m}x1) and h ({m}x{Theta2.shape[0]}) to {out} (v7.3)")
