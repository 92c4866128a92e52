"""``nn3 port-check``: run a user's own MATLAB functions in GNU Octave and compare them with nn3.

One idea per module:

- :mod:`.cases` -- the fixed inputs and the calls made on them;
- :mod:`.octave` -- running the calls in Octave, in a temporary copy, with a time limit per call;
- :mod:`.nn3_side` -- the same outputs computed by nn3, and variants with known faults;
- :mod:`.report` -- differences, verdicts and hints, and the table;
- :mod:`.command` -- the click command (the only part that prints or exits).
"""
