"""Reading and writing MATLAB .mat files, under the module's old name.

nn3's .mat reader and writer live in the package :mod:`nn3.mat` (one module per format, a shared
base, a facade that sniffs and dispatches). This module keeps the names code and documentation
use as ``nn3.matio.X`` working: each one is the same object as ``nn3.mat.X``.
"""

from .mat import (
    FORMATS,
    HDF5_SIGNATURE,
    MAX_DENSE_ELEMENTS,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MatlabChar,
    MatlabObject,
    densify,
    describe,
    format_size,
    get_variable,
    load_mat,
    mat_format,
    matlab_shape,
    save_mat,
)

__all__ = [
    "FORMATS",
    "HDF5_SIGNATURE",
    "MAX_DENSE_ELEMENTS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MatlabChar",
    "MatlabObject",
    "densify",
    "describe",
    "format_size",
    "get_variable",
    "load_mat",
    "mat_format",
    "matlab_shape",
    "save_mat",
]
