"""The orchestration layer: from data files to a trained network and the files users keep.

Uses the numerics (:mod:`nn3.core`) and the file formats (:mod:`nn3.mat`); the command line
(:mod:`nn3.cli`) is a thin layer over it:

- :mod:`~nn3.workflow.training`: the training data checked, ``train`` (fmincg on the network),
  weights files read back, the hold-out split;
- :mod:`~nn3.workflow.fitting`: what ``nn3 train`` does, as a library call (``nn3.fit``), and the
  weights file it writes (``FitResult.to_variables``/``save``);
- :mod:`~nn3.workflow.starting_weights`: random starting weights by engine, or an ``--init`` file;
- :mod:`~nn3.workflow.labels`, :mod:`~nn3.workflow.scaling`,
  :mod:`~nn3.workflow.diagnostics`: class labels, feature scaling, "it learned nothing";
- :mod:`~nn3.workflow.datagen`: large learnable data sets written block by block.
"""
