"""`play` and `scores` as typed: help, mistakes, threads, DMs, odd buttons, vanished messages."""

from __future__ import annotations

import pytest

from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock
from handlers.games import flow
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import (
    AMELIA,
    GENERAL,
    WILL,
    game_messages,
    notes_to,
    payload,
    start,
    tick,
)
from tests.e2e.harness import ask, settle, visible_text

MASS = ("<!everyone>", "<!channel>", "<!here>")


async def test_help_lists_the_games(emulator: Emulator, bot: Runtime) -> None:
    overview = visible_text(await ask(emulator, bot, "help"))
    assert "`play`" in overview and "`scores`" in overview and "play rps @opponent [best of 3|5]" in overview
    detail = visible_text(await ask(emulator, bot, "help play"))
    for example in ("/sloth play tictactoe", "/sloth play connect4 @amelia", "/sloth play rps @amelia best of 5",
                    "/sloth play trivia 5"):
        assert example in detail


@pytest.mark.parametrize(("typed", "said"), [
    ("play chess", "I don't know the game `chess`"),
    ("play", "Usage: `play game [options…]`"),
    ("play tictactoe <!here>", "unexpected"),
    (f"play tictactoe <@{WILL}|wjk68>", "can't play against yourself"),
    ("play tictactoe @nobody-here", "I can't find the member"),
    ("play tictactoe <@USLACKBOT|slackbot>", "Bots don't play"),
    (f"play rps <@{AMELIA}|amelia> best of 4", "best of 3 or best of 5"),
    (f"play rps <@{AMELIA}|amelia> twice", "best of 3"),
    ("play trivia 50", "1 to 20 rounds"),
    ("play trivia lots", "number of rounds"),
    ("scores <!channel>", "I don't know the game"),
])
async def test_mistakes_are_explained_privately(emulator: Emulator, bot: Runtime, typed: str, said: str) -> None:
    body = await ask(emulator, bot, typed)
    shown = visible_text(body)
    assert said in shown and body["response_type"] == "ephemeral"
    assert not any(mass in shown for mass in MASS)
    assert game_messages(emulator) == []


async def test_naming_sloth_plays_sloth_and_a_thread_keeps_the_game(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, f"play tictactoe <@{emulator.bot_user_id}|sloth>")
    assert payload(game)["players"] == [WILL, "sloth"] and payload(game)["status"] == "playing"
    assert "Game on" in notes_to(emulator, WILL)[-1]

    parent = emulator.messages("python_content")[0]
    delivery = await emulator.user_message(channel="python_content", thread_ts=parent["ts"],
                                           text=f"<@{emulator.bot_user_id}> play connect4")
    await delivery.acked()
    await settle(bot)
    [threaded] = game_messages(emulator, "python_content")
    assert threaded["thread_ts"] == parent["ts"] and payload(threaded)["game"] == "connect4"


async def test_challenges_need_a_channel(emulator: Emulator, bot: Runtime) -> None:
    im, _ = emulator.workspace.open_im(WILL, emulator.bot_user_id)
    await (await emulator.user_message(user=WILL, channel=im.id, text=f"play tictactoe <@{AMELIA}|amelia>")).acked()
    await settle(bot)
    replies = [m for m in emulator.messages(im.id) if m.get("user") == emulator.bot_user_id]
    assert "in a channel" in visible_text(replies[-1]) and game_messages(emulator, im.id) == []
    await (await emulator.user_message(user=WILL, channel=im.id, text="play tictactoe")).acked()
    await settle(bot)
    assert len(game_messages(emulator, im.id)) == 1  # against Sloth, a DM is fine


async def test_buttons_that_are_not_a_game_and_games_that_are_gone(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, "play tictactoe")
    await (await emulator.click(GENERAL, game["ts"], "game:move:0", user=WILL, value="nosuchgame:3")).acked()
    await settle(bot)
    assert "no longer have this game" in notes_to(emulator, WILL)[-1]
    await (await emulator.click(GENERAL, game["ts"], "game:move:0", user=WILL, value="")).acked()
    await settle(bot)
    assert "not part of any game" in notes_to(emulator, WILL)[-1]


async def test_a_deleted_game_message_does_not_stall_the_sweeper(
    emulator: Emulator, bot: Runtime, clock: FakeClock
) -> None:
    game = await start(emulator, bot, "play tictactoe")
    emulator.workspace.delete_message(emulator.workspace.general(), game["ts"])
    clock.advance(25 * 3600)
    await tick(bot)
    store = flow.games(bot.ctx.of("games"))
    loaded = await store.load(payload(game)["id"])
    assert loaded is not None and loaded[0].status == "expired"
    assert await store.live() == {}
    assert bot.metrics.handler_errors.labels("button")._value.get() == 0


async def test_a_game_in_a_channel_archived_meanwhile_is_settled_and_swept(
    emulator: Emulator, bot: Runtime, clock: FakeClock
) -> None:
    game = await start(emulator, bot, "play tictactoe")
    await emulator.archive_channel(GENERAL)
    clock.advance(25 * 3600)
    await tick(bot)  # the expiry cannot be drawn (chat.update answers is_inactive) but is applied
    assert [c.error for c in emulator.calls_to("chat.update")][-1:] == ["is_inactive"]
    store = flow.games(bot.ctx.of("games"))
    loaded = await store.load(payload(game)["id"])
    assert loaded is not None and loaded[0].status == "expired"
    assert await store.live() == {}  # settled: the sweeper lets it go


async def test_a_game_starts_without_metadata_when_slack_refuses_it(
    emulator: Emulator, bot: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="handlers.games.flow"):
        for _ in range(2):
            emulator.fail_next("chat.postMessage", "invalid_metadata_format")  # the post; its retry goes
            await (await emulator.slash_command(text="play tictactoe", user=WILL)).acked()
            await settle(bot)
    posted = [m for m in emulator.messages(GENERAL) if m.get("attachments") and "metadata" not in m]
    assert len(posted) == 2 and all("tic-tac-toe" in visible_text(m).lower() for m in posted)
    refused = [r for r in caplog.records if "invalid_metadata_format" in r.getMessage()]
    assert len(refused) == 1  # said once, not once per game
    assert "Game on" in visible_text(emulator.ephemerals(user=WILL)[-1])
