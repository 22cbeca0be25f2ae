"""Reading a tree's imports with ast, for the tests that keep Sloth's structure honest.

Every `import` and `from … import` is found, at module level, inside functions and classes, and
under `if TYPE_CHECKING:` (each marked so), with relative imports resolved against the module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Imported:
    module: str  # the module the statement names: "bot.api", "bot" for `from bot import api`
    names: tuple[str, ...]  # what `from … import` takes from it (empty for `import x`)
    type_only: bool  # under `if TYPE_CHECKING:`
    line: int

    def candidates(self) -> list[str]:
        """What the statement may import: the module, and each name in it that may be a submodule."""
        return [self.module, *(f"{self.module}.{name}" for name in self.names if name != "*")]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(source: str, module: str, is_package: bool = False) -> list[Imported]:
    """Every import statement in `source`, the code of `module` (a package's __init__ if `is_package`)."""
    found: list[Imported] = []

    def visit(node: ast.AST, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.body:
                    visit_one(statement, True)
                for statement in child.orelse:
                    visit_one(statement, type_only)
            else:
                visit_one(child, type_only)

    def visit_one(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Imported(alias.name, (), type_only, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append(Imported(_absolute(node, module, is_package), tuple(a.name for a in node.names), type_only,
                                  node.lineno))
        else:
            visit(node, type_only)

    visit(ast.parse(source), False)
    return found


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def modules_under(folder: Path, root: Path = ROOT) -> Iterator[tuple[str, Path]]:
    for path in sorted(folder.rglob("*.py")):
        yield module_name(path, root), path


def import_graph(folder: Path, root: Path = ROOT, type_only: bool = False) -> dict[str, set[str]]:
    """module -> the modules of the same tree it imports (at module level or in a function; with
    `type_only`, those under `if TYPE_CHECKING:` too)."""
    paths = dict(modules_under(folder, root))
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        for statement in imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py"):
            if statement.type_only and not type_only:
                continue
            for candidate in statement.candidates():
                target = _known(candidate, graph)
                if target is not None and target != name:
                    graph[name].add(target)
    return graph


def _known(name: str, modules: Mapping[str, object]) -> str | None:
    """`name` or the nearest enclosing module the tree has (`bot.api.Router` -> `bot.api`)."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import one another in a loop (strongly connected, more than one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found
