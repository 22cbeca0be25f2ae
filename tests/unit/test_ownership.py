"""What one feature owns: its button ids (and their `id:…` family), its settings' variables and its
name (its store namespace). Every clash is refused when the features load, naming both."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from bot.config.feature_settings import Setting
from bot.config.problems import Problems
from bot.config.settings import CORE_VARIABLES, read_settings
from bot.doctor.app_settings import read_config_token
from bot.features.catalogue import Catalogue
from bot.features.loader import load_features
from bot.features.ownership import action_family, actions_overlap
from bot.features.registry import Feature, Registry
from bot.features.router import Command, Router


async def _press(ctx: Any, click: Any) -> None:
    return None


async def _noop(ctx: Any, inv: Any, args: Any) -> Any:
    raise AssertionError("not called")


def team(name: str, *action_ids: str, settings: tuple[Setting, ...] = (), source: str = "SLOTH_FEATURES") -> Feature:
    router = Router(name, settings=settings)
    for action_id in action_ids:
        router.action(action_id)(_press)
    return Feature(router, source, name)


def refused(*features: Feature) -> list[str]:
    with pytest.raises(Problems) as caught:
        Registry(list(features))
    return caught.value.problems


def test_an_action_id_owns_its_family_so_neither_side_may_declare_into_the_other() -> None:
    games = team("games", "game", source="built-in")
    assert refused(games, team("lobby", "game:join"), team("arcade", "game:move:4"), team("again", "game")) == [
        "The button actions 'game' of 'games' (built-in: games) and 'game:join' of 'lobby' (SLOTH_FEATURES: lobby) "
        "overlap: 'game' also answers 'game:…', so it would take the clicks of 'game:join': give one of them "
        "another id.",
        "The button actions 'game' of 'games' (built-in: games) and 'game:move:4' of 'arcade' (SLOTH_FEATURES: "
        "arcade) overlap: 'game' also answers 'game:…', so it would take the clicks of 'game:move:4': give one of "
        "them another id.",
        "The button action 'game' is declared by two features: 'games' (built-in: games) and "
        "'again' (SLOTH_FEATURES: again).",
    ]
    # The other way round: the narrower id came first, the family's owner is refused.
    assert refused(team("lobby", "game:join"), team("games", "game")) == [
        "The button actions 'game:join' of 'lobby' (SLOTH_FEATURES: lobby) and 'game' of 'games' (SLOTH_FEATURES: "
        "games) overlap: 'game' also answers 'game:…', so it would take the clicks of 'game:join': give one of "
        "them another id.",
    ]


def test_ids_that_only_share_letters_and_one_features_own_family_load() -> None:
    registry = Registry([team("games", "game", "game:join"), team("gamer", "gamer", "games_board"),
                         team("core", "sloth_page_next")])
    assert set(registry.actions) == {"game", "game:join", "gamer", "games_board", "sloth_page_next"}
    assert not actions_overlap("game", "gamer") and actions_overlap("game:join", "game")


def test_a_click_goes_to_the_longest_declared_id_of_its_family() -> None:
    registry = Registry([team("games", "game", "game:join")])
    assert action_family("game:move:4") == ["game:move:4", "game:move", "game"]
    assert registry.declared_action("game:move:4") == "game"
    assert registry.declared_action("game:join:G1") == "game:join"
    assert registry.declared_action("game:join") == "game:join"
    assert registry.declared_action("gamejoin") is None and registry.action("other:game") is None


@pytest.mark.parametrize("action_id", ["", "game:", ":join", "game::join", "game join", "x" * 256])
def test_a_malformed_action_id_is_refused(action_id: str) -> None:
    [problem] = refused(team("games", action_id))
    assert problem.startswith(f"The button action '{action_id}' of 'games' (SLOTH_FEATURES: games) ")


def test_a_variable_is_read_by_one_setting_of_one_feature_and_none_of_sloths_own() -> None:
    problems = refused(
        team("deploys", settings=(Setting("token", secret=True), Setting("key", env="SLOTH_SECRET_KEY"))),
        team("release", settings=(Setting("token", env="DEPLOYS_TOKEN"),)),
        team("slack", settings=(Setting("bot_token"),)),
        team("twice", settings=(Setting("url"), Setting("link", env="TWICE_URL"))),
    )
    assert problems == [
        "The setting 'key' of 'deploys' (SLOTH_FEATURES: deploys) would read SLOTH_SECRET_KEY, one of Sloth's own "
        "settings: give it another name (or env=).",
        "The environment variable DEPLOYS_TOKEN is read by two features: 'deploys' (SLOTH_FEATURES: deploys) "
        "(setting 'token') and 'release' (SLOTH_FEATURES: release) (setting 'token').",
        "The setting 'bot_token' of 'slack' (SLOTH_FEATURES: slack) would read SLACK_BOT_TOKEN, one of Sloth's own "
        "settings: give it another name (or env=).",
        "The setting 'link' of 'twice' (SLOTH_FEATURES: twice) and its setting 'url' both read TWICE_URL: give one "
        "another name (or env=).",
    ]


def test_the_built_in_features_variables_are_their_own() -> None:
    registry = load_features({}, installed=False)
    owners = {variable: feature.name for variable, (_, feature) in registry.variables.items()}
    assert owners["SLOTH_MONITOR_TOKEN"] == "training" and owners["SLOTH_GAME_IDLE_HOURS"] == "games"
    assert not CORE_VARIABLES & set(owners)


class Recording(Mapping[str, str]):
    """An empty environment that notes every variable asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_every_variable_sloths_core_reads_is_kept_from_features() -> None:
    env = Recording()
    read_settings(env, [])
    read_config_token(env, [])
    load_features(env, builtins=(), installed=False)
    assert env.asked and env.asked <= CORE_VARIABLES, sorted(env.asked - CORE_VARIABLES)


@pytest.mark.parametrize(("name", "why"), [
    ("ops:deploys", "must be a letter, then letters, digits, '_' or '-'"),
    ("2fa", "must be a letter"),
    ("user_token", "is the namespace of Sloth's own 'user_token' records in the store"),
    ("upload", "is the namespace of Sloth's own 'upload' records in the store"),
    ("limit", "is the namespace of Sloth's own 'limit' records in the store"),  # members' runs, bot.config.limits
])
def test_a_name_that_would_share_a_store_namespace_is_refused(name: str, why: str) -> None:
    [problem] = refused(team(name))
    assert problem.startswith(f"The feature name '{name}' of '{name}' (SLOTH_FEATURES: {name}) {why}")


def test_the_catalogue_offers_commands_and_nothing_of_the_features() -> None:
    router = Router("vault", settings=[Setting("token", secret=True)])
    router.add(Command("open", "Open the vault", _noop, aliases=("unlock",)))
    registry = Registry([Feature(router)])
    registry.unavailable["open"] = ("files:write",)
    catalogue = Catalogue(registry.commands, registry.unavailable)
    assert [c.name for c in catalogue.listed()] == ["open"] and catalogue.find("UNLOCK") is catalogue.find("open")
    assert catalogue.unavailable["open"] == ("files:write",) and catalogue.closest("opne") == "open"
    public = {name: value for name, value in vars(catalogue).items() if not name.startswith("_")}
    assert list(public) == ["unavailable"]
    with pytest.raises(TypeError):
        catalogue.unavailable["open"] = ()  # type: ignore[index]
    assert not hasattr(catalogue, "features") and not hasattr(catalogue, "feature_of")
