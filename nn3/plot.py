"""Pictures of what MATLAB showed: the data as digit images, the hidden units, the cost curve.

Optional: needs matplotlib (``pip install 'nn3[plot]'``). matplotlib is imported only when a
picture is drawn, never at import time, and only its object-oriented API is used (no pyplot, no
window, no global figure state), so the functions work the same in scripts, notebooks and on
servers without a display.

Every function returns a :class:`matplotlib.figure.Figure`; :func:`save_png` writes one
atomically and deterministically (same input, same bytes: matplotlib's default style, a fixed
size and dpi, no ``Software`` text chunk).

The picture of examples follows ex4's displayData.m: each row of ``X`` is an image unrolled
column-major, shown scaled by its own largest absolute value on a grey scale from -1 (black) to 1
(white), in a grid of tiles separated by one black pixel. :func:`image_grid` builds that matrix
with numpy alone.
"""

import math

import numpy as np

from .errors import DataError, MissingDependencyError, NamedText, OptionError, ParameterError
from .mat.atomic import atomic_output
from .validation import validate, validate_params

#: What to run when matplotlib is missing.
INSTALL_HINT = "pip install 'nn3[plot]'"

#: Dots per inch of every figure (the PNGs' pixel sizes follow from it).
DPI = 100

#: Pixel size of :func:`plot_cost`'s figure: width, height.
COST_SIZE = (640, 480)

#: Longest side, in pixels, that an image grid is scaled up to fit (whole pixels per cell).
GRID_TARGET = 640


def require_matplotlib():
    """matplotlib, imported now, or a one-line :class:`MissingDependencyError` saying what to
    install (commands ask before any work, so no run is wasted)."""
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401
        import matplotlib.style  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            f"pictures need matplotlib, which is not installed: {INSTALL_HINT}"
        ) from exc
    return matplotlib


def _as_matrix(X, name):
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise DataError(f"{name} must be a real numeric matrix, got type {X.dtype}")
    if X.ndim == 1:
        X = X.reshape(1, -1)
    if X.ndim != 2:
        raise DataError(f"{name} must be a 2-D matrix, got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"{name} is empty ({X.shape[0]}x{X.shape[1]}): nothing to show")
    X = X.astype(np.float64, copy=False)
    if not np.all(np.isfinite(X)):
        raise DataError(f"{name} holds NaN or Inf values")
    return X


def tile_shape(n_features, example_width=None):
    """Height and width of one image of ``n_features`` pixels.

    Parameters
    ----------
    n_features : int
    example_width : int, optional
        Image width; by default the images are square and ``n_features`` must be a square.

    Returns
    -------
    height, width : int
    """
    if example_width is None:
        width = math.isqrt(n_features)
        if width * width != n_features:
            raise DataError(
                NamedText(
                    f"{n_features} features is not a square number of pixels, so the rows are "
                    "not square images; give the image width ({example_width})",
                    {"example_width": None},
                )
            )
        return width, width
    width = validate("example_width", example_width)
    if n_features % width:
        raise DataError(
            f"image width {example_width} does not divide the {n_features} features per example"
        )
    return n_features // width, width


def grid_shape(n_examples, rows=None, cols=None):
    """Rows and columns of tiles for ``n_examples`` images.

    displayData.m's rule when neither is given: ``rows = floor(sqrt(m))``,
    ``cols = ceil(m / rows)``. Given one, the other is what it takes to show every example;
    given both, the grid is exactly that (the first ``rows * cols`` examples are shown).

    Returns
    -------
    rows, cols : int
    """
    checked = validate_params(rows=rows, cols=cols)
    rows, cols = checked.get("rows"), checked.get("cols")
    if rows is None and cols is None:
        rows = max(1, math.isqrt(n_examples))
    if rows is None:
        rows = -(-n_examples // cols)
    if cols is None:
        cols = -(-n_examples // rows)
    return int(rows), int(cols)


def image_grid(X, example_width=None, rows=None, cols=None):
    """The picture displayData.m draws, as a matrix.

    Port of displayData.m's layout: tile ``k`` (row by row across the grid) is example ``k``
    reshaped column-major to ``(height, width)`` (MATLAB's ``reshape(X(k, :), h, w)``) and
    divided by its largest absolute value; tiles sit on a background of -1 with a border of one
    pixel around and between them. An all-zero example stays 0 (MATLAB would divide by zero).

    Parameters
    ----------
    X : array_like of shape (m, n)
        One image per row.
    example_width : int, optional
        Image width; default ``sqrt(n)`` (``n`` must then be a square).
    rows, cols : int, optional
        Grid size in tiles (see :func:`grid_shape`); examples beyond ``rows * cols`` are not
        shown.

    Returns
    -------
    grid : ndarray of shape (1 + rows * (height + 1), 1 + cols * (width + 1)), float64
        Values in [-1, 1].
    """
    X = _as_matrix(X, "X")
    height, width = tile_shape(X.shape[1], example_width)
    rows, cols = grid_shape(X.shape[0], rows, cols)
    grid = -np.ones((1 + rows * (height + 1), 1 + cols * (width + 1)))
    for k in range(min(X.shape[0], rows * cols)):
        r, c = divmod(k, cols)
        tile = X[k].reshape((height, width), order="F")
        peak = np.max(np.abs(tile))
        top = 1 + r * (height + 1)
        left = 1 + c * (width + 1)
        grid[top : top + height, left : left + width] = tile / peak if peak > 0 else tile
    return grid


def _exact_figure(Figure, width_px, height_px):
    """A figure of exactly ``width_px x height_px`` pixels at :data:`DPI`.

    matplotlib truncates ``inches * dpi`` to whole pixels, so the inches are rounded up by one
    ulp to keep e.g. 637 px from becoming 636.
    """
    size = (np.nextafter(width_px / DPI, np.inf), np.nextafter(height_px / DPI, np.inf))
    return Figure(figsize=size, dpi=DPI)


def display_data(X, example_width=None, rows=None, cols=None, scale=None):
    """Show examples as a grid of grey-level images, as ex4's displayData.m does.

    Port of displayData.m (see :func:`image_grid` for the layout); the grid fills the whole
    figure with ``scale x scale`` screen pixels per grid pixel, so a PNG of it is exact.

    Parameters
    ----------
    X : array_like of shape (m, n)
        One image per row, unrolled column-major (``X(i, :)`` of a MATLAB data set).
    example_width : int, optional
        Image width; default ``sqrt(n)``.
    rows, cols : int, optional
        Grid size in tiles (see :func:`grid_shape`).
    scale : int, optional
        Screen pixels per grid pixel; default the largest whole number that keeps the longer
        side within :data:`GRID_TARGET` (640) pixels, at least 1.

    Returns
    -------
    fig : matplotlib.figure.Figure
        ``(grid width * scale) x (grid height * scale)`` pixels at :data:`DPI`.
    """
    grid = image_grid(X, example_width, rows, cols)
    mpl = require_matplotlib()
    if scale is None:
        scale = max(1, GRID_TARGET // max(grid.shape))
    scale = validate("scale", scale)
    with mpl.style.context("default"):
        fig = _exact_figure(mpl.figure.Figure, grid.shape[1] * scale, grid.shape[0] * scale)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.imshow(grid, cmap="gray", vmin=-1.0, vmax=1.0, interpolation="nearest", aspect="auto")
        ax.set_axis_off()
    fig._nn3_grid = (grid, scale)  # for a pixel-exact picture file (see _pixel_figure)
    return fig


def _pixel_figure(Figure, grid, scale):
    """The grid of :func:`display_data` as a figure of raw pixels, ``scale x scale`` each.

    Drawn with ``figimage``, which copies pixels without resampling: a raster file of it has
    each grid pixel as an exact block on every matplotlib (``imshow``'s nearest-neighbour
    upsampling puts block edges a pixel off in matplotlib 3.10).
    """
    pixels = np.repeat(np.repeat(grid, scale, axis=0), scale, axis=1)
    fig = _exact_figure(Figure, pixels.shape[1], pixels.shape[0])
    fig.figimage(pixels, cmap="gray", vmin=-1.0, vmax=1.0, origin="upper")
    return fig


def plot_hidden_units(Theta1, example_width=None, rows=None, cols=None, scale=None):
    """Each hidden unit's input weights as an image, ex4's ``displayData(Theta1(:, 2:end))``.

    Parameters
    ----------
    Theta1 : array_like of shape (hidden, n + 1)
        Column 1 (the bias weights) is left out; the other ``n`` are one image per unit.
    example_width, rows, cols, scale
        As in :func:`display_data`.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    Theta1 = np.asarray(Theta1)
    if Theta1.ndim != 2 or Theta1.shape[1] < 2:
        raise DataError(f"Theta1 must be a hidden x (n + 1) matrix, got shape {Theta1.shape}")
    return display_data(Theta1[:, 1:], example_width, rows, cols, scale)


def plot_cost(cost):
    """The cost after each fmincg iteration, ``plot(1:numel(cost), cost)``.

    Parameters
    ----------
    cost : array_like of shape (k,) or (k, 1)
        fmincg's ``fX`` (the ``cost`` variable ``nn3 train`` saves).

    Returns
    -------
    fig : matplotlib.figure.Figure
        :data:`COST_SIZE` (640 x 480) pixels.
    """
    cost = np.asarray(cost, dtype=np.float64).reshape(-1)
    mpl = require_matplotlib()
    with mpl.style.context("default"):
        fig = _exact_figure(mpl.figure.Figure, *COST_SIZE)
        ax = fig.add_subplot()
        iterations = np.arange(1, cost.size + 1)
        ax.plot(iterations, cost, marker="." if cost.size <= 100 else None, color="C0")
        ax.set_xlabel("Iteration")
        ax.set_ylabel("Cost J")
        if cost.size:
            ax.set_title(f"fmincg: {cost.size} iterations, final cost J = {cost[-1]:.6g}")
            ax.set_xlim(0.5 if cost.size == 1 else 1, max(cost.size, 2))
        else:
            ax.set_title("fmincg: no iterations completed")
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
    return fig


def plot_validation_curve(lambdas, train_error, val_error, chosen=None):
    """ex5's validation curve: the training and validation errors against lambda.

    As ex5.m draws it (``plot(lambda_vec, error_train, lambda_vec, error_val); legend('Train',
    'Cross Validation'); xlabel('lambda'); ylabel('Error')``), on a linear axis (lambda 0 is on
    it), the points in ascending lambda, the chosen lambda marked.

    Parameters
    ----------
    lambdas : array_like of shape (L,)
    train_error, val_error : array_like of shape (L,)
        The costs (J with lambda 0) on the training and the validation part (the columns
        ``train_cost`` and ``val_cost`` of ``lambda_curve``); NaN where none was measured.
    chosen : float, optional
        The lambda chosen (marked with its validation error).

    Returns
    -------
    fig : matplotlib.figure.Figure
        :data:`COST_SIZE` (640 x 480) pixels.
    """
    fig = _plot_errors(lambdas, train_error, val_error, "lambda", "Validation curve")
    if chosen is not None:
        x, val = _sorted_points(lambdas, val_error)
        at = np.flatnonzero(x == float(chosen))
        if at.size:
            ax = fig.axes[0]
            ax.plot(x[at], val[at], "o", color="C3", label=f"chosen: lambda = {float(chosen):g}")
            ax.legend()
    return fig


def plot_learning_curve(m, train_error, val_error):
    """ex5's learning curve: the training and validation errors against the number of
    training examples (``plot(1:m, error_train, 1:m, error_val); legend('Train', 'Cross
    Validation'); xlabel('Number of training examples'); ylabel('Error')``).

    Parameters
    ----------
    m : array_like of shape (L,)
        Numbers of training examples.
    train_error, val_error : array_like of shape (L,)
        The costs (J with lambda 0) on the examples trained on and on the validation part.

    Returns
    -------
    fig : matplotlib.figure.Figure
        :data:`COST_SIZE` (640 x 480) pixels.
    """
    return _plot_errors(m, train_error, val_error, "Number of training examples", "Learning curve")


def _sorted_points(x, y):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    order = np.argsort(x, kind="stable")
    return x[order], np.asarray(y, dtype=np.float64).reshape(-1)[order]


def _plot_errors(x, train_error, val_error, xlabel, title):
    """Two error curves against ``x`` (sorted), ex5's colours and legend."""
    sizes = [np.size(a) for a in (x, train_error, val_error)]
    if not sizes[0] == sizes[1] == sizes[2]:
        raise DataError(
            f"{xlabel}: {sizes[0]} values but {sizes[1]} training and {sizes[2]} validation errors"
        )
    x_sorted, train = _sorted_points(x, train_error)
    _, val = _sorted_points(x, val_error)
    mpl = require_matplotlib()
    with mpl.style.context("default"):
        fig = _exact_figure(mpl.figure.Figure, *COST_SIZE)
        ax = fig.add_subplot()
        marker = "." if x_sorted.size <= 100 else None
        ax.plot(x_sorted, train, marker=marker, color="C0", label="Train")
        ax.plot(x_sorted, val, marker=marker, color="C1", label="Cross Validation")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Error (cost J, lambda 0)")
        ax.set_title(title)
        ax.legend()
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
    return fig


def save_png(fig, path):
    """Write ``fig`` as a PNG atomically, with the same bytes for the same figure.

    The PNG goes to a temporary file in the same folder, renamed over ``path`` when complete.
    matplotlib's default style, :data:`DPI` and no ``Software`` text chunk keep it
    reproducible.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike

    Returns
    -------
    size : tuple of int
        Width and height of the PNG in pixels.
    """
    return _save(fig, path, "png")


#: Reproducible-output metadata per format: no software name or creation date written.
_NO_STAMPS = {"png": {"Software": None}, "pdf": {"CreationDate": None}, "svg": {"Date": None}}


def picture_format(path) -> str | None:
    """The picture format ``path``'s extension names, if matplotlib writes it, else None.

    No extension gives ``"png"``. The formats are matplotlib's (``png``, ``jpg``/``jpeg``,
    ``pdf``, ``svg``, ``tif``, ``webp``, ... as ``Figure.canvas.get_supported_filetypes()``
    lists them; needs matplotlib).
    """
    import os

    ext = os.path.splitext(os.fsdecode(path))[1].lower().lstrip(".")
    if not ext:
        return "png"
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return ext if ext in FigureCanvasAgg.get_supported_filetypes() else None


def supported_formats() -> list[str]:
    """The picture formats (extensions) :func:`save_picture` writes, sorted."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return sorted(FigureCanvasAgg.get_supported_filetypes())


def save_picture(fig, path):
    """Write ``fig`` atomically in the format ``path``'s extension names (PNG without one).

    As :func:`save_png`, for any format matplotlib writes (``cost.pdf``, ``digits.jpg``); PNG,
    PDF and SVG carry no creation date, so the same figure gives the same bytes.

    Returns
    -------
    size : tuple of int
        Width and height in pixels (at :data:`DPI`).

    Raises
    ------
    ParameterError
        An extension matplotlib does not write, naming ``path``.
    """
    fmt = picture_format(path)
    if fmt is None:
        raise ParameterError(
            "path",
            "must end in a picture format matplotlib writes ("
            + ", ".join(supported_formats())
            + "), or have no extension (PNG)",
            path,
        )
    return _save(fig, path, fmt)


#: Vector formats: a grid picture keeps its image (scaled by the viewer, not resampled here).
_VECTOR = {"pdf", "svg", "svgz", "eps", "ps", "pgf"}


def _save(fig, path, fmt):
    mpl = require_matplotlib()
    grid = getattr(fig, "_nn3_grid", None)
    with atomic_output(path, suffix=f".{fmt}.tmp", error=OptionError) as tmp:
        with mpl.style.context("default"):
            if grid is not None and fmt not in _VECTOR:
                fig = _pixel_figure(mpl.figure.Figure, *grid)
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=_NO_STAMPS.get(fmt))
    width, height = fig.canvas.get_width_height()
    return int(width), int(height)
