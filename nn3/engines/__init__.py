"""Engines that evaluate the network's cost and gradient over row blocks of X.

One idea per module:

- :mod:`~nn3.engines.partition`: the row blocks, fixed by ``m`` and ``block_rows`` only;
- :mod:`~nn3.engines.block`: one block's partial sums (the in-memory hot path on one block) and
  their sum in block order;
- :mod:`~nn3.engines.source`: where blocks come from (a v7.3 file, an ndarray, a dask.array);
- :mod:`~nn3.engines.labels`: y of a v7.3 file, read whole and checked;
- :mod:`~nn3.engines.stream`: streaming from the source at each evaluation, bounded memory;
- :mod:`~nn3.engines.dask_engine`: blocks held by ``dask.distributed`` workers;
- :mod:`~nn3.engines.objective`: ``fun(nn_params) -> (J, grad)`` over any engine
  (:func:`make_objective`, ``nn3.make_objective``), and which engine a file needs;
- :mod:`~nn3.engines.progress`: evaluations and rows per second;
- :mod:`~nn3.engines.predict`: predictions by blocks, written to a v7.3 file.

The engines offer what runs over row blocks; training with them is
:mod:`nn3.workflow.blocks`, above this package (nothing here imports :mod:`nn3.workflow`).

Streaming, Dask with one worker and Dask with many give the same bits for the cost and the
gradient at every evaluation: every engine computes each block's partial sums with the same code
on the same layout, and the client adds them in block order.
"""

from ..validation import ENGINES
from .objective import (
    EngineObjective,
    auto_engine,
    choose_engine,
    make_engine_objective,
    make_objective,
)
from .progress import Progress

__all__ = [
    "ENGINES",
    "EngineObjective",
    "Progress",
    "auto_engine",
    "choose_engine",
    "make_engine_objective",
    "make_objective",
]
