"""The numerics layer: the network, its optimizer and MATLAB's random numbers.

Imports nothing of nn3 but :mod:`nn3.errors`, :mod:`nn3.validation` and :mod:`nn3.stopping`
(numpy and scipy otherwise): no files, no command line. Where each MATLAB function's port lives:

- :mod:`~nn3.core.activations`: sigmoid.m, sigmoidGradient.m (the one place for ``exp``/``log``);
- :mod:`~nn3.core.network`: costFunction.m, backpropagation.m, nnCostFunction.m, predict.m
  (exported by :mod:`~nn3.core.public`, which checks the array arguments first);
- :mod:`~nn3.core.optimize`: fmincg.m;
- :mod:`~nn3.core.rng`: MATLAB's ``rng``/``rand``/``randperm``, randInitializeWeights.m,
  debugInitializeWeights.m;
- :mod:`~nn3.core.octave_rng`: GNU Octave's ``rng``/``rand``/``randperm``;
- :mod:`~nn3.core.gradcheck`: computeNumericalGradient.m, checkNNGradients.m.

The engines reach the network's evaluator through :data:`RowBlockEvaluator` and
:func:`regularisation`, the package's public names for them.
"""

# The engines (nn3.engines.block, the memory engine) evaluate row blocks with the network's own
# evaluator and regularise once after adding the blocks' partial sums.
from .network import _Evaluator as RowBlockEvaluator
from .network import _regularisation as regularisation

__all__ = ["RowBlockEvaluator", "regularisation"]
