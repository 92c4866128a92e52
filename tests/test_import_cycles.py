"""No import cycle inside nn3: data flows one way (numerics <- I/O <- orchestration <- CLI).

Every module under ``nn3/`` is parsed with :mod:`ast` (nothing is imported), and each import of
an nn3 module becomes an edge of a graph: ``import nn3.x``, ``from nn3.x import y``, relative
imports (``from .x import y``, ``from .. import x``), at module level or inside a function,
under ``if TYPE_CHECKING:`` too. ``from p import m`` is an edge to the module ``p.m`` when ``m``
is a module, else to ``p``. Imports made by name at run time (``importlib.import_module``, as
``nn3/__init__.py``'s lazy attributes do) are not seen.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_paths(root, package):
    """Module name to file for every ``.py`` file of ``package`` (a folder under ``root``)."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _known(name, known):
    """The longest prefix of the dotted ``name`` that is a module of the package, or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def imports_of(name, path, known):
    """The package's modules that module ``name`` (file ``path``) imports anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(_known(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                targets.add(_known(f"{base}.{alias.name}", known) or _known(base, known))
    targets.discard(None)
    targets.discard(name)
    return targets


def import_graph(root, package):
    """Module name to the set of the package's modules it imports."""
    known = module_paths(root, package)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def find_cycle(graph):
    """One import cycle as a list of modules (first == last), or None when there is none."""
    state = {}  # absent: unvisited; 1: on the current path; 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def _reachable(graph, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def find_cycles(graph):
    """One cycle for each group of modules that import one another (empty when there is none)."""
    reach = {name: _reachable(graph, name) for name in graph}
    groups = []
    for name in sorted(graph):
        if name in reach[name] and not any(name in group for group in groups):
            groups.append({other for other in reach[name] if name in reach[other]})
    return [find_cycle({m: graph[m] & group for m in group}) for group in groups]


def test_nn3_has_no_import_cycle():
    graph = import_graph(ROOT, "nn3")
    assert len(graph) > 20 and graph["nn3.matio"]  # the walk found the package and its imports
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_check_finds_a_cycle_through_a_function_level_import(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .b import f\n")
    (pkg / "a.py").write_text("from .sub import f\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n")
    (pkg / "c.py").write_text("import pkg.a\nfrom pkg.sub import b\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.c"] == {"pkg.a", "pkg.sub.b"}
    assert find_cycles(graph) == [["pkg.a", "pkg.sub", "pkg.sub.b", "pkg.a"]]
    (pkg / "sub" / "b.py").write_text("def f():\n    pass\n")
    assert find_cycles(import_graph(tmp_path, "pkg")) == []
