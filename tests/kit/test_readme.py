"""The README's "Write your own feature" stays true: its example files, written into a folder as a
team's repository, pass their own tests with the `pytest` command; the reason it gives for
`pythonpath` holds; every name of `bot.api`, every declaration, option and kind, and every part of
the test kit is named in it; and its links land on headings."""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest

import bot.api
from bot.api import Click, Command, Context, Invocation, Limit, Namespaced, Param, Reply, Router, Setting, Signature
from bot.features.router import Kind
from bot.pure import kinds
from bot.testing import HttpAnswer, Sloth, start_sloth
from sloth_emulator import Answer, Posted
from tests.kit.readme import ROOT, anchors, example_files, links, readme, section, spans

PYTEST = Path(sys.executable).with_name("pytest")  # the command a team runs, not `python -m pytest`


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the section's example files, as a team's repository would."""
    folder = tmp_path_factory.mktemp("team")
    for path, text in example_files(section()).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return folder


def team_env() -> dict[str, str]:
    """This environment without Sloth's or the features' settings, with this checkout's Sloth and
    emulator first on the path (as an install of it would put them)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "SLOTH_", "KUDOS_", "MYFEATURE_", "PYTEST_")) and k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "emulator")])
    return env


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PYTEST), "-q", "-p", "no:cacheprovider", *args], cwd=folder, env=team_env(),
                          capture_output=True, text=True, timeout=240, check=False)


def test_the_examples_are_files_of_a_teams_repository(team: Path) -> None:
    files = sorted(str(p.relative_to(team)) for p in team.rglob("*") if p.is_file())
    assert files == ["kudos.py", "kudos_board.py", "myfeature.py", "pyproject.toml", "tests/test_kudos.py",
                     "tests/test_myfeature.py"]
    project = tomllib.loads((team / "pyproject.toml").read_text())
    assert project["tool"]["pytest"]["ini_options"]["pythonpath"] == ["."]
    assert project["project"]["entry-points"]["sloth.features"] == {"myfeature": "myfeature:router"}
    assert {f"{m}.py" for m in project["tool"]["setuptools"]["py-modules"]} <= set(files)


def test_the_examples_pass_their_own_tests_run_with_pytest(team: Path) -> None:
    tests = sum(len(re.findall(r"^(?:async )?def test_", (team / p).read_text(), re.M))
                for p in ("tests/test_myfeature.py", "tests/test_kudos.py"))
    result = run_pytest(team)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(rf"\b{tests} passed\b", result.stdout), result.stdout[-2000:]
    # Cleanly: no warnings, and every session the feature opens (its `started` hook) closed by `stopping`.
    assert "warnings summary" not in result.stdout and "Unclosed" not in result.stdout + result.stderr, \
        result.stdout[-3000:] + result.stderr[-3000:]


def test_without_pythonpath_the_tests_cannot_import_the_teams_modules(team: Path,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the section says `pythonpath = ["."]` is for."""
    folder = tmp_path_factory.mktemp("team-without-pythonpath")
    for path in ("kudos.py", "kudos_board.py", "tests/test_kudos.py"):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text((team / path).read_text())
    toml = (team / "pyproject.toml").read_text().replace('pythonpath = ["."]\n', "")
    (folder / "pyproject.toml").write_text(toml)
    result = run_pytest(folder, "--collect-only")
    assert result.returncode != 0
    assert "No module named 'kudos_board'" in result.stdout, result.stdout[-3000:]


def public(kind: type) -> set[str]:
    """A class's public fields, properties and methods."""
    names = {f.name for f in dataclasses.fields(kind)} if dataclasses.is_dataclass(kind) else set()
    return {n for n in names | {n for n, _ in inspect.getmembers(kind)} if not n.startswith("_")}


def methods(kind: type) -> set[str]:
    return {n for n, v in vars(kind).items() if inspect.isfunction(v) and not n.startswith("_")}


def expected() -> dict[str, set[str]]:
    """What the reference must name in its prose or tables (in a code span), by what it is."""
    from sloth_bot import pytest_plugin
    from sloth_emulator import pytest_plugin as emulator_plugin

    given_by_the_fixture = {"workspace", "emulator", "clock", "data_dir"}
    marker = {p.name for p in inspect.signature(start_sloth).parameters.values() if p.kind is p.KEYWORD_ONLY}
    fixtures = {name for module in (pytest_plugin, emulator_plugin) for name, value in vars(module).items()
                if type(value).__name__ == "FixtureFunctionDefinition"}
    return {
        "bot.api": set(bot.api.__all__),
        "Param kind": {f'"{kind}"' for kind in typing.get_args(Kind)},
        "Param field": {f.name for f in dataclasses.fields(Param)},
        "command option": {f.name for f in dataclasses.fields(Command)} - {"name", "summary", "handler", "params"},
        "router declaration": {f"router.{n}" for n in methods(Router)},
        "Router argument": {"name", "settings", "workers"},
        "Setting option": {f.name for f in dataclasses.fields(Setting)},
        "setting kind": {f"kinds.{n}" for n in kinds.__all__ if n != "Expected"},
        "ctx": {f"ctx.{n}" for n in public(Context)},
        "store method": public(Namespaced),
        "Reply": public(Reply),
        "Invocation": public(Invocation),
        "Click": public(Click),
        "Limit": {f.name for f in dataclasses.fields(Limit)},
        "Signature": public(Signature) - {"expected", "given"},
        "sloth": {f"sloth.{n}" for n in public(Sloth) | {"emulator", "runtime", "clock"}},
        "Answer": {f"answer.{n}" for n in public(Answer)},
        "Posted": public(Posted),
        "HttpAnswer": public(HttpAnswer),
        "fixture": fixtures,
        "marker option": (marker - given_by_the_fixture) | {"features", "allow_blocking", "loop_block_seconds"},
    }


def undocumented(text: str) -> dict[str, list[str]]:
    """What `expected` holds that no code span of the section's prose or tables names."""
    words = {w.strip(".") for span in spans(text) for w in re.findall(r"[\w.]+|\"\w+\"", span)}
    # `ctx.store.get(key)` names ctx.store.get, ctx.store, store.get and get
    named = {".".join(parts[i:j]) for parts in (w.split(".") for w in words)
             for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    missing = {what: sorted(n for n in names if n not in named) for what, names in expected().items()}
    return {what: names for what, names in missing.items() if names}


def test_the_reference_names_everything_a_feature_author_uses() -> None:
    assert undocumented(section()) == {}


def test_a_name_left_out_is_found() -> None:
    without = re.sub(r"\bsame_types\b", "same types", section())
    assert undocumented(without) == {"bot.api": ["same_types"]}
    without = re.sub(r"router\.every\b", "router every", section())
    assert undocumented(without) == {"router declaration": ["router.every"]}


def test_every_link_in_the_section_and_the_examples_readme_lands_on_a_heading() -> None:
    assert links(section()) - anchors(readme()) == set()
    standup = (ROOT / "examples" / "standup" / "README.md").read_text()
    into_readme = set(re.findall(r"\]\(\.\./\.\./README\.md#([^)]+)\)", standup))
    assert into_readme and into_readme - anchors(readme()) == set()
