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

from sloth_emulator import Emulator, Workspace
from tests.e2e.processes import (
    ROOT,
    SLOTH,
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
def plain_install(tmp_path_factory: pytest.TempPathFactory, wheels: list[Path]) -> Path:
    """Sloth's and the emulator's wheels, built from what the Dockerfile copies (so the image's
    install is this one), installed into a folder of their own."""
    site = install_into(wheels, tmp_path_factory.mktemp("sloth-site") / "site")
    # The test venv's editable install would stand in for anything missing: check nothing is.
    for package in ("bot", "handlers", "sloth_bot", "sloth_emulator"):
        assert (site / package / "__init__.py").is_file(), f"the wheels have no {package} package"
    assert (site / "sloth_emulator" / "fixtures").is_dir() and (site / "handlers" / "data").is_dir()
    return site


@pytest.fixture(params=["editable", "plain"])
def sloth_script(request: pytest.FixtureRequest, team: Path) -> tuple[Path, str, Path]:
    """(the `sloth` script, PYTHONPATH with the team's folder on it, where that install keeps Sloth)."""
    if request.param == "editable":
        return SLOTH, str(team), ROOT
    site: Path = request.getfixturevalue("plain_install")
    return site / "bin" / "sloth", f"{site}:{team}", site


def test_features_and_manifest_are_sloths_own(team: Path, sloth_script: tuple[Path, str, Path]) -> None:
    script, path, installed = sloth_script
    env = sloth_env(team.parent / "data", PYTHONPATH=path, SLOTH_FEATURES="ops_feature")
    found = run([sys.executable, "-c", "import sloth_bot; print(sloth_bot.__file__)"], env, team)
    assert Path(found.stdout.strip()) == installed / "sloth_bot" / "__init__.py"  # the script is that install's
    features = run([script, "features"], env, team)
    assert features.returncode == 0, features.stderr
    assert "games  (built-in: handlers.games.feature)" in features.stdout
    assert "ops  (SLOTH_FEATURES: ops_feature)" in features.stdout
    manifest = run([script, "manifest"], env, team)
    assert manifest.returncode == 0, manifest.stderr
    assert "oncall" in yaml.safe_load(manifest.stdout)["features"]["slash_commands"][0]["usage_hint"]
    assert LOUD not in features.stderr + manifest.stderr


async def test_a_run_answers_and_draws_with_sloths_own(team: Path, sloth_script: tuple[Path, str, Path]) -> None:
    script, path, _ = sloth_script
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
