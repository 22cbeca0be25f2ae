"""Loading features in real `sloth` processes: from a team's folder, from an installed wheel's
entry point, switched off with SLOTH_DISABLE, and refused (exit 2, one message) when wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from sloth_emulator import Emulator, Workspace
from tests.e2e.processes import (
    ROOT,
    SHAPED_TOKENS,
    SLOTH,
    build_wheel,
    copy_project,
    install_into,
    problems,
    run,
    running,
    slash,
    sloth_env,
)

HELLO = '''
from bot.api import Param, Reply, Router, escape

router = Router("hello")


@router.command("hello", "Say hello.", Param("name", "text", required=False))
async def hello(ctx, inv, args):
    return Reply(text=f"Hello {escape(args['name'] or 'there')}, from the {ctx.feature} feature in the team's folder")
'''
DEPLOY = '''
from bot.api import Reply, Router

router = Router("{name}")


@router.command("deploy", "Deploy.")
async def deploy(ctx, inv, args):
    return Reply(text="deploying")


@router.action("deploy")
async def approve(ctx, click):
    return None
'''
BROKEN = {
    "missing_module.py": "import sloth_no_such_module\n",
    "raises_on_import.py": 'raise RuntimeError("the deploy service is unreachable")\n',
    "deploy_one.py": DEPLOY.replace("{name}", "deploy_one"),
    "deploy_two.py": DEPLOY.replace("{name}", "deploy_two"),
    "vault.py": textwrap.dedent('''
        from bot.api import Router, Setting

        router = Router("vault", settings=[
            Setting("api_key", required=True, secret=True, help="the vault's API key"),
            Setting("rate", float, default=1.0),
        ])
    '''),
}
SAID = {
    "missing_module": "Sloth cannot load the feature missing_module (SLOTH_FEATURES): ModuleNotFoundError: "
                      "No module named 'sloth_no_such_module'",
    "raises_on_import": "Sloth cannot load the feature raises_on_import (SLOTH_FEATURES): RuntimeError: "
                        "the deploy service is unreachable",
    "command twice": "The command 'deploy' is declared by two features: 'deploy_one' (SLOTH_FEATURES: deploy_one) "
                     "and 'deploy_two' (SLOTH_FEATURES: deploy_two).",
    "action twice": "The button action 'deploy' is declared by two features: 'deploy_one' (SLOTH_FEATURES: "
                    "deploy_one) and 'deploy_two' (SLOTH_FEATURES: deploy_two).",
    "missing setting": "VAULT_API_KEY is not set: the vault feature needs it (the vault's API key).",
    "nan": "VAULT_RATE must be a number, not 'nan'.",
    "unknown disabled": "SLOTH_DISABLE names no loaded feature: gmaes (features: help, team, ",
}


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team's folder with its features: one that works, and every way one can be wrong."""
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "hello_feature.py").write_text(HELLO)
    for name, source in BROKEN.items():
        (folder / name).write_text(source)
    return folder


async def test_a_feature_named_in_sloth_features_answers_from_the_working_directory(team: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        env = sloth_env(team.parent / "data", emu, SLOTH_FEATURES="hello_feature")
        async with running([SLOTH, "run"], env, team, emu):
            shown = await slash(emu, "hello Sloth")
    assert "Hello Sloth, from the hello feature in the team's folder" in shown


@pytest.mark.parametrize(("env", "said"), [
    ({"SLOTH_FEATURES": "missing_module"}, ["missing_module"]),
    ({"SLOTH_FEATURES": "raises_on_import"}, ["raises_on_import"]),
    ({"SLOTH_FEATURES": "deploy_one,deploy_two"}, ["command twice", "action twice"]),
    ({"SLOTH_FEATURES": "vault"}, ["missing setting"]),
    ({"SLOTH_FEATURES": "vault", "VAULT_API_KEY": "k-123", "VAULT_RATE": "nan"}, ["nan"]),
    ({"SLOTH_DISABLE": "gmaes"}, ["unknown disabled"]),
    ({"SLOTH_FEATURES": "missing_module,raises_on_import,deploy_one,deploy_two,vault,hello_feature",
      "VAULT_RATE": "nan", "SLOTH_DISABLE": "gmaes"}, list(SAID)),
], ids=["cannot import", "raises on import", "declared twice", "missing setting", "nan", "unknown disabled",
        "all at once"])
def test_bad_configuration_stops_sloth_with_exit_2_and_one_message(team: Path, env: dict[str, str],
                                                                    said: list[str]) -> None:
    result = run([SLOTH, "run"], sloth_env(team.parent / "data", **SHAPED_TOKENS, **env), team)
    assert result.returncode == 2, result.stderr
    listed = problems(result.stderr)
    assert len(listed) == len(said), listed
    for key in said:
        assert [p for p in listed if p.startswith(SAID[key])], (SAID[key], listed)
    assert "Traceback" not in result.stderr and "k-123" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("command", ["features", "manifest"])
def test_features_and_manifest_refuse_a_feature_that_cannot_load(team: Path, command: str) -> None:
    env = sloth_env(team.parent / "data", SLOTH_FEATURES="missing_module,raises_on_import")
    result = run([SLOTH, command], env, team)
    assert result.returncode == 2 and result.stdout == ""
    assert problems(result.stderr) == [SAID["missing_module"], SAID["raises_on_import"]]
    assert "Traceback" not in result.stderr


def test_disabled_games_leave_features_and_the_manifest(tmp_path: Path) -> None:
    def listed(**env: str) -> tuple[str, str]:
        features = run([SLOTH, "features"], sloth_env(tmp_path, **env), tmp_path)
        manifest = run([SLOTH, "manifest"], sloth_env(tmp_path, **env), tmp_path)
        assert features.returncode == manifest.returncode == 0, features.stderr + manifest.stderr
        hint = yaml.safe_load(manifest.stdout)["features"]["slash_commands"][0]["usage_hint"]
        return features.stdout, hint

    features, hint = listed()
    assert "games  (built-in: handlers.games.feature)" in features and " play " in f" {hint} "
    features, hint = listed(SLOTH_DISABLE="games")
    assert "games  (" not in features and "play" not in features and "scores" not in features
    assert "play" not in hint.split(" | ") and "team" in hint.split(" | ")


async def test_disabled_games_leave_help_and_play_is_unknown(tmp_path: Path) -> None:
    async with Emulator(Workspace.default()) as emu:
        async with running([SLOTH, "run"], sloth_env(tmp_path, emu, SLOTH_DISABLE="games"), tmp_path, emu):
            overview = await slash(emu, "help")
            refused = await slash(emu, "play tictactoe")
    assert "`team`" in overview and "`play`" not in overview and "`scores`" not in overview
    assert "I don't know the command `play`" in refused


@pytest.fixture(scope="module")
def standup_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/standup built as a wheel and installed into a folder of its own. Its version is
    marked, so the test tells it from an editable install of the example in the venv."""
    work = tmp_path_factory.mktemp("standup-wheel")
    source = copy_project(ROOT / "examples" / "standup", work / "source", ["pyproject.toml", "README.md",
                                                                            "sloth_standup"])
    pyproject = source / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.0+wheel"'))
    return install_into(build_wheel(source, work / "wheels"), work / "site")


def test_an_installed_wheel_is_found_by_its_entry_point(standup_site: Path, tmp_path: Path) -> None:
    result = run([SLOTH, "features"], sloth_env(tmp_path, PYTHONPATH=str(standup_site)), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "standup  (entry point 'standup' of sloth-standup 0.1.0+wheel: sloth_standup:router)" in result.stdout
    assert "STANDUP_CHANNEL (channel): default '#standup'" in result.stdout


async def test_an_installed_wheel_runs_with_no_setting_at_all(standup_site: Path, tmp_path: Path) -> None:
    workspace = Workspace.default()
    workspace.create_channel("standup", creator=workspace.first_human().id)
    async with Emulator(workspace) as emu:
        async with running([SLOTH, "run"], sloth_env(tmp_path, emu, PYTHONPATH=str(standup_site)), tmp_path, emu):
            shown = await slash(emu, "standup Shipped it")
    assert "Posted your stand-up in" in shown
    [card] = [m for m in emu.messages("standup") if m.get("user") == emu.bot_user_id]
    assert "Shipped it" in card["blocks"][0]["text"]["text"]


def test_an_installed_wheels_bad_setting_stops_sloth_with_exit_2(standup_site: Path, tmp_path: Path) -> None:
    env = sloth_env(tmp_path, PYTHONPATH=str(standup_site), STANDUP_REMINDER="25:99", **SHAPED_TOKENS)
    result = run([SLOTH, "run"], env, tmp_path)
    assert result.returncode == 2
    assert problems(result.stderr) == ["STANDUP_REMINDER must be a time of day like 09:30 or 5pm, not '25:99'."]
