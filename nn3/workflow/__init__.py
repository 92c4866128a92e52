"""The orchestration layer: from data files to a trained network and the files users keep.

Uses the engines (:mod:`nn3.engines`), the file formats (:mod:`nn3.mat`) and the numerics
(:mod:`nn3.core`), never the command line (:mod:`nn3.cli`, a thin layer over it). A data file's
way, each module once:

- :mod:`~nn3.workflow.fitting`: what ``nn3 train`` does, as a library call (``nn3.fit``,
  ``prepare``), and the weights file it writes (``FitResult.to_variables``/``save``);
- :mod:`~nn3.workflow.data`: X and y read from a .mat or text file, or given, and checked;
- :mod:`~nn3.workflow.labels`: class labels numbered 1..K, and back;
- :mod:`~nn3.workflow.starting_weights`: random starting weights by ``rng``, or an ``init`` file;
- :mod:`~nn3.workflow.holdout`, :mod:`~nn3.workflow.scaling`: the hold-out split, feature
  scaling;
- :mod:`~nn3.workflow.training`: the loop every engine shares, and ``nn3.train`` for arrays;
- :mod:`~nn3.workflow.blocks`: training with an engine, X read by row blocks;
- :mod:`~nn3.workflow.diagnostics`: what a run says about itself ("it learned nothing");
- :mod:`~nn3.workflow.weights`, :mod:`~nn3.workflow.model`: trained weights read back, with
  their classes and scaling;
- :mod:`~nn3.workflow.datagen`: large learnable data sets written block by block;
- :mod:`~nn3.workflow.model_selection`: choosing lambda on a validation set, the learning
  curve (ex5), their evaluations run at once by :mod:`~nn3.workflow.parallel`.
"""
