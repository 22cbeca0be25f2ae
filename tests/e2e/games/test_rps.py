"""Rock-paper-scissors: picks stay secret until both are in, matches run to a winner."""

from __future__ import annotations

import json
import re

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import (
    AMELIA,
    GENERAL,
    JONAS,
    WILL,
    buttons,
    click,
    click_many,
    notes_to,
    payload,
    start,
)

RANDOM = "C01RANDOM1"


async def accepted(emu: Emulator, bot: Runtime, text: str = "", channel: str = GENERAL) -> dict:
    game = await start(emu, bot, f"play rps <@{AMELIA}|amelia> {text}".strip(), channel=channel)
    return await click(emu, bot, game, "game:accept", AMELIA, channel=channel)


def seen_by(emu: Emulator, user: str, channel: str) -> str:
    """Everything of Sloth's that `user` can see in `channel`: its messages (metadata too), the
    ephemerals shown to `user`, and whatever was posted to the response_urls of their clicks."""
    posts = [m for m in emu.messages(channel) if m.get("user") == emu.bot_user_id]
    own_responses = [p.body for p in emu.responses if emu.response_urls.by_url(p.url).user == user]
    return json.dumps([posts, emu.ephemerals(user=user, channel=channel), own_responses])


def normalised(text: str, game: dict) -> str:
    """A view with the parts that differ between two games anyway (ids, timestamps) blanked."""
    game_id = payload(game)["id"]
    text = text.replace(game_id, "GAME").replace(game["ts"], "TS")
    return re.sub(r'"(ts|event_ts|client_msg_id|block_id|channel|id)": ("[^"]*"|\d+)', r'"\1": "_"', text)


async def test_a_pick_leaves_no_trace_before_the_reveal(emulator: Emulator, bot: Runtime) -> None:
    # Two identical matches in two channels; Will picks differently in each. Until Amelia
    # picks, nothing Amelia or the channel can see may differ between the two.
    views = []
    for channel, choice in ((GENERAL, "rock"), (RANDOM, "scissors")):
        game = await accepted(emulator, bot, channel=channel)
        game = await click(emulator, bot, game, f"game:pick:{choice}", WILL, channel=channel)
        assert payload(game)["picked"] == [True, False] and payload(game)["board"] == []
        assert f"You picked *{choice}*" in notes_to(emulator, WILL, channel)[-1]
        views.append(normalised(seen_by(emulator, AMELIA, channel), game)
                     + normalised(seen_by(emulator, JONAS, channel), game))
    assert views[0] == views[1]
    # Amelia picks paper in #general: the round is revealed to everyone.
    game = await click(emulator, bot, game_in(emulator, GENERAL), "game:pick:paper", AMELIA)
    meta = payload(game)
    assert meta["board"] == [["rock", "paper", AMELIA]] and meta["score"] == [0, 1]
    assert "\u270a vs \u270b" in json.dumps(game["attachments"], ensure_ascii=False)


def game_in(emu: Emulator, channel: str) -> dict:
    return next(m for m in reversed(emu.messages(channel)) if m.get("metadata"))


async def test_a_best_of_five_match_with_a_tie_and_simultaneous_picks(emulator: Emulator, bot: Runtime) -> None:
    game = await accepted(emulator, bot, "best of 5")
    assert payload(game)["best_of"] == 5
    rounds = [("rock", "rock"), ("rock", "scissors"), ("paper", "scissors"), ("scissors", "paper"),
              ("paper", "rock")]
    for will, amelia in rounds:
        # both at once: the two picks of one round never shut each other out
        game = await click_many(emulator, [bot], game, [(f"game:pick:{will}", WILL), (f"game:pick:{amelia}", AMELIA)])
    meta = payload(game)
    assert meta["status"] == "won" and meta["winner"] == WILL and meta["score"] == [3, 1]
    assert len(meta["board"]) == 5 and meta["board"][0] == ["rock", "rock", ""]
    assert "won" in game["text"] and game["attachments"][0]["color"] == "good"
    assert not any(action.startswith("game:pick") for action in buttons(game))


async def test_refusals(emulator: Emulator, bot: Runtime) -> None:
    game = await accepted(emulator, bot)
    value = buttons(game)["game:pick:rock"]["value"]
    await click(emulator, bot, game, "game:pick:rock", JONAS)
    assert "not playing" in notes_to(emulator, JONAS)[-1]
    await click(emulator, bot, game, "game:pick:rock", WILL)
    await click(emulator, bot, game, "game:pick:paper", WILL)
    assert "already picked" in notes_to(emulator, WILL)[-1]
    game = await click(emulator, bot, game, "game:pick:scissors", AMELIA)
    before = payload(game)
    await click(emulator, bot, game, "game:pick:paper", AMELIA, value=value)  # a button from round 1
    assert "That round is already over" in notes_to(emulator, AMELIA)[-1] and payload(game) == before


async def test_against_sloth(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, "play rps")
    assert payload(game)["status"] == "playing" and payload(game)["players"] == [WILL, "sloth"]
    for _ in range(60):
        if payload(game)["status"] != "playing":
            break
        game = await click(emulator, bot, game, "game:pick:rock", WILL)
        assert payload(game)["picked"] == [False, False]  # Sloth picks as soon as Will does
    meta = payload(game)
    assert meta["status"] == "won" and 2 in meta["score"] and all(row[0] == "rock" for row in meta["board"])
