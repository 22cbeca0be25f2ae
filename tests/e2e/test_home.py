"""The Home tab: drawn for each member when they open it, from every feature's section (games,
training runs, connecting, their files) with only what they may see; redrawn shortly after what
it shows changes (once for a burst of changes); its buttons run commands, answered in the member's
DM. Real Bolt and SDK clients against the emulator.

The tests that stand for each surface run over Socket Mode and over HTTP (Slack's requests signed,
to /slack/events)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.handling.home import DEBOUNCE_SECONDS
from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot, sloth_over_both_transports

TOKEN = "monitor-token-for-home-tests"
HOME_ENV = {"SLOTH_MONITOR_TOKEN": TOKEN, "SLOTH_FILES_DIR": "."}
home_sloth = pytest.mark.sloth(env=HOME_ENV)
# Opening the tab (an event) and its buttons and forms (interactions): over Socket Mode and over HTTP.
home_sloth_both_transports = sloth_over_both_transports(env=HOME_ENV)
WJK68, AMELIA, KENJI = "U01WJK68KS", "U01AMHART1", "U01KSATO01"


async def report(sloth: Sloth, run_id: str, name: str, channel: str, owner: str) -> None:
    """A training job reports a run (its start and one epoch) through Sloth's ingest."""
    now = sloth.clock()
    events = [{"type": "start", "seq": 1, "time": now}, {"type": "epoch", "seq": 2, "time": now + 1.0, "epoch": 0,
                                                        "metrics": {"loss": 0.5}}]
    body = {"run": {"name": name, "channel": channel, "owner": owner, "total_epochs": 3}, "events": events}
    answer = await sloth.http("POST", f"/monitor/v1/runs/{run_id}/events", json=body,
                              headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status == 200, answer.text


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def publishes(sloth: Sloth, user: str) -> int:
    return sum(1 for c in sloth.calls("views.publish") if c.ok and c.args.get("user_id") == user)


@home_sloth_both_transports
async def test_the_home_tab_shows_a_members_games_runs_and_files_and_nobody_elses_private_runs(
        sloth: Sloth, slack: Emulator, transport: str) -> None:
    secret = slack.workspace.create_channel("ml-secret", WJK68, is_private=True)
    secret.members[slack.bot_user_id] = None
    await sloth.command("play tictactoe", user="kenji", channel="general")
    await report(sloth, "run-kenji-01", "kenji-resnet", "#testing_exp", KENJI)
    await report(sloth, "run-amelia-1", "amelia-bert", "#general", AMELIA)
    await report(sloth, "run-secret-1", "initech-model", "#ml-secret", WJK68)
    await sloth.command("export #general 7", user="kenji")

    home = await sloth.home("kenji")
    shown = text_of(home.view)
    assert home.view["type"] == "home" and "Sloth for Kenji" in shown
    assert "Your games in progress" in shown and "Tic-tac-toe" in shown and "with Sloth · your move" in shown
    assert "kenji-resnet" in shown and "amelia-bert" in shown and "not yours" in shown
    assert "initech-model" not in shown  # Will's run lives in a private channel Kenji is not in
    assert "Your latest charts and exports" in shown and "general-" in shown
    assert "Sloth does not act as you" in shown and "sloth_home:run:connect" in shown
    assert "sloth_home:run:remind" in shown and "sloth_home:run:sloth" in shown
    will = text_of((await sloth.home("wjk68")).view)
    assert "initech-model" in will and "Tic-tac-toe" not in will and "general-" not in will
    assert slack.refused_view_responses == [] and not [c for c in sloth.calls("views.publish") if not c.ok]


@home_sloth
async def test_a_home_tab_is_redrawn_once_shortly_after_what_it_shows_changes(sloth: Sloth, slack: Emulator) -> None:
    await sloth.home("kenji")
    await sloth.home("amelia")
    drawn = publishes(sloth, KENJI)
    challenge = await sloth.command("play connect4 @kenji", user="amelia", channel="general")
    await sloth.command("play tictactoe", user="kenji", channel="random")
    assert publishes(sloth, KENJI) == drawn  # noted, not drawn on the way: a burst makes one redraw
    await sloth.advance(1.0)
    assert publishes(sloth, KENJI) == drawn + 1 and publishes(sloth, AMELIA) == 2
    shown = text_of(slack.views("kenji")[0])
    assert "Connect four" in shown and "with Amelia Hart · waiting for an answer" in shown and "Tic-tac-toe" in shown
    await sloth.click(challenge, "game:decline", user="kenji")
    await sloth.advance(1.0)
    assert "Connect four" not in text_of(slack.views("kenji")[0])
    await sloth.advance(1.0)
    assert publishes(sloth, KENJI) == drawn + 2  # nothing changed since: nothing drawn
    await sloth.command("play tictactoe", user="priya")  # Priya never opened her Home tab: none drawn
    await sloth.advance(1.0)
    assert publishes(sloth, "U01PNAIR01") == 0


@home_sloth_both_transports
async def test_the_home_tabs_buttons_run_commands_answered_in_the_members_dm(sloth: Sloth, slack: Emulator,
                                                                            transport: str) -> None:
    home = await sloth.home("amelia")
    runs = await sloth.click(home, "sloth_home:run:runs")
    [post] = runs.posts
    assert slack.workspace.channels[post.channel].is_im and "No training runs yet" in post.text
    form = await sloth.click(home, "sloth_home:run:play")
    assert form.view["type"] == "modal" and "game" in {b.get("block_id") for b in form.view["blocks"]}
    done = await sloth.submit_view(form, {"game": "tictactoe"})
    assert done.ack is None and "Game on: your move." in done.text
    assert {slack.workspace.channels[p.channel].is_im for p in done.posts} == {True}
    menu = await sloth.click(home, "sloth_home:run:sloth")
    assert menu.view["callback_id"] == "sloth_pick"
    connect = await sloth.click(home, "sloth_home:run:connect")
    assert "Connect to Slack" in connect.visible


@pytest.mark.sloth(connected=["amelia"])
async def test_connecting_shows_on_the_home_tab_and_disconnect_is_a_button(sloth: Sloth, slack: Emulator) -> None:
    home = await sloth.home("amelia")
    assert "Sloth may act as you" in text_of(home.view) and "sloth_home:run:disconnect" in text_of(home.view)
    answer = await sloth.click(home, "sloth_home:run:disconnect")
    assert "forgotten your token" in answer.text
    await sloth.advance(1.0)
    assert "Sloth does not act as you" in text_of(slack.views("amelia")[0])


async def test_a_section_that_fails_is_said_and_the_rest_is_drawn(sloth: Sloth, slack: Emulator,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    registry = sloth.runtime.registry

    async def broken(ctx: Any, member: str) -> list[dict[str, Any]]:
        raise RuntimeError("boom")

    homes = [(broken, f) if f.name == "games" else (section, f) for section, f in registry.homes]
    monkeypatch.setattr(registry, "homes", homes)
    shown = text_of((await sloth.home("amelia")).view)
    assert "The games part of your Home tab could not be shown (error id" in shown
    assert "Sloth does not act as you" in shown  # connect's section is still there


async def test_a_running_sloth_redraws_a_home_tab_on_its_own_within_seconds(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, env={"SLOTH_FILES_DIR": "."}) as runtime:
        sloth = Sloth(emulator, runtime, runtime.clock)
        await sloth.home("kenji")
        asked = time.monotonic()
        await sloth.command("play tictactoe", user="kenji")
        await emulator.wait_for(lambda: "Tic-tac-toe" in text_of(emulator.views("kenji")[0]), timeout=10)
        assert time.monotonic() - asked >= DEBOUNCE_SECONDS  # after the burst had time to end, not at once
