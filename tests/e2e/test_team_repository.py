"""Installing Sloth never breaks a team's tests: a repository with a `bot` package of its own runs
its test suite with `pytest` and `python -m pytest` beside an installed Sloth (a wheel, or an
editable install of this checkout), though Sloth's pytest plugin loads in every session.

Each install lives in a virtual environment of its own made here, which sees the test venv's
third-party packages (pytest, aiohttp, …) through a .pth file but none of its Sloth installs.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from tests.e2e.processes import ROOT, run

TEAM = {
    "pyproject.toml": """
        [project]
        name = "team-bot"
        version = "1.0.0"

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]
        asyncio_mode = "auto"
        asyncio_default_fixture_loop_scope = "function"
    """,
    "bot/__init__.py": '"""The team\'s own bot, nothing to do with Sloth."""\n',
    "bot/logic.py": """
        def greet(name: str) -> str:
            return f"Hi {name}"
    """,
    "tests/test_logic.py": """
        from bot.logic import greet


        def test_greets():
            assert greet("Ana") == "Hi Ana"


        def test_the_teams_bot_is_imported():
            import bot
            assert "team" in bot.__doc__
    """,
    # Run on its own: asks for Sloth's fixture after the team's `bot` was imported.
    "sloth_tests/test_both.py": """
        import bot.logic


        async def test_with_sloth(sloth):
            pass
    """,
}


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("team-repo")
    for name, text in TEAM.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    return folder


def environment(folder: Path) -> Path:
    """An empty venv seeing the test venv's packages (but not its Sloth: no editable finders run
    from a path a .pth adds), with a `pytest` script of its own; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", folder], check=True)
    python = folder / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    dict(os.environ), folder).stdout.strip())
    (site / "test_venv_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    [main] = importlib.metadata.entry_points(group="console_scripts", name="pytest")  # as pip writes it
    script = folder / "bin" / "pytest"
    script.write_text(f"#!{python}\nimport sys\nfrom {main.module} import {main.attr}\nsys.exit({main.attr}())\n")
    script.chmod(0o755)
    return python


def pip_install(python: Path, *args: str | Path) -> None:
    result = run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index",
                  "--no-build-isolation", *args], dict(os.environ), ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module", params=["wheel", "editable"])
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a venv with Sloth and the emulator installed one way or the other."""
    python = environment(tmp_path_factory.mktemp(f"venv-{request.param}"))
    if request.param == "wheel":
        pip_install(python, *request.getfixturevalue("wheels"))
    else:
        pip_install(python, "-e", ROOT / "emulator", "-e", ROOT)
    found = run([python, "-c", "import sloth_bot, sloth_emulator; print(sloth_bot.__file__)"], team_env(),
                python.parent)
    assert found.returncode == 0, found.stderr
    where = Path(found.stdout.strip())  # this install's, not the test venv's
    assert where.is_relative_to(ROOT if request.param == "editable" else python.parent.parent), where
    return python


def team_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith(("PYTEST_", "SLOTH_"))}


@pytest.mark.parametrize("how", ["pytest", "python -m pytest"])
def test_the_teams_tests_run_and_pass_beside_sloth(team: Path, installed: Path, how: str) -> None:
    command = [installed.with_name("pytest")] if how == "pytest" else [installed, "-m", "pytest"]
    result = run([*command, "-q", "-p", "no:cacheprovider"], team_env(), team)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "2 passed" in result.stdout
    plugins = run([*command, "--trace-config", "-q", "--co", "-p", "no:cacheprovider"], team_env(), team)
    assert "sloth_bot.pytest_plugin" in plugins.stdout and "sloth_emulator.pytest_plugin" in plugins.stdout


def test_sloths_fixture_after_the_teams_bot_fails_with_the_reason(team: Path, installed: Path) -> None:
    result = run([installed, "-m", "pytest", "-q", "-p", "no:cacheprovider", "sloth_tests"], team_env(), team)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "The `sloth` fixture needs Sloth's own `bot` package, but this test session has already imported " \
           f"another one from {team / 'bot' / '__init__.py'}" in result.stdout
    assert "ModuleNotFoundError" not in result.stdout + result.stderr
