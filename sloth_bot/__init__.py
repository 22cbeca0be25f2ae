"""The `sloth` command's entry: Sloth's own `bot` and `handlers` packages, whatever the folder.

Sloth installs the import names `bot`, `handlers` and `sloth_bot`. A team's repository may well
have its own `bot/` or `handlers/` package, and Python would find that one first when the
repository is on the import path (the working directory of `python -m …`, PYTHONPATH, a
mounted features folder). The console script starts here instead, under a name of its own,
and loads `bot` and `handlers` from where this package was installed before anything imports
them, so `sloth run` always runs Sloth's. The worker processes' fork server does the same
first thing (`sloth_bot.own`): Python puts the working directory first on its import path.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PINNED = ("bot", "handlers")


def pin(name: str, root: Path) -> None:
    """Import package `name` from `root/name`, ahead of any other package of that name."""
    folder = root / name
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    if spec is None or spec.loader is None:
        raise ImportError(f"Sloth's {name} package is missing from {root}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def installed_root() -> Path:
    """The folder Sloth's packages are installed in (a checkout, for an editable install)."""
    return Path(__file__).resolve().parent.parent


def is_own(name: str) -> bool:
    """Whether the module `name` in `sys.modules` is Sloth's own package of that name."""
    loaded = sys.modules.get(name)
    return loaded is not None and \
        Path(getattr(loaded, "__file__", "") or "").resolve().parent == installed_root() / name


def use_own_packages() -> None:
    """Sloth's `bot` and `handlers`, from where this package is installed, in `sys.modules`."""
    for name in PINNED:
        if not is_own(name):
            pin(name, installed_root())


def main() -> None:
    use_own_packages()
    from bot.cli import main as run

    sys.exit(run(sys.argv[1:] or ["run"]))
