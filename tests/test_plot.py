"""Pictures: the displayData layout by hand, valid deterministic PNGs of the expected pixel size,
``nn3 show``, ``nn3 train --plot``, and the message when matplotlib is missing."""

import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import nn3
from nn3 import plot
from nn3.cli import cli
from nn3.errors import DataError, OptionError

DATA = Path(__file__).resolve().parent.parent / "data"

try:
    import matplotlib  # noqa: F401

    HAVE_MPL = True
except ImportError:
    HAVE_MPL = False
needs_mpl = pytest.mark.skipif(not HAVE_MPL, reason="matplotlib is not installed")

#: Grey levels are 8-bit: a value v in [-1, 1] comes back within 2/255 (plus rounding).
GREY_TOL = 0.02


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def read_png(path):
    """Width, height, first channel and chunk types of a PNG.

    The container is checked by hand (signature, chunk CRCs, IHDR first, IEND last); the pixels
    are decoded by Pillow, not by matplotlib, which wrote them.
    """
    from PIL import Image

    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    with Image.open(path) as im:
        assert im.size == (width, height)
        grey = np.asarray(im.convert("RGBA"))[:, :, 0].astype(np.int64)
    return width, height, grey, kinds


# --------------------------------------------------------------------------------------------
# The layout, without matplotlib


def test_image_grid_hand_worked():
    X = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 1.0, 0.0, 0.0]])
    grid = plot.image_grid(X)
    # 3 examples: floor(sqrt(3)) = 1 row, 3 columns of 2x2 tiles, one pixel of -1 around each.
    # Tiles are reshape(X(k, :), 2, 2) (column-major) divided by max(abs(X(k, :))).
    B = -1.0
    expected = np.array(
        [
            [B, B, B, B, B, B, B, B, B, B],
            [B, 0.25, 0.75, B, 0, 0, B, -1.0, 0, B],
            [B, 0.50, 1.00, B, 0, 0, B, 0.5, 0, B],
            [B, B, B, B, B, B, B, B, B, B],
        ]
    )
    np.testing.assert_array_equal(grid, expected)


def test_image_grid_rows_cols_and_width():
    X = np.arange(1.0, 13.0).reshape(2, 6)  # two 2x3 images (--width 3)
    grid = plot.image_grid(X, example_width=3, rows=2, cols=1)
    assert grid.shape == (1 + 2 * 3, 1 + 1 * 4)
    np.testing.assert_array_equal(grid[1:3, 1:4], np.array([[1, 3, 5], [2, 4, 6]]) / 6)
    np.testing.assert_array_equal(grid[4:6, 1:4], np.array([[7, 9, 11], [8, 10, 12]]) / 12)
    # A grid smaller than the data shows the first rows * cols examples.
    assert plot.image_grid(np.ones((5, 4)), rows=1, cols=2).shape == (4, 7)


@pytest.mark.parametrize(
    "m, rows, cols, expected",
    [(100, None, None, (10, 10)), (25, None, None, (5, 5)), (7, None, None, (2, 4)),
     (7, 1, None, (1, 7)), (7, None, 3, (3, 3)), (5, 2, 2, (2, 2)), (1, None, None, (1, 1))],
)  # fmt: skip
def test_grid_shape_follows_display_data(m, rows, cols, expected):
    assert plot.grid_shape(m, rows, cols) == expected


def test_layout_errors():
    assert plot.tile_shape(64) == (8, 8)
    assert plot.tile_shape(6, 3) == (2, 3)
    with pytest.raises(DataError, match="7 features is not a square"):
        plot.tile_shape(7)
    with pytest.raises(DataError, match="width 4 does not divide the 6"):
        plot.tile_shape(6, 4)
    with pytest.raises(OptionError, match="rows must be at least 1"):
        plot.grid_shape(5, 0, None)
    with pytest.raises(DataError, match="NaN"):
        plot.image_grid(np.array([[np.nan, 0, 0, 0]]))
    with pytest.raises(DataError, match="empty"):
        plot.image_grid(np.zeros((0, 4)))


# --------------------------------------------------------------------------------------------
# Figures and PNGs


@needs_mpl
def test_display_data_png_is_the_grid_pixel_for_pixel(tmp_path):
    X = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [-2.0, 1.0, 0.0, 0.0]])
    fig = plot.display_data(X, scale=5)
    assert plot.save_png(fig, tmp_path / "g.png") == (50, 20)  # 10x4 grid pixels, 5x5 each
    width, height, grey, kinds = read_png(tmp_path / "g.png")
    assert (width, height) == (50, 20)
    assert b"tEXt" not in kinds and b"tIME" not in kinds  # nothing that changes run to run
    # Each grid pixel is a 5x5 block of one grey level: -1 black, 1 white, 0 mid-grey.
    blocks = grey.reshape(4, 5, 10, 5)
    assert np.all(blocks == blocks[:, :1, :, :1])
    levels = blocks[:, 0, :, 0]
    assert levels[0, 0] == 0 and levels[2, 2] == 255 and levels[2, 7] in (191, 192)
    assert levels[1, 4] in (127, 128) and levels[1, 7] == 0
    np.testing.assert_allclose(levels / 255 * 2 - 1, plot.image_grid(X), atol=GREY_TOL)


@needs_mpl
def test_raster_pictures_of_a_grid_are_drawn_from_its_pixels_not_resampled(tmp_path):
    """The file is made from the grid itself, block for block (matplotlib 3.10's imshow puts
    block edges a pixel off when upsampling); the figure on screen keeps its imshow image."""
    X = np.sin(np.arange(12.0)).reshape(3, 4)
    fig = plot.display_data(X, scale=7)
    fig.axes[0].images[0].set_data(np.zeros((4, 10)))  # what the screen shows is not used
    assert plot.save_png(fig, tmp_path / "g.png") == (70, 28)
    _, _, grey, _ = read_png(tmp_path / "g.png")
    blocks = grey.reshape(4, 7, 10, 7)
    assert np.all(blocks == blocks[:, :1, :, :1])
    np.testing.assert_allclose(blocks[:, 0, :, 0] / 255 * 2 - 1, plot.image_grid(X), atol=GREY_TOL)


@needs_mpl
def test_digits_pictures_have_the_expected_size_and_are_deterministic(tmp_path):
    X = nn3.load_mat(DATA / "digits.mat")["X"][:100]
    # 10x10 tiles of 8x8 pixels with 1-pixel borders: 91x91, scaled by 640 // 91 = 7.
    assert plot.save_png(plot.display_data(X), tmp_path / "a.png") == (637, 637)
    assert plot.save_png(plot.display_data(X), tmp_path / "b.png") == (637, 637)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert read_png(tmp_path / "a.png")[:2] == (637, 637)
    # 25 hidden units of 64 inputs: 5x5 tiles, 46x46, scaled by 640 // 46 = 13.
    Theta1 = np.sin(np.arange(25 * 65.0)).reshape(25, 65)
    fig = plot.plot_hidden_units(Theta1)
    assert plot.save_png(fig, tmp_path / "h.png") == (598, 598)
    assert read_png(tmp_path / "h.png")[:2] == (598, 598)


@needs_mpl
def test_plot_cost_png(tmp_path):
    cost = 3.0 * 0.9 ** np.arange(50)
    fig = plot.plot_cost(cost.reshape(-1, 1))
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, 51))
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), cost)
    assert plot.save_png(fig, tmp_path / "c.png") == (640, 480)
    first = (tmp_path / "c.png").read_bytes()
    plot.save_png(plot.plot_cost(cost), tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes() == first
    width, height, grey, _ = read_png(tmp_path / "c.png")
    assert (width, height) == (640, 480)
    assert grey.min() < 100 and grey.max() == 255  # a white background with dark ink on it
    assert plot.save_png(plot.plot_cost([]), tmp_path / "empty.png") == (640, 480)


@needs_mpl
def test_validation_and_learning_curves_are_ex5s_figures(tmp_path):
    lambdas = [3, 0, 0.3, 1]  # in any order: drawn in ascending lambda
    train, val = [0.5, 0.1, 0.2, 0.3], [0.6, 0.4, 0.3, 0.45]
    fig = plot.plot_validation_curve(lambdas, train, val, chosen=0.3)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 0.3, 1, 3])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.1, 0.2, 0.3, 0.5])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.4, 0.3, 0.45, 0.6])
    np.testing.assert_array_equal(ax.lines[2].get_xydata(), [[0.3, 0.3]])  # the chosen one
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Train", "Cross Validation", "chosen: lambda = 0.3"]  # fmt: skip
    assert ax.get_xlabel() == "lambda"
    assert plot.save_png(fig, tmp_path / "v.png") == (640, 480)
    again = plot.plot_validation_curve(lambdas, train, val, chosen=0.3)
    plot.save_png(again, tmp_path / "v2.png")
    assert (tmp_path / "v.png").read_bytes() == (tmp_path / "v2.png").read_bytes()
    fig = plot.plot_learning_curve([10, 20, 40], [0.1, 0.2, 0.25], [0.9, 0.5, 0.3])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Number of training examples"
    np.testing.assert_array_equal(ax.lines[1].get_xydata(), [[10, 0.9], [20, 0.5], [40, 0.3]])
    with pytest.raises(DataError, match="3 values but 2 training and 3 validation errors"):
        plot.plot_learning_curve([10, 20, 40], [0.1, 0.2], [0.9, 0.5, 0.3])


@needs_mpl
def test_save_png_errors_and_leaves_no_temporary_files(tmp_path):
    fig = plot.plot_cost([1.0, 0.5])
    with pytest.raises(OptionError, match="does not exist"):
        plot.save_png(fig, tmp_path / "nope" / "c.png")
    plot.save_png(fig, tmp_path / "c.png")
    assert [p.name for p in tmp_path.iterdir()] == ["c.png"]


# --------------------------------------------------------------------------------------------
# nn3 show and nn3 train --plot


@needs_mpl
def test_show_data_default_grid(tmp_path):
    out = tmp_path / "data.png"
    r = run("show", DATA / "digits.mat", "--out", out)
    assert r.exit_code == 0, r.output
    assert "Saved 100 of 1797 examples" in r.output and "(637x637 pixels)" in r.output
    assert read_png(out)[:2] == (637, 637)
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "again.png")
    assert (tmp_path / "again.png").read_bytes() == out.read_bytes()


@needs_mpl
def test_show_data_rows_cols_seed_pick(tmp_path):
    out = tmp_path / "six.png"
    r = run("show", DATA / "digits.mat", "--out", out, "--rows", "2", "--cols", "3", "--seed", 4)
    assert r.exit_code == 0, r.output
    # 2x3 tiles of 8x8: 19x28 grid pixels, scaled by 640 // 28 = 22.
    assert "Saved 6 of 1797 examples" in r.output and "(616x418 pixels)" in r.output
    width, height, grey, _ = read_png(out)
    assert (width, height) == (616, 418)
    # The examples are MATLAB's rng(4); [~, order] = sort(rand(1797, 1)); order(1:6).
    X = nn3.load_mat(DATA / "digits.mat")["X"]
    u = np.random.RandomState(4).random_sample(1797)  # MATLAB's twister for seed 4
    pick = np.argsort(u, kind="stable")[:6]
    levels = grey[::22, ::22] / 255 * 2 - 1
    np.testing.assert_allclose(levels, plot.image_grid(X[pick], rows=2, cols=3), atol=GREY_TOL)


@needs_mpl
def test_show_weights_as_hidden_units(tmp_path):
    weights = tmp_path / "w.mat"
    Theta1 = np.cos(np.arange(4 * 10.0)).reshape(4, 10)  # 4 units of 9 = 3x3 inputs
    nn3.save_mat(weights, {"Theta1": Theta1, "Theta2": np.ones((2, 5)), "X": np.ones((3, 4))})
    out = tmp_path / "hidden.png"
    r = run("show", weights, "--out", out)
    assert r.exit_code == 0, r.output
    # 2x2 tiles of 3x3: 9x9 grid pixels, scaled by 640 // 9 = 71.
    assert "Saved 4 hidden units" in r.output and "(639x639 pixels)" in r.output
    width, height, grey, _ = read_png(out)
    assert (width, height) == (639, 639)
    levels = grey[::71, ::71] / 255 * 2 - 1
    np.testing.assert_allclose(levels, plot.image_grid(Theta1[:, 1:]), atol=GREY_TOL)
    # --x-var shows the data variable of the same file instead.
    r = run("show", weights, "--out", tmp_path / "x.png", "--x-var", "X")
    assert r.exit_code == 0 and "Saved 3 of 3 examples" in r.output


def test_show_errors_are_one_line(tmp_path):
    r = run("show", DATA / "data.mat", "--out", tmp_path / "d.png")
    if HAVE_MPL:
        assert r.exit_code == 2
        assert r.output.strip().splitlines() == [
            f"nn3: error: {DATA / 'data.mat'}: variable 'X': 2 features is not a square number "
            "of pixels, so the rows are not square images; give the image width "
            "(--width)"
        ]
    r = run("show", tmp_path / "missing.mat", "--out", tmp_path / "d.png")
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "no such file" in r.output
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "d.png", "--rows", "0")
    assert r.exit_code == 2 and "--rows must be at least 1" in r.output
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "d.png", "--seed", "-1")
    assert r.exit_code == 2 and r.output.strip().splitlines() == [
        "nn3: error: --seed must be in 0..4294967295 (MATLAB's rng), got -1"
    ]
    assert not (tmp_path / "d.png").exists()


@needs_mpl
def test_train_plot_writes_the_cost_curve(tmp_path):
    out, png = tmp_path / "w.mat", tmp_path / "cost.png"
    r = run("train", DATA / "data.mat", "--hidden", 4, "--maxiter", 5, "--out", out, "-q",
            "--plot", png)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"Saved the cost per iteration to {png} (640x480 pixels)" in r.output
    assert read_png(png)[:2] == (640, 480)


# --------------------------------------------------------------------------------------------
# Without matplotlib


@pytest.fixture
def no_matplotlib(monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail


def test_missing_matplotlib_says_what_to_install(no_matplotlib, tmp_path):
    with pytest.raises(plot.MissingDependencyError, match=r"pip install 'nn3\[plot\]'"):
        plot.display_data(np.ones((4, 4)))
    assert isinstance(plot.MissingDependencyError("x"), nn3.Nn3Error)
    expected = (
        "nn3: error: pictures need matplotlib, which is not installed: pip install 'nn3[plot]'"
    )
    r = run("show", DATA / "digits.mat", "--out", tmp_path / "d.png")
    assert r.exit_code == 2 and r.output.strip().splitlines() == [expected]
    # train --plot refuses before training, so no run is wasted and nothing is written.
    out = tmp_path / "w.mat"
    r = run("train", DATA / "digits.mat", "--out", out, "--plot", tmp_path / "c.png")
    assert r.exit_code == 2 and r.output.strip().splitlines() == [expected]
    assert not out.exists()
