"""A team's feature that declares what another feature or Sloth owns (a button id or its `id:…`
family, an environment variable, a store namespace) stops `sloth run` with exit 2 and one message
naming both owners, every problem at once (a real process, this checkout's code)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.processes import ROOT, SHAPED_TOKENS, problems, run, sloth_env
from tests.e2e.test_route_clashes import SLOTH_HERE

FEATURE = '''
from bot.api import Router, Setting

router = Router("{name}", settings=[{settings}])
for action_id in [{actions}]:
    router.action(action_id)(lambda ctx, click: None)
'''
FEATURES = {  # module: (feature name, settings, button ids)
    "lobby": ("lobby", "", "'game:join'"),
    "pager": ("pager", "", "'sloth_page_next:2'"),
    "keyring": ("keyring", "Setting('key', secret=True, env='SLOTH_SECRET_KEY')", ""),
    "deploys": ("deploys", "Setting('token', secret=True)", "'deploy'"),
    "release": ("release", "Setting('token', secret=True, env='DEPLOYS_TOKEN')", "'deploy:approve'"),
    "shelf": ("upload", "", ""),
}
SAID = [
    "The button actions 'game' of 'games' (built-in: handlers.games.feature) and 'game:join' of 'lobby' "
    "(SLOTH_FEATURES: lobby) overlap: 'game' also answers 'game:…', so it would take the clicks of 'game:join': "
    "give one of them another id.",
    "The button actions 'sloth_page_next' of 'core' (core: bot.runtime.core_feature) and 'sloth_page_next:2' of "
    "'pager' (SLOTH_FEATURES: pager) overlap: 'sloth_page_next' also answers 'sloth_page_next:…', so it would take the "
    "clicks of 'sloth_page_next:2': give one of them another id.",
    "The setting 'key' of 'keyring' (SLOTH_FEATURES: keyring) would read SLOTH_SECRET_KEY, one of Sloth's own "
    "settings: give it another name (or env=).",
    "The button actions 'deploy' of 'deploys' (SLOTH_FEATURES: deploys) and 'deploy:approve' of 'release' "
    "(SLOTH_FEATURES: release) overlap: 'deploy' also answers 'deploy:…', so it would take the clicks of "
    "'deploy:approve': give one of them another id.",
    "The environment variable DEPLOYS_TOKEN is read by two features: 'deploys' (SLOTH_FEATURES: deploys) "
    "(setting 'token') and 'release' (SLOTH_FEATURES: release) (setting 'token').",
    "The feature name 'upload' of 'upload' (SLOTH_FEATURES: shelf) is the namespace of Sloth's own 'upload' "
    "records in the store: choose another name.",
]
SECRET = "a-secret-key-that-must-never-be-printed"


def team(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    for module, (name, settings, actions) in FEATURES.items():
        (folder / f"{module}.py").write_text(
            FEATURE.replace("{name}", name).replace("{settings}", settings).replace("{actions}", actions))
    return folder


def test_every_ownership_clash_stops_sloth_with_exit_2_and_one_message(tmp_path: Path) -> None:
    folder = team(tmp_path)
    env = sloth_env(tmp_path / "data", **SHAPED_TOKENS, SLOTH_FEATURES=",".join(FEATURES), SLOTH_SECRET_KEY=SECRET,
                    DEPLOYS_TOKEN="d-123456", PYTHONPATH=str(ROOT))
    result = run([*SLOTH_HERE, "run"], env, folder)
    assert result.returncode == 2, result.stderr
    assert problems(result.stderr) == SAID
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert SECRET not in result.stderr and "d-123456" not in result.stderr


def test_a_feature_of_its_own_loads_beside_them(tmp_path: Path) -> None:
    folder = team(tmp_path)
    env = sloth_env(tmp_path / "data", SLOTH_FEATURES="deploys", PYTHONPATH=str(ROOT))
    result = run([*SLOTH_HERE, "features"], env, folder)
    assert result.returncode == 0, result.stderr
    assert "deploys  (SLOTH_FEATURES: deploys)" in result.stdout and "DEPLOYS_TOKEN" in result.stdout
