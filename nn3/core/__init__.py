"""The numerics layer: the network, its optimizer and MATLAB's random numbers.

Imports nothing of nn3 but :mod:`nn3.errors` and :mod:`nn3.validation` (numpy and scipy
otherwise): no files, no command line. Where each MATLAB function's port lives:

- :mod:`~nn3.core.activations`: sigmoid.m, sigmoidGradient.m (the one place for ``exp``/``log``);
- :mod:`~nn3.core.network`: costFunction.m, backpropagation.m, nnCostFunction.m, predict.m;
- :mod:`~nn3.core.optimize`: fmincg.m;
- :mod:`~nn3.core.rng`: MATLAB's ``rng``/``rand``/``randperm``, randInitializeWeights.m,
  debugInitializeWeights.m;
- :mod:`~nn3.core.octave_rng`: GNU Octave's ``rng``/``rand``/``randperm``;
- :mod:`~nn3.core.gradcheck`: computeNumericalGradient.m, checkNNGradients.m.
"""
