"""``nn3 info FILE.mat``: format version and variables, and the per-variable summary it shows.

Registered in :data:`nn3.cli.COMMANDS`. The summary (:func:`summarize`) lives here, with the one
command that shows it; numpy is imported inside the functions, so ``nn3 --help`` stays fast.
"""

import click

from . import options

#: MATLAB's numeric classes whose min/max/NaN count ``nn3 info`` shows (logical is not one).
NUMERIC_CLASSES = frozenset(
    ("double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64")
)


def summarize(value: object) -> dict:
    """What ``nn3 info`` shows of one value: class, size, and min/max/NaN count of numeric data.

    Returns
    -------
    info : dict
        ``class`` (with attributes), ``size`` (tuple), and for numeric non-empty data ``min``,
        ``max`` (None for complex) and ``nans`` (count of NaN elements); for logical data
        ``min`` and ``max`` as ``bool`` (shown ``false``/``true``).
    """
    from ..compare import format_class, matlab_attributes, matlab_class, matlab_size
    from ..mat import Summary

    if isinstance(value, Summary):  # read for a summary: class and size from the header
        brief: dict = {"class": value.matlab_class, "size": value.size}
        if value.min is not None:
            brief.update(min=value.min, max=value.max, nans=0)
        return brief
    cls = matlab_class(value)
    info: dict = {
        "class": format_class(cls, matlab_attributes(value)),
        "size": matlab_size(value),
    }
    if cls == "logical":  # true/false: interrupted = 1 reads "true"
        import numpy as np

        if hasattr(value, "tocsc") and hasattr(value, "nnz"):  # scipy.sparse
            info = _summarize_sparse(value, info)
            for key in ("min", "max"):
                if key in info:
                    info[key] = bool(info[key])
            return info
        arr = np.asarray(value)
        if arr.size:
            info.update(min=bool(arr.min()), max=bool(arr.max()), nans=0)
        return info
    if cls in NUMERIC_CLASSES:
        import numpy as np

        if hasattr(value, "tocsc") and hasattr(value, "nnz"):  # scipy.sparse
            return _summarize_sparse(value, info)
        arr = np.asarray(value)
        if arr.size == 0:
            return info
        if arr.dtype.kind == "c":
            info["min"] = info["max"] = None
            info["nans"] = int(np.count_nonzero(np.isnan(arr)))
        elif arr.dtype.kind == "f":
            nans = np.isnan(arr)
            info["nans"] = int(np.count_nonzero(nans))
            if info["nans"] < arr.size:
                info["min"] = float(np.nanmin(arr))
                info["max"] = float(np.nanmax(arr))
        else:
            info["nans"] = 0
            info["min"] = int(arr.min())
            info["max"] = int(arr.max())
    return info


def _summarize_sparse(value, info):
    """min/max/NaN count of a sparse matrix from its stored values (0 where it stores none)."""
    import math

    import numpy as np

    data = np.asarray(value.tocsc().data)
    n = math.prod(int(d) for d in value.shape)
    info["nnz"] = int(value.nnz)
    if n == 0:
        return info
    info["nans"] = int(np.count_nonzero(np.isnan(data))) if data.dtype.kind in "fc" else 0
    if data.dtype.kind == "c":
        info["min"] = info["max"] = None
        return info
    values = data[~np.isnan(data)] if data.dtype.kind == "f" else data
    if values.size < n:  # implicit zeros
        values = np.append(values, np.zeros(1, dtype=values.dtype))
    if values.size:
        info["min"] = float(values.min())
        info["max"] = float(values.max())
    return info


def _header_text(path, fmt):
    """The descriptive text at the start of a v5 or v7.3 file, if printable."""
    if fmt == "4":
        return ""
    with open(path, "rb") as fh:
        head = fh.read(116)
    text = head.rstrip(b"\x00 ").decode("ascii", "replace")
    return text if text.isprintable() else ""


def _info_rows(value, name):
    """(name as shown, summary) of a variable and of its struct fields, names escaped."""
    from ..mat import shown

    yield shown(name, 200), summarize(value)
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _info_rows(item, f"{name}.{key}")


def _info_number(x):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    return f"{x:.6g}".replace("inf", "Inf").replace("nan", "NaN")


@click.command()
@options.data_argument("file")
def info(file):
    """Format version and variables of FILE.mat: name, MATLAB class, size, min/max/NaNs.

    Struct fields are listed as data.X. Sizes are in MATLAB order (5000x400).
    """
    from ..compare import format_size
    from ..mat import LoadBudget, Summary, format_bytes, iter_mat, mat_format, shown
    from ..stopping import checkpoint

    fmt = mat_format(file)
    rows = [("name", "class", "size", "min", "max", "NaNs")]
    unread = []
    # One variable at a time, for a summary: cells, text and objects by class and size only,
    # each variable within the load budget on its own; the table is printed once all are read.
    for root, value in iter_mat(file, summary=True):
        checkpoint()  # a stop signal: at the next variable (nn3.stopping)
        if isinstance(value, Summary) and value.reason:
            unread.append(shown(root))
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
        del value
    checkpoint()
    if fmt == "text":  # a numeric text file, read as MATLAB's load reads it
        click.echo(f"{file}: numeric text file (read as MATLAB's load reads it)")
    else:
        header = _header_text(file, fmt)
        click.echo(f"{file}: MAT-file v{fmt}" + (f" ({header})" if header else ""))
    if len(rows) == 1:
        click.echo("(no variables)")
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if unread:
        click.echo(
            f"(min/max/NaNs of {', '.join(unread)} not computed: larger than nn3's budget for "
            f"one load, {format_bytes(LoadBudget().max_bytes)}; set NN3_MAX_LOAD_BYTES to raise "
            "it)"
        )
