"""bot.monitor must run in any training environment: standard library only, no import-time work."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import bot.monitor

PACKAGE = Path(bot.monitor.__file__).parent
# Prints the top-level modules an import added, and the number of threads afterwards.
PROBE = """
import json, sys, threading
before = set(sys.modules)
import {module}
added = sorted({{name.split(".")[0] for name in set(sys.modules) - before}})
print(json.dumps({{"added": added, "threads": threading.active_count()}}))
"""


def probe(module: str, *, path: Path | None = None) -> dict[str, object]:
    code = PROBE.format(module=module)
    if path is not None:
        code = f"import sys; sys.path.insert(0, {str(path)!r})\n" + code
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                          check=True, timeout=60, cwd=PACKAGE.parent.parent)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def third_party(modules: object, own: str) -> set[str]:
    assert isinstance(modules, list)
    return {m for m in modules if m not in sys.stdlib_module_names and m != own}


def test_importing_bot_monitor_loads_only_the_standard_library() -> None:
    result = probe("bot.monitor", path=PACKAGE.parent.parent)
    assert third_party(result["added"], "bot") == set()
    assert result["threads"] == 1


def test_a_copy_under_another_name_imports_on_its_own(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "sloth_monitor", ignore=shutil.ignore_patterns("__pycache__"))
    result = probe("sloth_monitor", path=tmp_path)
    assert third_party(result["added"], "sloth_monitor") == set()
    assert result["threads"] == 1


def imports(tree: ast.Module, *, in_functions: bool) -> set[str]:
    """Absolute imports, at module level only or also inside functions."""
    found: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        if in_functions or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pending.extend(ast.iter_child_nodes(node))
    return found


def test_the_source_imports_the_standard_library_and_keras_only_lazily() -> None:
    for source in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(source.read_text(), filename=str(source))
        top = imports(tree, in_functions=False)
        assert {m for m in top if m not in sys.stdlib_module_names} == set(), source.name
        lazy = imports(tree, in_functions=True) - top
        assert {m for m in lazy if m not in sys.stdlib_module_names} <= {"keras"}, source.name
