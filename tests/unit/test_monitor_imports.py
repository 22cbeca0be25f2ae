"""sloth_monitor runs in any training environment: standard library only, no import-time work.

The integration modules import their framework only when a callback is made, so importing them
here (where Lightning, transformers, Keras and tqdm are installed) must not load any of them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sloth_monitor

PACKAGE = Path(sloth_monitor.__file__).parent
MODULES = ("sloth_monitor", "sloth_monitor.keras", "sloth_monitor.lightning", "sloth_monitor.huggingface")
LAZY = {"keras", "lightning", "pytorch_lightning", "transformers", "tqdm", "torch"}
# Prints the top-level modules the imports added, and the number of threads afterwards.
PROBE = """
import json, sys, threading
before = set(sys.modules)
{imports}
added = sorted({{name.split(".")[0] for name in set(sys.modules) - before}})
print(json.dumps({{"added": added, "threads": threading.active_count()}}))
"""


def probe(python: str, modules: tuple[str, ...] = MODULES, cwd: Path | None = None) -> dict[str, object]:
    code = PROBE.format(imports="\n".join(f"import {m}" for m in modules))
    done = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True, check=True, timeout=60, cwd=cwd)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def third_party(modules: object) -> set[str]:
    assert isinstance(modules, list)
    return {m for m in modules if m not in sys.stdlib_module_names and m != "sloth_monitor"}


def test_importing_sloth_monitor_and_its_integrations_loads_only_the_standard_library(tmp_path: Path) -> None:
    result = probe(sys.executable, cwd=tmp_path)
    assert third_party(result["added"]) == set()
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


def test_the_source_imports_the_standard_library_and_frameworks_only_lazily() -> None:
    for source in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(source.read_text(), filename=str(source))
        top = imports(tree, in_functions=False)
        assert {m for m in top if m not in sys.stdlib_module_names} == set(), source.name
        lazy = imports(tree, in_functions=True) - top
        assert {m for m in lazy if m not in sys.stdlib_module_names} <= LAZY, source.name
