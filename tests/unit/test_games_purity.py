"""The game rules must stay pure: no Slack SDK, web server, store driver or bot runtime."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import handlers.games.rules

FORBIDDEN = ("slack_sdk", "slack_bolt", "aiohttp", "redis", "aiosqlite", "bot")
RULES_DIR = Path(handlers.games.rules.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_rules_modules_import_only_the_standard_library_and_each_other() -> None:
    files = sorted(RULES_DIR.glob("*.py"))
    assert RULES_DIR / "base.py" in files
    for path in files:
        for name in imported_modules(path):
            top = name.split(".")[0]
            allowed = name.startswith("handlers.games.rules") or top in sys.stdlib_module_names
            assert allowed, f"{path.name} imports {name}"
            assert top not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_the_rules_loads_no_forbidden_module() -> None:
    # a fresh interpreter, so modules other tests imported do not hide a transitive import
    probe = "import sys, handlers.games.rules; print('\\n'.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    leaked = [name for name in loaded if name.split(".")[0] in FORBIDDEN]
    assert leaked == []
