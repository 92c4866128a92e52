"""Temporary re-export: MATLAB v7.3 reading and writing now live in :mod:`nn3.mat`.

``read_hdf5`` (MATLAB's v7.3 layout or GNU Octave's ``-hdf5``, sniffed per file) is
:func:`nn3.mat._facade.read_hdf5`, built on :mod:`nn3.mat.v73` and :mod:`nn3.mat.octave_hdf5`;
``write_v73`` is :func:`nn3.mat.writer.write_v73`. Import from there; this module goes away once
nothing imports it.
"""

from .mat._facade import read_hdf5
from .mat.writer import write_v73

__all__ = ["read_hdf5", "write_v73"]
