"""make_data and the streaming v7.3 writer: deterministic, learnable, MATLAB's layout,
atomic, and read back by GNU Octave with the same values."""

import shutil
import subprocess

import h5py
import numpy as np
import pytest

import nn3
from nn3.errors import MatFileError, OptionError
from nn3.mat.blocks import V73BlockWriter
from nn3.workflow.datagen import make_data

OCTAVE = shutil.which("octave-cli")


def test_make_data_depends_on_the_seed_only(tmp_path):
    a, b, c = tmp_path / "a.mat", tmp_path / "b.mat", tmp_path / "c.mat"
    make_data(a, 1000, 7, 3, seed=11, chunk_rows=64)
    make_data(b, 1000, 7, 3, seed=11, chunk_rows=333)
    make_data(c, 1000, 7, 3, seed=12)
    va, vb, vc = (nn3.load_mat(p) for p in (a, b, c))
    assert va["X"].shape == (1000, 7) and va["y"].shape == (1000, 1)
    assert np.array_equal(va["X"], vb["X"]) and np.array_equal(va["y"], vb["y"])
    assert not np.array_equal(va["X"], vc["X"])
    expected = np.random.Generator(np.random.PCG64(11)).random((1000, 7))
    assert np.array_equal(va["X"], expected)
    assert set(np.unique(va["y"])) <= {1.0, 2.0, 3.0}


def test_make_data_labels_are_learnable(tmp_path):
    path = tmp_path / "learn.mat"
    info = make_data(path, 3000, 10, 3, seed=0)
    assert min(info["counts"]) > 100  # every class present
    v = nn3.load_mat(path)
    result = nn3.train(v["X"], v["y"], hidden_layer_size=16, lambda_=0.0, maxiter=150)
    assert result.train_accuracy > 85.0  # majority class: at most max(counts) / 30 percent
    assert result.train_accuracy > 100.0 * max(info["counts"]) / 3000 + 20


def test_writer_layout_is_matlabs(tmp_path):
    path = tmp_path / "w.mat"
    with V73BlockWriter(path) as out:
        X = out.matrix("X", 10, 3, chunk_rows=4)
        for start in (8, 0, 4):  # any order
            X.write_rows(start, np.arange(start * 3, min(10, start + 4) * 3).reshape(-1, 3))
        mask = out.matrix("mask", 10, 1, dtype=bool)
        mask.write_rows(0, np.arange(10) % 2 == 0)
        out.write("name", "hello")
    raw = path.read_bytes()
    assert raw.startswith(b"MATLAB 7.3 MAT-file") and raw[124:128] == b"\x00\x02IM"
    with h5py.File(path, "r") as f:
        assert f["X"].shape == (3, 10) and f["X"].chunks == (3, 4)
        assert f["X"].attrs["MATLAB_class"] == b"double"
        assert f["mask"].attrs["MATLAB_class"] == b"logical"
    v = nn3.load_mat(path)
    assert np.array_equal(v["X"], np.arange(30.0).reshape(10, 3))
    assert v["mask"].dtype == bool and v["mask"][:, 0].tolist() == [i % 2 == 0 for i in range(10)]
    assert v["name"] == "hello"


def test_incomplete_matrix_saves_nothing_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "keep.mat"
    path.write_bytes(b"previous")
    with pytest.raises(
        MatFileError, match=r"keep\.mat: variable 'X': rows 5\.\.10 were never written"
    ):
        with V73BlockWriter(path) as out:
            out.matrix("X", 10, 2).write_rows(0, np.ones((4, 2)))
    assert path.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [path]  # no temporary left behind
    with pytest.raises(MatFileError, match="does not fit rows"):
        with V73BlockWriter(path) as out:
            out.matrix("X", 10, 2).write_rows(8, np.ones((4, 2)))
    assert path.read_bytes() == b"previous"


def test_make_data_refuses_bad_sizes(tmp_path):
    with pytest.raises(OptionError, match="^rows must be at least 1, got 0$") as info:
        make_data(tmp_path / "x.mat", 0, 3, 2)
    assert info.value.parameter == "rows"  # the CLI says --rows
    with pytest.raises(OptionError, match="^seed must be in 0..4294967295"):
        make_data(tmp_path / "x.mat", 3, 3, 2, seed=-1)
    with pytest.raises(OptionError, match="^labels must be a whole number, got 2.5$"):
        make_data(tmp_path / "x.mat", 3, 3, 2.5)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.needs_octave
def test_octave_loads_make_data_file_with_the_same_values(tmp_path):
    make_data(tmp_path / "d.mat", 500, 6, 4, seed=3, chunk_rows=64)
    script = (
        "load('d.mat'); assert(isequal(size(X), [500 6])); assert(isequal(size(y), [500 1])); "
        "assert(strcmp(class(X), 'double')); save('-v7', 'back.mat', 'X', 'y');"
    )
    subprocess.run(
        [OCTAVE, "--no-gui", "--quiet", "--eval", script],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    mine, octave = nn3.load_mat(tmp_path / "d.mat"), nn3.load_mat(tmp_path / "back.mat")
    assert np.array_equal(octave["X"], mine["X"]) and np.array_equal(octave["y"], mine["y"])
    expected = np.random.Generator(np.random.PCG64(3)).random((500, 6))  # what was meant
    assert np.array_equal(octave["X"], expected)
