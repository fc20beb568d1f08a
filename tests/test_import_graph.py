"""No module-level import cycles in any package, and the arrows between packages point one way.

The graph is read from the source (``ast``): module-level imports only —
an import inside a function is a deliberate, lazy edge and does not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "core", "engine", "storage", "jobs", "bots", "web", "refrain")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _top_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Modules of ours that ``name`` imports at module level (not in functions or
    ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Try):
                visit(node.body)
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base]) if base else ".".join(anchor)
                # ``from pkg import module`` depends on the module; ``from pkg import name``
                # on the package (whose front may re-export it from anywhere inside)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)

    visit(tree.body)
    return edges


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _top_level_imports(path, name, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    import sys

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_module_level_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 150, "the walk found too few modules"
    assert cycles(graph) == []


def test_the_walk_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


ALLOWED = {
    "config": {"config", "core"},  # core.errors: a config error is a user-facing one
    "core": {"core"},
    "engine": {"engine", "core"},
    "storage": {"storage", "core", "engine"},
    "jobs": {"jobs", "core", "engine", "storage", "config"},
    "bots": {"bots", "core", "config"},
    "web": {"web", "core", "config", "jobs"},
    "refrain": set(PACKAGES),
}


def test_arrows_between_packages_point_one_way() -> None:
    wrong = sorted(
        f"{module} → {target}"
        for module, targets in import_graph().items()
        for target in targets
        if target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    )
    assert wrong == []


def test_packages_are_entered_through_their_fronts() -> None:
    """From another top-level package, ``core.deliveries`` — never ``core.deliveries.service``.

    A subpackage's front (its ``__init__`` with ``__all__``) is its public
    surface; top-level leaf modules (``core.model``, ``core.ports``…) are fronts
    themselves.
    """
    modules = _modules()
    fronts = {name for name, path in modules.items() if path.name == "__init__.py"}
    wrong = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            target = node.module
            if target.split(".")[0] == name.split(".")[0] or target not in modules:
                continue
            parent = target.rpartition(".")[0]
            if parent in fronts and "." in parent and target not in fronts:
                wrong.append(f"{name} imports {target}")
    assert sorted(wrong) == []
