"""Connect four: column buttons, Sloth's quick replies, a win, a full-board draw, a full column."""

from __future__ import annotations

import time

from bot.runtime.lifecycle import Runtime
from handlers.games.rules import connect4
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import AMELIA, WILL, buttons, click, drawn_payload, notes_to, payload, start

# a full board with no four in a line (the same filling the rules' unit tests use)
DRAW = (6, 3, 5, 2, 2, 5, 5, 2, 6, 3, 6, 2, 4, 6, 3, 0, 5, 5, 3, 4, 6, 6, 2, 5, 2,
        4, 0, 4, 1, 3, 1, 0, 4, 1, 1, 1, 0, 1, 0, 3, 4, 0)  # fmt: skip


async def accepted(emu: Emulator, bot: Runtime) -> dict:
    game = await start(emu, bot, f"play connect4 <@{AMELIA}|amelia>")
    return await click(emu, bot, game, "game:accept", AMELIA)


async def test_sloth_answers_each_move_within_a_second(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, "play connect4")
    assert payload(game)["turn"] == WILL and len(payload(game)["board"]) == 6
    assert [f"game:move:{c}" for c in range(7)] == [a for a in buttons(game) if a.startswith("game:move")]
    state, slowest = connect4.new_game(WILL, "sloth"), 0.0
    while payload(game)["status"] == "playing":
        # Will looks two plies ahead: a real game, with positions that make Sloth search.
        mine = connect4.bot_move(state, depth=2)
        state = connect4.apply(state, mine)
        updates = len(emulator.calls_to("chat.update"))
        started = time.perf_counter()
        game = await click(emulator, bot, game, f"game:move:{mine.column}", WILL)
        slowest = max(slowest, time.perf_counter() - started)
        drawn = [drawn_payload(call) for call in emulator.calls_to("chat.update")[updates:]]
        if payload(game)["status"] == "playing":
            # Will's move is shown while Sloth thinks, then Sloth's reply
            assert [d["turn"] for d in drawn] == ["sloth", WILL]
            state = connect4.apply(state, connect4.Move("sloth", _new_piece(state, payload(game)["board"])))
            assert state.rows() == payload(game)["board"]
    assert slowest < 1.0, f"a move and Sloth's reply took {slowest:.2f} s"
    meta = payload(game)
    assert len(state.moves) >= 7 and meta["status"] in ("won", "draw")
    if meta["winner"] == "sloth":
        assert game["attachments"][0]["color"] == "danger"


def _new_piece(state: connect4.Connect4State, board: list[list[str]]) -> int:
    """The column where `board` has one piece more than `state`."""
    rows = state.rows()
    return next(c for c in range(7) for r in range(6) if board[r][c] != rows[r][c])


async def test_a_four_in_a_column_wins(emulator: Emulator, bot: Runtime) -> None:
    game = await accepted(emulator, bot)
    assert game["attachments"][0]["color"] == "#E01E5A"  # red to move
    for column, player in ((3, WILL), (4, AMELIA), (3, WILL), (4, AMELIA), (3, WILL), (4, AMELIA), (3, WILL)):
        game = await click(emulator, bot, game, f"game:move:{column}", player)
        if payload(game)["status"] == "playing":
            assert game["attachments"][0]["color"] == ("#E01E5A" if payload(game)["turn"] == WILL else "#ECB22E")
    meta = payload(game)
    assert meta["status"] == "won" and meta["winner"] == WILL
    assert [row[3] for row in meta["board"]] == ["", "", "R", "R", "R", "R"]
    picture = game["attachments"][0]["blocks"][1]["text"]["text"]
    assert picture.count("\U0001f7e5") == 4  # the winning four stand out
    assert not any(a.startswith("game:move") for a in buttons(game))


async def test_a_full_board_is_a_draw_and_a_full_column_is_refused(emulator: Emulator, bot: Runtime) -> None:
    game = await accepted(emulator, bot)
    players = (WILL, AMELIA)
    for ply, column in enumerate(DRAW):
        game = await click(emulator, bot, game, f"game:move:{column}", players[ply % 2])
        if ply == 21:  # the 22nd piece fills column 7
            assert [c for c in range(7) if payload(game)["board"][0][c]] == [6]
            before, mover = payload(game), players[(ply + 1) % 2]
            after = await click(emulator, bot, game, "game:move:6", mover)
            assert payload(after) == before and "Column 7 is full" in notes_to(emulator, mover)[-1]
    meta = payload(game)
    assert meta["status"] == "draw" and meta["winner"] is None and all(all(row) for row in meta["board"])
    assert "A draw" in game["text"] and game["attachments"][0]["color"] == "#9E9E9E"
