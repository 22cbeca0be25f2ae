"""Sloth's structure, held to: no import cycles in the runtime, features through the public door only,
and a pure layer that brings neither aiohttp nor the Slack SDK along."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bot.api
import bot.pure
from tests.unit.imports import ROOT, Imported, cycles, import_graph, imports_of, modules_under

PUBLIC = ("bot.api", "bot.pure")
# Import roots of this repository that are not public to a feature: Sloth's internals, its
# command's entry, the emulator and the monitor (distributions of their own), the tests.
INTERNAL = ("bot", "handlers", "sloth_bot", "sloth_emulator", "sloth_monitor", "tests", "examples")
SLACK_AND_WEB = ("aiohttp", "slack_sdk", "slack_bolt")


def test_the_runtime_imports_form_no_cycle() -> None:
    # Imports inside functions count: a lazy import that only dodges a cycle is a cycle still.
    graph = import_graph(ROOT / "bot")
    assert len(graph) > 80 and graph["bot.handling.dispatch"]  # the whole runtime was read
    assert cycles(graph) == []


def test_not_even_types_go_round_in_a_loop() -> None:
    # Imports for types only cannot fail at run time, but a loop of them still means two modules
    # that cannot be read apart: none today (help reads commands through CommandInfo).
    assert cycles(import_graph(ROOT / "bot", type_only=True)) == []


def test_the_runtime_folders_stand_in_layers() -> None:
    # The folders of bot/ (socket, handling, features, slack, …) as one node each: the path of a
    # request reads from the folder names only if no folder leans on one that leans back on it.
    folders: dict[str, set[str]] = {}
    for module, targets in import_graph(ROOT / "bot", type_only=True).items():
        here = ".".join(module.split(".")[:2])
        folders.setdefault(here, set()).update(".".join(t.split(".")[:2]) for t in targets)
    for folder, targets in folders.items():
        targets.discard(folder)
    assert {"bot.handling", "bot.features", "bot.pure"} <= set(folders["bot.runtime"])
    assert cycles(folders) == []


def test_a_cycle_is_found_however_it_is_imported() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    local = imports_of("def f():\n    from bot.y import z\n", "bot.x")
    assert [(i.module, i.type_only) for i in local] == [("bot.y", False)]
    typed = imports_of("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import z\n", "bot.x.y")
    assert [(i.module, i.names, i.type_only) for i in typed][1] == ("bot.x", ("z",), True)


def private_imports(module: str, statements: list[Imported]) -> list[str]:
    """The imports of a module under handlers/ that reach past the public door: anything of this
    repository but `bot.api`, `bot.pure` and the modules of its own feature."""
    refused = []
    for statement in statements:
        if statement.module.split(".")[0] not in INTERNAL:
            continue  # the standard library or a third-party library
        if statement.module in PUBLIC or (statement.module == "bot" and set(statement.names) <= {"api", "pure"}):
            continue
        if own_feature(module, statement):
            continue
        kind = " (for types only)" if statement.type_only else ""
        refused.append(f"{module}:{statement.line} imports {statement.module}{kind}")
    return refused


def own_feature(module: str, statement: Imported) -> bool:
    """Whether `statement` imports from the feature `module` belongs to: a package feature
    (handlers/games/…) owns handlers.games.*; a module in handlers/ itself, the modules beside it
    (handlers.tally), never another feature's package."""
    parts = module.split(".")
    if len(parts) > 2:
        root = ".".join(parts[:2])
        return statement.module == root or statement.module.startswith(root + ".")

    def beside(name: str) -> bool:
        return (ROOT / "handlers" / f"{name}.py").is_file()

    if statement.module == "handlers":
        return all(beside(name) for name in statement.names)  # from handlers import charts
    head, _, rest = statement.module.partition(".")
    return head == "handlers" and "." not in rest and beside(rest)


def test_every_feature_module_imports_only_the_public_api() -> None:
    refused, read = [], 0
    for module, path in modules_under(ROOT / "handlers"):
        statements = imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        read += any(s.module in PUBLIC for s in statements)
        refused += private_imports(module, statements)
    assert read > 30  # the features were read, and they do use the API
    assert refused == []


def test_a_feature_reaching_an_internal_module_is_refused_however_it_imports_it() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from slack_sdk.errors import SlackApiError\n"
        "from bot.api import Context\n"
        "from bot.pure import escape\n"
        "from handlers.games.model import Game\n"
        "if TYPE_CHECKING:\n"
        "    from bot.features.core import Core\n"
        "def later():\n"
        "    from bot.connect import tokens\n"
        "    import bot.work.cpu\n"
        "from handlers.training import state\n"
    )
    refused = private_imports("handlers.games.flow", imports_of(source, "handlers.games.flow"))
    assert refused == [
        "handlers.games.flow:7 imports bot.features.core (for types only)",
        "handlers.games.flow:9 imports bot.connect",
        "handlers.games.flow:10 imports bot.work.cpu",
        "handlers.games.flow:11 imports handlers.training",
    ]
    beside = imports_of("from handlers.tally import Row\nfrom handlers.games import flow\n", "handlers.charts")
    assert private_imports("handlers.charts", beside) == ["handlers.charts:2 imports handlers.games"]


def loaded_by(*modules: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing `modules` (nothing other
    tests imported can hide what these bring along)."""
    probe = f"import sys; import {', '.join(modules)}; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return {name.split(".")[0] for name in result.stdout.split()}


def test_the_pure_layer_brings_neither_aiohttp_nor_the_slack_sdk() -> None:
    pure = [name for name, _ in modules_under(ROOT / "bot" / "pure")]
    assert "bot.pure.times" in pure
    loaded = loaded_by(*pure)
    assert "bot" in loaded and not loaded & set(SLACK_AND_WEB)


def test_renderers_and_game_boards_load_the_pure_layer_alone() -> None:
    loaded = loaded_by("handlers.games.render", "handlers.games.boards", "handlers.training.card", "handlers.charts")
    assert not loaded & set(SLACK_AND_WEB)


def test_the_pure_layer_imports_only_itself_the_standard_library_and_its_one_library() -> None:
    outside = []
    for module, path in modules_under(ROOT / "bot" / "pure"):
        for statement in imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
            top = statement.module.split(".")[0]
            if not (statement.module.startswith("bot.pure") or top in sys.stdlib_module_names
                    or top == "confusable_homoglyphs"):
                outside.append(f"{module} imports {statement.module}")
    assert outside == []


@pytest.mark.parametrize("name", bot.pure.__all__)
def test_the_api_hands_on_the_whole_pure_layer(name: str) -> None:
    assert name in bot.api.__all__ and getattr(bot.api, name) is getattr(bot.pure, name)
