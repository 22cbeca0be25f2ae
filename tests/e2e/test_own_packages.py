"""`sloth` runs Sloth's own `bot` and `handlers`, even from a team's folder that has packages of
those names on the import path; `python -m bot` there would run the team's (hence the README's advice).

Both ways Sloth is installed: the test venv's editable install, and a plain one (Sloth's wheel
installed into a folder of its own, run with that folder first on PYTHONPATH).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from bot.emulator import Emulator, Workspace
from tests.e2e.processes import (
    ROOT,
    SLOTH,
    build_wheel,
    copy_project,
    install_into,
    run,
    running,
    slash,
    sloth_env,
)

LOUD = "TEAM-PACKAGE-IMPORTED"
OPS = '''
from bot.api import Reply, Router

router = Router("ops")


@router.command("oncall", "Who is on call.")
async def oncall(ctx, inv, args):
    return Reply(text="Priya is on call this week")
'''


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team's repository: packages called `bot` and `handlers` that must never be imported by
    Sloth, and a Sloth feature of its own."""
    folder = tmp_path / "team"
    for package in ("bot", "handlers"):
        (folder / package).mkdir(parents=True)
        (folder / package / "__init__.py").write_text(f'raise RuntimeError("{LOUD}: the team\'s own {package}")\n')
    (folder / "ops_feature.py").write_text(OPS)
    return folder


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sloth's own wheel (from the files the Dockerfile copies), installed into a folder of its own."""
    work = tmp_path_factory.mktemp("sloth-wheel")
    source = copy_project(ROOT, work / "source", ["pyproject.toml", "README.md", "bot", "handlers", "sloth_bot"])
    return install_into(build_wheel(source, work / "wheels"), work / "site")


def started_as(install: str, team: Path, plain_install: Path | None) -> tuple[Path, str]:
    """(the `sloth` script, PYTHONPATH) for one way of installing Sloth; the team's folder is on the path."""
    if install == "editable":
        return SLOTH, str(team)
    assert plain_install is not None
    return plain_install / "bin" / "sloth", f"{plain_install}:{team}"


@pytest.fixture(params=["editable", "plain"])
def sloth_script(request: pytest.FixtureRequest, team: Path) -> tuple[Path, str]:
    plain = request.getfixturevalue("plain_install") if request.param == "plain" else None
    return started_as(request.param, team, plain)


def test_features_and_manifest_are_sloths_own(team: Path, sloth_script: tuple[Path, str]) -> None:
    script, path = sloth_script
    env = sloth_env(team.parent / "data", PYTHONPATH=path, SLOTH_FEATURES="ops_feature")
    features = run([script, "features"], env, team)
    assert features.returncode == 0, features.stderr
    assert "games  (built-in: handlers.games.feature)" in features.stdout
    assert "ops  (SLOTH_FEATURES: ops_feature)" in features.stdout
    manifest = run([script, "manifest"], env, team)
    assert manifest.returncode == 0, manifest.stderr
    assert "oncall" in yaml.safe_load(manifest.stdout)["features"]["slash_commands"][0]["usage_hint"]
    assert LOUD not in features.stderr + manifest.stderr


async def test_a_run_answers_and_draws_with_sloths_own(team: Path, sloth_script: tuple[Path, str]) -> None:
    script, path = sloth_script
    async with Emulator(Workspace.default()) as emu:
        env = sloth_env(team.parent / "data", emu, PYTHONPATH=path, SLOTH_FEATURES="ops_feature")
        async with running([script, "run"], env, team, emu):
            assert "Priya is on call this week" in await slash(emu, "oncall")
            # A chart is drawn in the worker processes, whose fork server imports `bot` and `handlers` afresh.
            assert "Posted the time-zone chart of the workspace" in await slash(emu, "plot members", timeout=60)
            [upload] = emu.calls_to("files.completeUploadExternal")
            assert upload.ok, upload.error


def test_python_m_bot_from_the_team_folder_imports_the_teams_package(team: Path) -> None:
    result = run([sys.executable, "-m", "bot", "features"], sloth_env(team.parent / "data"), team)
    assert result.returncode != 0 and f"{LOUD}: the team's own bot" in result.stderr
