"""Trivia: a lobby, timed questions on an injected clock, fastest right answers score most."""

from __future__ import annotations

import json

from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock
from handlers.games import flow
from handlers.games.rules import trivia
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import (
    AMELIA,
    JONAS,
    KENJI,
    WILL,
    buttons,
    click,
    message,
    notes_to,
    payload,
    start,
    tick,
)
from tests.e2e.harness import ask


async def right_answer(bot: Runtime, game: dict) -> int:
    """The open question's answer, read from the store (the message never shows it)."""
    loaded = await flow.games(bot.ctx.of("games")).load(payload(game)["id"])
    assert loaded is not None
    rules = loaded[0].rules
    assert isinstance(rules, trivia.TriviaState) and rules.question is not None
    return rules.question.answer


async def test_a_quiz_from_lobby_to_scoreboard(emulator: Emulator, bot: Runtime, clock: FakeClock) -> None:
    game = await start(emulator, bot, "play trivia 2")
    assert payload(game)["status"] == "waiting" and payload(game)["players"] == [WILL]
    assert {"game:join", "game:start"} <= set(buttons(game))
    for player in (AMELIA, JONAS):
        game = await click(emulator, bot, game, "game:join", player)
    await click(emulator, bot, game, "game:start", KENJI)
    assert "Join first" in notes_to(emulator, KENJI)[-1]
    game = await click(emulator, bot, game, "game:start", WILL)
    meta = payload(game)
    assert meta["status"] == "playing" and meta["round"] == 1 and meta["players"] == [WILL, AMELIA, JONAS]
    assert sorted(a for a in buttons(game) if a.startswith("game:answer")) == [f"game:answer:{i}" for i in range(4)]

    right = await right_answer(bot, game)
    wrong = (right + 1) % 4
    clock.advance(3)
    game = await click(emulator, bot, game, f"game:answer:{right}", AMELIA)
    assert payload(game)["answered"] == [AMELIA] and "is in" in notes_to(emulator, AMELIA)[-1]
    await click(emulator, bot, game, f"game:answer:{wrong}", AMELIA)
    assert "already answered" in notes_to(emulator, AMELIA)[-1]
    clock.advance(4)
    game = await click(emulator, bot, game, f"game:answer:{right}", JONAS)
    clock.advance(2)
    game = await click(emulator, bot, game, f"game:answer:{wrong}", WILL)
    # everyone playing has answered: the round closed at once and question 2 is up
    meta = payload(game)
    assert meta["round"] == 2 and meta["answered"] == []
    assert meta["board"] == [[AMELIA, "925"], [JONAS, "825"], [WILL, "0"]]
    shown = json.dumps(game["attachments"])
    assert "+925 (3.0 s)" in shown and "+825 (7.0 s)" in shown

    second = await right_answer(bot, game)
    clock.advance(1)
    game = await click(emulator, bot, game, f"game:answer:{second}", KENJI)  # anyone may answer
    assert payload(game)["players"] == [WILL, AMELIA, JONAS, KENJI]
    clock.advance(18.9)  # 19.9 s after the question: still open
    await tick(bot)
    assert payload(message(emulator, game["ts"]))["round"] == 2
    clock.advance(0.2)
    await tick(bot)
    game = message(emulator, game["ts"])
    meta = payload(game)
    assert meta["status"] == "won" and meta["winner"] == KENJI
    assert meta["board"][0] == [KENJI, "975"] and "won" in game["text"]
    assert not any(a.startswith("game:answer") for a in buttons(game))

    board = await ask(emulator, bot, "scores trivia")
    assert "1. Kenji Sato — 975 points · 1 played · 1 won" in board["text"]


async def test_lobby_starts_by_itself_and_late_answers_are_refused(
    emulator: Emulator, bot: Runtime, clock: FakeClock
) -> None:
    game = await start(emulator, bot, "play trivia 1")
    clock.advance(19)
    await tick(bot)
    assert payload(message(emulator, game["ts"]))["status"] == "waiting"
    clock.advance(1)
    await tick(bot)
    game = message(emulator, game["ts"])
    assert payload(game)["status"] == "playing" and payload(game)["round"] == 1
    # the answer is nowhere in what the channel sees while the question is open
    right = await right_answer(bot, game)
    assert '"answer"' not in json.dumps(game)
    clock.advance(20.5)  # the sweeper has not run yet; the click itself finds the round over
    game = await click(emulator, bot, game, f"game:answer:{right}", AMELIA)
    assert "This game is over" in notes_to(emulator, AMELIA)[-1]
    assert payload(game)["status"] == "draw" and "Nobody scored" in game["text"]
