"""Reading and writing MATLAB .mat files: v4, v5/v6/v7 (compressed or not) and v7.3 (HDF5).

One module per format, as ``scipy.io.matlab`` is laid out:

==========================  =====================================================================
module                      what it holds
==========================  =====================================================================
:mod:`nn3.mat._base`        the shared MATLAB types, limits and helpers (imports no other module
                            of the package)
:mod:`nn3.mat.v4`           the v4 reader
:mod:`nn3.mat.v5`           the v5 (v6, v7) reader
:mod:`nn3.mat._hdf5`        careful HDF5 access shared by the HDF5 readers and the writer
:mod:`nn3.mat.v73`          the v7.3 (HDF5) reader, MATLAB's layout
:mod:`nn3.mat.octave_hdf5`  the reader of GNU Octave's ``save -hdf5`` layout
:mod:`nn3.mat._normalise`   the one place where loaded values get the forms below
:mod:`nn3.mat.writer`       :func:`save_mat`: the v5 and v7.3 writers
:mod:`nn3.mat._facade`      :func:`mat_format` (sniffing), :func:`load_mat` (dispatch),
                            :func:`get_variable`
:mod:`nn3.mat.text`         numeric text files as MATLAB's ``load`` reads them
==========================  =====================================================================

The format modules import only from :mod:`~nn3.mat._base` (and :mod:`~nn3.mat._hdf5`), never
from this package's facade; the facade imports them.

Every reader hands its variables to one function, :func:`nn3.mat._normalise.normalise`, which
gives them the shapes and types nn3 uses everywhere:

=====================  ==========================================================================
MATLAB                 Python
=====================  ==========================================================================
numeric, any class     ndarray of that class (double -> float64, uint8 -> uint8, ...) in MATLAB's
                       size: an ``m x 1`` column is ``(m, 1)``, a scalar ``(1, 1)``, N-D arrays
                       keep all dimensions (trailing singletons dropped, as MATLAB does)
complex                complex128 / complex64 ndarray
logical                bool ndarray
char                   :class:`MatlabChar`, a ``str`` (rows of a char matrix joined with
                       ``"\\n"``) with MATLAB's size as ``matlab_size``; an N-D (more than 2-D) char
                       array: ndarray of single characters (dtype ``'<U1'``) in MATLAB's size
struct (1 x 1)         ``dict`` of fields; address them as ``"data.X"`` (:func:`get_variable`)
struct array           object ndarray of dicts, in MATLAB's size
cell array             object ndarray, in MATLAB's size
sparse                 ``scipy.sparse.csc_matrix`` (:func:`densify` guards the size)
objects, functions     :class:`MatlabObject` (class name only; nothing is executed)
=====================  ==========================================================================

v4 and v5 files are parsed by nn3's own readers, which check every size a file claims against
the bytes really there and refuse claims over :data:`MAX_ELEMENTS` before allocating anything.
v7.3 files and GNU Octave's ``save -hdf5`` files are read with h5py. Nothing is unpickled or
executed; HDF5 soft and external links, external storage and virtual datasets are refused, in
both layouts, for variables and for every member read.

Reading is bounded whatever a file claims: :func:`load_mat` reads only the variables asked for
(``variables=[...]``; a compressed v5 variable not asked for is decompressed only as far as its
name), :func:`iter_mat` hands them over one at a time (with ``summary=True``, cells, text and
objects as :class:`Summary`, their contents unread), and one load may allocate at most
``NN3_MAX_LOAD_BYTES`` (default 1 GiB) and create or follow at most ``NN3_MAX_LOAD_ITEMS``
(default 10**6) cells, struct elements and references (:class:`LoadBudget`), checked before
allocating.

:func:`save_mat` writes v5 (compressed) or v7.3 files, atomically.
"""

from ._base import (
    DTYPE_CLASSES,
    MAX_DENSE_ELEMENTS,
    MAX_DEPTH,
    MAX_ELEMENTS,
    LoadBudget,
    MatlabChar,
    MatlabObject,
    Summary,
    check_regular,
    densify,
    describe,
    dtype_class,
    format_bytes,
    format_size,
    matlab_shape,
    shown,
    str_codes,
)
from ._facade import HDF5_SIGNATURE, Variables, get_variable, iter_mat, load_mat, mat_format
from ._hdf5 import h5py_errors, unstored_claim
from .writer import FORMATS, save_mat

# The seams other packages use, by public names: nn3.compare compares classes and text as the
# readers give them (DTYPE_CLASSES, dtype_class, str_codes), nn3.cli says sizes in bytes
# (format_bytes), nn3.engines checks the storage a v7.3 dataset claims (unstored_claim), opens
# only regular files (check_regular) and turns h5py's errors on a damaged file into one line
# (h5py_errors).
__all__ = [
    "DTYPE_CLASSES",
    "FORMATS",
    "HDF5_SIGNATURE",
    "MAX_DENSE_ELEMENTS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "LoadBudget",
    "MatlabChar",
    "MatlabObject",
    "Summary",
    "Variables",
    "densify",
    "describe",
    "dtype_class",
    "format_bytes",
    "format_size",
    "get_variable",
    "iter_mat",
    "load_mat",
    "mat_format",
    "matlab_shape",
    "save_mat",
    "shown",
    "str_codes",
    "check_regular",
    "h5py_errors",
    "unstored_claim",
]
