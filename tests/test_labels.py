"""nn3.workflow.labels: text and numeric labels mapped to 1..K, classes stored and mapped back.

Expected mappings are worked out by hand (sorting by character codes); the sort order, cellstr's
trailing-blank rule and the weights-file representation are checked against GNU Octave.
"""

import shutil
import subprocess

import numpy as np
import pytest

import nn3
from nn3.cli._common import error_message
from nn3.errors import DataError, OptionError
from nn3.workflow.labels import (
    check_classes,
    classes_from_mat,
    classes_to_mat,
    decode_predictions,
    encode_labels,
    text_labels,
    unique_text,
)

OCTAVE = shutil.which("octave-cli")
needs_octave = pytest.mark.needs_octave


def octave(script, cwd):
    r = subprocess.run(
        [OCTAVE, "--no-gui", "--norc", "--quiet", "--eval", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def cell(*items):
    """A column cell array as load_mat returns one: object ndarray of shape (m, 1)."""
    out = np.empty((len(items), 1), dtype=object)
    for i, item in enumerate(items):
        out[i, 0] = item
    return out


# ---------------------------------------------------------------------------------------------
# Text labels
# ---------------------------------------------------------------------------------------------


def test_cell_labels_sorted_as_unique():
    mapping = encode_labels(cell("virginica", "setosa", "versicolor", "setosa"))
    assert mapping.classes == ["setosa", "versicolor", "virginica"]
    assert mapping.y.tolist() == [3.0, 1.0, 2.0, 1.0]
    assert mapping.y.dtype == np.float64
    assert mapping.num_labels == 3
    assert mapping.message == (
        "3 classes, numbered in sorted order as MATLAB's unique sorts them: "
        "1 = setosa, 2 = versicolor, 3 = virginica"
    )


def test_character_code_order():
    # 'Z' (90) < '_' (95) < 'a' (97): uppercase first, as MATLAB compares char.
    classes, j = unique_text(["a", "_x", "Z", "Setosa", "setosa", "a"])
    assert classes == ["Setosa", "Z", "_x", "a", "setosa"]
    assert j.tolist() == [4, 3, 2, 1, 5, 4]


def test_utf16_order_above_the_bmp():
    # U+FF21 is one UTF-16 unit (0xFF21); U+1F600 is the pair 0xD83D 0xDE00, which MATLAB
    # compares as 0xD83D < 0xFF21, although the code point is larger.
    classes, _ = unique_text(["\uff21", "\U0001f600"])
    assert classes == ["\U0001f600", "\uff21"]


def test_char_matrix_rows_lose_trailing_blanks_as_cellstr():
    # char('dog', 'cat', 'mouse') as load_mat returns it: rows padded to 5 and joined by "\n".
    mapping = encode_labels("dog  \ncat  \nmouse")
    assert mapping.classes == ["cat", "dog", "mouse"]
    assert mapping.y.tolist() == [2.0, 1.0, 3.0]


def test_cell_labels_keep_trailing_blanks_as_unique_does():
    assert text_labels(cell("a ", "a")) == ["a ", "a"]
    assert encode_labels(cell("a ", "a")).classes == ["a", "a "]


def test_matlab_string_and_categorical_refused_with_the_remedy():
    with pytest.raises(DataError) as info:
        encode_labels(nn3.MatlabObject("opaque"), path="iris.mat", y_var="species")
    message = str(info.value)
    assert message.startswith("iris.mat: variable 'species' is a MATLAB object (string or")
    assert "species = cellstr(species)" in message
    with pytest.raises(DataError, match="of class 'categorical'"):
        encode_labels(nn3.MatlabObject("categorical"))


@pytest.mark.parametrize(
    "y, problem",
    [
        (cell("a", np.ones((1, 1))), "cell 2 holds a numeric array of size 1x1"),
        (cell("a", "two\nrows"), "cell 2 holds a char matrix"),
        (cell("a", ""), "cell 2 is an empty label"),
        ("a\n\nb", "row 2 is an empty label"),
        (np.empty((2, 2), dtype=object), "is a 2x2 cell array; labels must be a vector"),
        ({"a": 1}, "is a struct"),
        (np.array([["a"]], dtype="<U1").reshape(1, 1, 1), "N-D char array"),
    ],
)
def test_unreadable_text_labels(y, problem):
    with pytest.raises(DataError) as info:
        encode_labels(y, path="d.mat")
    assert problem in str(info.value)
    assert str(info.value).startswith("d.mat: variable 'y'")


def test_one_class_is_refused():
    with pytest.raises(DataError, match=r"one class only \(setosa\)"):
        encode_labels(cell("setosa", "setosa"))
    with pytest.raises(DataError, match=r"one class only \(5\)"):
        encode_labels(np.array([5.0, 5.0]), classes="auto")


# ---------------------------------------------------------------------------------------------
# Numeric labels
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "y",
    [[0, 1, 1, 0], [1, 2, 3, 3], [1, 3, 3], [True, False], np.array([[1], [2]], dtype=np.uint8)],
)
def test_usable_labels_pass_unchanged(y):
    options = (None,) if np.unique(y).size < max(y) else (None, "auto")  # 1, 3: auto numbers
    for option in options:
        mapping = encode_labels(y, classes=option)
        assert mapping.classes is None and mapping.message is None and mapping.num_labels is None
        assert mapping.y.tolist() == np.asarray(y, dtype=float).reshape(-1).tolist()


@pytest.mark.parametrize(
    "y, expected, classes",
    [
        ([1, 3, 3], [1, 2, 2], [1, 3]),
        ([1, 100000, 1], [1, 2, 1], [1, 100000]),
        ([1, 2.0**63, 2.0**63], [1, 2, 2], [1, 2.0**63]),
    ],
)
def test_auto_numbers_labels_with_missing_classes(y, expected, classes):
    """classes='auto' applies whenever asked: labels from 1 with classes missing are numbered
    1..K too (a complete 1..K is used as it is, as above)."""
    mapping = encode_labels(np.array(y, dtype=float), classes="auto")
    assert mapping.y.tolist() == expected
    assert mapping.classes.tolist() == classes
    assert mapping.num_labels == len(classes)
    with_k = encode_labels(np.array(y, dtype=float), classes="auto", num_labels=int(max(y)))
    assert with_k.classes is None  # K given explicitly: the labels are class numbers


@pytest.mark.parametrize(
    "y, quoted, example",
    [
        ([-1, 1, 1], "holds labels -1, 1;", "(-1 -> 1, 1 -> 2)"),
        (list(range(10)), "holds labels 0, 1, 2, 3, 4, ... (10 values);", "(0 -> 1, ..., 9 -> 10)"),
        ([2, 4, 4], "holds labels 2, 4;", "(2 -> 1, 4 -> 2)"),
    ],
)
def test_other_numbers_refused_with_the_classes_auto_hint(y, quoted, example):
    with pytest.raises(DataError) as info:
        encode_labels(np.array(y, dtype=float), path="d.mat")
    message = str(info.value)
    assert message.startswith(f"d.mat: variable 'y' {quoted}")
    assert "classes='auto' maps them to" in message and example in message
    # the command line names its option
    assert "--classes auto maps them to" in error_message(info.value)


@pytest.mark.parametrize(
    "y, classes, index",
    [
        ([-1, 1, 1, -1], [-1.0, 1.0], [1, 2, 2, 1]),
        ([0, 9, 3, 0], [0.0, 3.0, 9.0], [1, 3, 2, 1]),
        ([4, 2, 4], [2.0, 4.0], [2, 1, 2]),
    ],
)
def test_classes_auto(y, classes, index):
    mapping = encode_labels(np.array(y, dtype=float).reshape(-1, 1), classes="auto")
    assert mapping.classes.tolist() == classes
    assert mapping.y.tolist() == [float(i) for i in index]
    assert mapping.num_labels == len(classes)


def test_explicit_num_labels_allows_a_subset():
    assert encode_labels([2.0, 4.0], num_labels=4).classes is None


def test_regression_target_refused_as_not_a_classifier():
    with pytest.raises(DataError) as info:
        encode_labels(np.array([[1.0], [2.5], [3.0]]), path="ex1data1.txt")
    message = str(info.value)
    assert message.startswith("ex1data1.txt: variable 'y' holds non-integer values (row 2: 2.5)")
    assert "classifiers with sigmoid outputs" in message
    assert "regression target" in message and "another tool" in message


def test_nan_and_matrix_refused():
    with pytest.raises(DataError, match=r"NaN or Inf \(row 2\)"):
        encode_labels([1.0, np.nan])
    with pytest.raises(DataError, match="must be a vector, got size 2x2"):
        encode_labels(np.ones((2, 2)))


def test_bad_option():
    with pytest.raises(OptionError, match="^classes must be 'auto', got 'yes'$"):
        nn3.fit(np.eye(2), [1.0, 2.0], classes="yes")


# ---------------------------------------------------------------------------------------------
# Weights file and predictions
# ---------------------------------------------------------------------------------------------


def test_classes_round_trip_through_save_mat(tmp_path):
    for classes in (["setosa", "versicolor"], np.array([-1.0, 1.0])):
        stored = classes_to_mat(classes)
        assert stored.shape == (2, 1)
        nn3.save_mat(tmp_path / "w.mat", {"classes": stored})
        back = classes_from_mat(nn3.load_mat(tmp_path / "w.mat")["classes"], "w.mat")
        assert list(back) == list(classes)


def test_classes_from_mat_refuses_junk():
    with pytest.raises(DataError, match="'classes' must be a cell array of text or a numeric"):
        classes_from_mat(np.array([1.5, 2.0]), "w.mat")
    with pytest.raises(DataError, match="lists a class twice"):
        classes_from_mat(cell("a", "a"), "w.mat")
    with pytest.raises(DataError, match="lists 2 classes but the network has 3 output units"):
        check_classes(["a", "b"], 3, "w.mat")


def test_decode_predictions():
    p = decode_predictions(np.array([2.0, 1.0, 2.0]), ["cat", "dog"])
    assert p.shape == (3, 1) and p.dtype == object
    assert p[:, 0].tolist() == ["dog", "cat", "dog"]
    q = decode_predictions([1.0, 2.0], np.array([-1.0, 1.0]))
    assert q.dtype == np.float64 and q[:, 0].tolist() == [-1.0, 1.0]
    assert decode_predictions([1.0, 0.0], None)[:, 0].tolist() == [1.0, 0.0]
    with pytest.raises(DataError, match="prediction 2 is class 3, not one of the 2 classes"):
        decode_predictions([1.0, 3.0], ["a", "b"])


# ---------------------------------------------------------------------------------------------
# Against GNU Octave
# ---------------------------------------------------------------------------------------------


@needs_octave
def test_octave_written_labels_map_as_octave_unique(tmp_path):
    octave(
        "species = {'virginica'; 'Setosa'; 'setosa'; 'b a'; '_x'; 'setosa'; 'Z'};"
        "pets = char('dog', 'cat', 'mouse', 'cat');"
        "[u, ~, j] = unique(species); [v, ~, k] = unique(cellstr(pets));"
        "save('-v7', 'labels.mat', 'species', 'pets');"
        "save('-v7', 'octave_unique.mat', 'u', 'j', 'v', 'k');",
        tmp_path,
    )
    labels = nn3.load_mat(tmp_path / "labels.mat")
    expected = nn3.load_mat(tmp_path / "octave_unique.mat")
    assert labels["species"].dtype == object and labels["species"].shape == (7, 1)
    assert isinstance(labels["pets"], str)
    for name, u, j in (("species", "u", "j"), ("pets", "v", "k")):
        mapping = encode_labels(labels[name], y_var=name)
        assert mapping.classes == list(expected[u].reshape(-1)), name
        assert mapping.y.tolist() == expected[j].reshape(-1).tolist(), name


@needs_octave
def test_octave_reads_stored_classes_and_predictions(tmp_path):
    nn3.save_mat(
        tmp_path / "w.mat",
        {
            "classes": classes_to_mat(["cat", "dog"]),
            "numeric_classes": classes_to_mat(np.array([-1.0, 1.0])),
            "p": decode_predictions([2.0, 1.0], ["cat", "dog"]),
        },
    )
    out = octave(
        "load w.mat; printf('%d %d %d %s %s|', iscellstr(classes), size(classes), classes{:});"
        "printf('%s %d %d %g %g|', class(numeric_classes), size(numeric_classes),"
        " numeric_classes);"
        "printf('%d %s %s', iscellstr(p), p{:});",
        tmp_path,
    )
    assert out == "1 2 1 cat dog|double 2 1 -1 1|1 dog cat"
