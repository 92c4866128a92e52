"""``nn3 port-check``: run a user's own MATLAB functions in GNU Octave and compare them with nn3.

One idea per module:

- :mod:`.discover` -- which folders hold the functions (the folder named, or folders below it);
- :mod:`.source` -- what a ``.m`` file says without running it (signature, printing lines);
- :mod:`.contracts` -- which files are exercise 4's functions, which cases are outside a
  function's contract;
- :mod:`.cases` -- the fixed inputs and the calls made on them;
- :mod:`.sandbox` and :mod:`._supervisor` -- how the code runs: isolation, limits, the process
  tree ended;
- :mod:`.octave` -- running the calls in Octave, in a temporary copy, with a time limit per call
  and bounded output;
- :mod:`.nn3_side` -- the same outputs computed by nn3, and variants with known faults;
- :mod:`.verdicts` -- differences, verdicts and hints for one call;
- :mod:`.init_weights` -- randInitializeWeights, judged by what its weights are;
- :mod:`.compat` -- MATLAB-only forms: shims Octave runs them through, names for the rest;
- :mod:`.report` -- the folders' reports, as text and JSON.

Nothing here prints or exits: the command, ``nn3 port-check``, is ``nn3/cli/port_check.py``.
"""
