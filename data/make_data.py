"""Regenerate the bundled data sets: ``data/digits.mat``, ``data.mat`` and ``fisheriris.mat``.

Run from anywhere:  ``python data/make_data.py``  (needs scikit-learn, a dev-only dependency).

digits.mat -- the UCI optical-recognition handwritten digits shipped with scikit-learn
    (E. Alpaydin & C. Kaynak, CC BY 4.0) in the Coursera ML ex4 layout:
    X 1797x64 double in [0, 1], each row an 8x8 image unrolled column-major, so that
    MATLAB's ``reshape(X(i,:), 8, 8)`` is the upright image; y 1797x1 double, labels
    1..10 with 10 meaning digit 0.

data.mat -- a synthetic two-feature binary problem for a 2-4-1 sigmoid network:
    X 400x2 double, uniform on the square [-2.25, 4.25]^2; y 400x1 double, 1 inside the
    disc of radius 2.25 centred at (1, 1), else 0.  The query point x_new = [1.5, 2.0] is
    about 1.12 from the centre, i.e. well inside the disc: its expected class is 1.

fisheriris.mat -- Fisher's iris measurements (1936), laid out as MATLAB's own fisheriris.mat:
    meas 150x4 double (sepal length, sepal width, petal length, petal width, in cm), species
    150x1 cell array of char ('setosa', 'versicolor', 'virginica'), 50 flowers of each in that
    order. The values are scikit-learn's copy of the table, which follows Fisher's paper (the
    UCI repository's copy differs at rows 35 and 38); see data/README.md.

The files are MATLAB v5, compressed, numbers in float64, written atomically and byte-for-byte
reproducible (the header's "Created on" timestamp is replaced by fixed text).
"""

import io
import os
import tempfile
from pathlib import Path

import numpy as np
from scipy.io import savemat
from sklearn.datasets import load_digits, load_iris

HERE = Path(__file__).resolve().parent

# Disc problem parameters.  A disc is not linearly separable (so the hidden layer
# matters), yet 4 sigmoid hidden units can bound it with 4 half-planes well enough.
SEED = 20240601
N_POINTS = 400
CENTRE = np.array([1.0, 1.0])
RADIUS = 2.25
HALF_WIDTH = 3.25  # sampling square = CENTRE +/- HALF_WIDTH -> [-2.25, 4.25]^2

# Fixed 116-byte MAT v5 header text; scipy would otherwise stamp the current time.
HEADER = b"MATLAB 5.0 MAT-file, written by nn3 data/make_data.py"


def write_mat(path: Path, arrays: dict) -> None:
    """Write ``arrays`` as a compressed MAT v5 file at ``path``, atomically."""
    buf = io.BytesIO()
    savemat(buf, arrays, do_compression=True, oned_as="column")
    raw = bytearray(buf.getvalue())
    raw[:116] = HEADER.ljust(116)  # MATLAB pads the header text with spaces
    # Temp file in the same folder so os.replace is an atomic rename on one filesystem.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; make it an ordinary data file
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def make_digits() -> dict:
    digits = load_digits()  # bundled with scikit-learn, no download
    images, target = digits.images, digits.target  # (1797, 8, 8) in 0..16; labels 0..9
    # image.T.ravel() == image.ravel(order="F"): column-major, as MATLAB's reshape reads it.
    X = images.transpose(0, 2, 1).reshape(len(images), 64) / 16.0
    # ex4 convention: labels 1..10 (MATLAB is 1-based), digit 0 is stored as 10.
    y = np.where(target == 0, 10, target).astype(np.float64)
    return {"X": X, "y": y}


def make_disc() -> dict:
    rng = np.random.default_rng(SEED)
    X = CENTRE + rng.uniform(-HALF_WIDTH, HALF_WIDTH, size=(N_POINTS, 2))
    y = (np.linalg.norm(X - CENTRE, axis=1) < RADIUS).astype(np.float64)
    return {"X": X, "y": y}


def make_fisheriris() -> dict:
    iris = load_iris()  # bundled with scikit-learn, no download
    meas = np.asarray(iris.data, dtype=np.float64)  # (150, 4), cm, one decimal
    species = np.empty((len(meas), 1), dtype=object)  # a cell column, as MATLAB's file has it
    species[:, 0] = [str(iris.target_names[t]) for t in iris.target]
    return {"meas": meas, "species": species}


def main() -> None:
    write_mat(HERE / "digits.mat", make_digits())
    write_mat(HERE / "data.mat", make_disc())
    write_mat(HERE / "fisheriris.mat", make_fisheriris())


if __name__ == "__main__":
    main()
