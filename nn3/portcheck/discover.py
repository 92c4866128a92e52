"""Where a user's functions are: the folder given, or folders a few levels below it.

Students hand in a repository root (``course/machine-learning-ex4/ex4/``) as often as the folder
of the exercise itself, and keep the whole course in one repository. The search looks at the
folder given and its subfolders down to :data:`MAX_DEPTH` levels, skipping hidden folders (``.git``)
and symbolic links, and visits at most :data:`MAX_FOLDERS` folders, so that it stays quick
whatever it is pointed at.
"""

import os
from collections import deque
from dataclasses import dataclass, field

#: Subfolder levels searched below the folder given (course/machine-learning-ex4/ex4 is 2).
MAX_DEPTH = 4

#: Folders visited at most.
MAX_FOLDERS = 2000


@dataclass
class Found:
    """The result of :func:`find_folders`.

    Attributes
    ----------
    folders : list of str
        The folders to check: the folder given when it holds one of the functions' ``.m``
        files; else every folder below it that does, in path order.
    others : list of str
        Folders below the one given that hold candidates too, when the folder given does (they
        are named, not checked: an ``old/`` copy must not decide the verdict on the folder given).
    truncated : bool
        True when :data:`MAX_FOLDERS` stopped the search.
    """

    folders: list = field(default_factory=list)
    others: list = field(default_factory=list)
    truncated: bool = False


def find_folders(top, functions, max_depth=MAX_DEPTH, max_folders=MAX_FOLDERS, accept=None):
    """Folders at or below ``top`` (to ``max_depth`` levels) that hold candidate files.

    Parameters
    ----------
    top : str
    functions : collection of str
        Function names; a folder holding ``<name>.m`` for one of them is a candidate.
    accept : callable, optional
        ``accept(folder)`` decides whether a folder holding such files is a candidate (a folder
        whose only such file is a script, or another exercise's function, is not: the search
        goes on below it).

    Returns
    -------
    found : Found
    """
    found = Found()
    queue = deque([(top, 0)])
    visited = 0
    while queue:
        folder, depth = queue.popleft()
        visited += 1
        if visited > max_folders:
            found.truncated = True
            break
        subfolders = []
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        hit = False
        for entry in entries:
            try:
                if entry.name.endswith(".m") and entry.name[:-2] in functions:
                    hit = hit or entry.is_file()
                elif (
                    depth < max_depth
                    and not entry.name.startswith(".")
                    and entry.is_dir(follow_symlinks=False)
                ):
                    subfolders.append(entry.path)
            except OSError:
                continue
        if hit and (accept is None or accept(folder)):
            found.folders.append(folder)
        queue.extend((sub, depth + 1) for sub in subfolders)
    below = sorted(f for f in found.folders if f != top)
    if top in found.folders:
        found.folders, found.others = [top], below
    else:
        found.folders = below
    return found
