"""Tic-tac-toe in one message: challenges, full games, every refusal, races, expiry, restarts."""

from __future__ import annotations

import json
import random
from pathlib import Path

from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock
from handlers.games import flow
from handlers.games.logic import Action, judge
from handlers.games.rules import tictactoe
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import (
    AMELIA,
    GENERAL,
    JONAS,
    WILL,
    buttons,
    click,
    click_many,
    drawn_payload,
    game_messages,
    message,
    notes_to,
    payload,
    start,
    tick,
)
from tests.e2e.harness import answers, ask, running_bot, table_rows


async def challenge(emu: Emulator, bot: Runtime) -> dict:
    game = await start(emu, bot, f"play tictactoe <@{AMELIA}|amelia>")
    return await click(emu, bot, game, "game:accept", AMELIA)


async def test_a_challenge_is_accepted_and_played_to_a_win(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, f"play tictactoe <@{AMELIA}|amelia>")
    meta = payload(game)
    assert meta["status"] == "waiting" and meta["players"] == [WILL, AMELIA] and meta["turn"] is None
    assert {"game:accept", "game:decline"} <= set(buttons(game)) and "game:move:0" not in buttons(game)
    assert f"<@{AMELIA}>" in game["text"] and game["attachments"][0]["color"] == "#D1D2D3"
    [posted] = emulator.calls_to("chat.postMessage")
    game = await click(emulator, bot, game, "game:accept", AMELIA)
    assert payload(game)["status"] == "playing" and payload(game)["turn"] == WILL
    assert payload(game)["board"] == [["", "", ""], ["", "", ""], ["", "", ""]]
    for cell, player in ((0, WILL), (4, AMELIA), (1, WILL), (8, AMELIA), (2, WILL)):
        version = payload(game)["version"]
        game = await click(emulator, bot, game, f"game:move:{cell}", player)
        assert payload(game)["version"] == version + 1
    meta = payload(game)
    assert meta["status"] == "won" and meta["winner"] == WILL and meta["turn"] is None
    assert meta["board"] == [["X", "X", "X"], ["", "O", ""], ["", "", "O"]]
    attachment = game["attachments"][0]
    assert attachment["color"] == "good" and "won" in game["text"]
    assert "X X X / . O . / . . O" in attachment["fallback"]
    players, moves = attachment["blocks"][0]["fields"]
    assert players["text"] == f"*Players*\n\u274c <@{WILL}>\n\u2b55 <@{AMELIA}>" and moves["text"] == "*Moves*\n5"
    # one message, edited in place: one post, and no other message in the channel
    assert emulator.calls_to("chat.postMessage") == [posted] and len(game_messages(emulator)) == 1
    assert len(emulator.calls_to("chat.update")) >= 6


async def test_against_sloth_a_perfect_game_is_a_draw_and_a_blunder_loses(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, "play tictactoe")
    assert payload(game)["status"] == "playing" and payload(game)["players"] == [WILL, "sloth"]
    while payload(game)["status"] == "playing":
        state = tictactoe.TicTacToeState((WILL, "sloth"), tuple(_moves(payload(game)["board"], game)))
        best = tictactoe.bot_move(state).cell  # Will plays as well as Sloth does
        game = await click(emulator, bot, game, f"game:move:{best}", WILL)
    assert payload(game)["status"] == "draw" and payload(game)["winner"] is None
    assert game["attachments"][0]["color"] == "#9E9E9E"

    game = await start(emulator, bot, "play tictactoe")
    for cell in (1, 3, 5, 7, 0, 2, 6, 8):  # edges first: Sloth takes the centre and wins
        if payload(game)["status"] != "playing":
            break
        if payload(game)["board"][cell // 3][cell % 3] == "":
            game = await click(emulator, bot, game, f"game:move:{cell}", WILL)
    assert payload(game)["status"] == "won" and payload(game)["winner"] == "sloth"
    assert game["attachments"][0]["color"] == "danger"


def _moves(board: list[list[str]], game: dict) -> list[int]:
    # The move order is not in the message; rebuild one consistent with the board.
    xs = [r * 3 + c for r in range(3) for c in range(3) if board[r][c] == "X"]
    os = [r * 3 + c for r in range(3) for c in range(3) if board[r][c] == "O"]
    order = []
    for index in range(len(xs) + len(os)):
        order.append(xs[index // 2] if index % 2 == 0 else os[index // 2])
    return order


async def test_refusals_are_private_and_leave_the_board_alone(emulator: Emulator, bot: Runtime) -> None:
    game = await challenge(emulator, bot)
    game = await click(emulator, bot, game, "game:move:4", WILL)
    board = payload(game)

    after = await click(emulator, bot, game, "game:move:0", JONAS)  # not a player
    assert payload(after) == board and "not playing" in notes_to(emulator, JONAS)[-1]
    after = await click(emulator, bot, game, "game:move:0", WILL)  # out of turn
    assert payload(after) == board and "not your turn" in notes_to(emulator, WILL)[-1]
    after = await click(emulator, bot, game, "game:move:4", AMELIA)  # occupied
    assert payload(after) == board and "taken" in notes_to(emulator, AMELIA)[-1]
    after = await click(emulator, bot, game, "game:resign", JONAS)
    assert payload(after) == board and "Only the players" in notes_to(emulator, JONAS)[-1]

    # A board drawn before Will's move (as a slow client might still show it) is out of date.
    old_value = buttons(game)["game:move:0"]["value"].rsplit(":", 1)[0] + ":1"
    updates = len(emulator.calls_to("chat.update"))
    after = await click(emulator, bot, game, "game:move:0", AMELIA, value=old_value)
    assert payload(after) == board and "out of date" in notes_to(emulator, AMELIA)[-1]
    assert len(emulator.calls_to("chat.update")) == updates + 1  # redrawn from the store
    assert all(m["channel"] == GENERAL for m in emulator.ephemerals(user=AMELIA))
    assert len(game_messages(emulator)) == 1


async def test_twenty_concurrent_clicks_apply_one_move(emulator: Emulator, bot: Runtime) -> None:
    game = await challenge(emulator, bot)
    version, notes = payload(game)["version"], len(notes_to(emulator, WILL))
    updates = len(emulator.calls_to("chat.update"))
    game = await click_many(emulator, [bot], game, [("game:move:4", WILL)] * 20)
    assert payload(game)["version"] == version + 1
    assert payload(game)["board"] == [["", "", ""], ["", "X", ""], ["", "", ""]]
    assert len(notes_to(emulator, WILL)) == notes  # repeats of the applied move get no complaint
    assert len(emulator.calls_to("chat.update")) == updates + 1  # one writer won, and only it drew

    # Twenty clicks spread over every free cell: one lands, every other is told the board moved on,
    # and every drawing of the message shows the same single move.
    updates = len(emulator.calls_to("chat.update"))
    cells = [cell for cell in range(9) if cell != 4]
    presses = [(f"game:move:{cells[i % len(cells)]}", AMELIA) for i in range(20)]
    game = await click_many(emulator, [bot], game, presses)
    assert payload(game)["version"] == version + 2 and payload(game)["turn"] == WILL
    assert sum(row.count("O") for row in payload(game)["board"]) == 1
    drawn = {json.dumps(drawn_payload(call)["board"]) for call in emulator.calls_to("chat.update")[updates:]}
    assert drawn == {json.dumps(payload(game)["board"])}
    assert all("out of date" in note for note in notes_to(emulator, AMELIA))


async def test_decline_withdraw_and_resign(emulator: Emulator, bot: Runtime) -> None:
    game = await start(emulator, bot, f"play tictactoe <@{AMELIA}|amelia>")
    refused = await click(emulator, bot, game, "game:accept", WILL)
    assert payload(refused)["status"] == "waiting" and "Waiting for" in notes_to(emulator, WILL)[-1]
    await click(emulator, bot, game, "game:accept", JONAS)
    assert "This challenge is for" in notes_to(emulator, JONAS)[-1]
    game = await click(emulator, bot, game, "game:decline", AMELIA)
    assert payload(game)["status"] == "declined" and "declined" in game["text"]
    assert buttons(game) == {} and game["attachments"][0]["color"] == "#9E9E9E"

    game = await start(emulator, bot, f"play tictactoe <@{AMELIA}|amelia>")
    game = await click(emulator, bot, game, "game:decline", WILL)
    assert payload(game)["status"] == "declined" and "withdrew" in game["text"]

    game = await challenge(emulator, bot)
    game = await click(emulator, bot, game, "game:resign", AMELIA)
    assert payload(game)["status"] == "won" and payload(game)["winner"] == WILL and "resigned" in game["text"]
    await click(emulator, bot, game, "game:move:0", WILL)
    assert "over" in notes_to(emulator, WILL)[-1]


async def test_idle_games_expire(emulator: Emulator, bot: Runtime, clock: FakeClock) -> None:
    waiting = await start(emulator, bot, f"play tictactoe <@{AMELIA}|amelia>")
    playing = await challenge(emulator, bot)
    clock.advance(23 * 3600)
    playing = await click(emulator, bot, playing, "game:move:0", WILL)  # a move restarts the idle time
    clock.advance(3600 + 1)
    await tick(bot)
    assert payload(message(emulator, waiting["ts"]))["status"] == "expired"
    assert payload(message(emulator, playing["ts"]))["status"] == "playing"
    clock.advance(23 * 3600)
    await tick(bot)
    expired = message(emulator, playing["ts"])
    assert payload(expired)["status"] == "expired" and "Expired after 24 h" in expired["text"]
    await click(emulator, bot, expired, "game:move:4", AMELIA)
    assert "expired" in notes_to(emulator, AMELIA)[-1]


async def test_a_restart_mid_game_loses_nothing(emulator: Emulator, tmp_path: Path, clock: FakeClock) -> None:
    async with running_bot(emulator, tmp_path, clock=clock) as first:
        game = await challenge(emulator, first)
        game = await click(emulator, first, game, "game:move:0", WILL)
    async with running_bot(emulator, tmp_path, clock=clock) as second:
        for cell, player in ((3, AMELIA), (1, WILL), (4, AMELIA), (2, WILL)):
            game = await click(emulator, second, game, f"game:move:{cell}", player)
        assert payload(game)["status"] == "won" and payload(game)["winner"] == WILL
        assert payload(game)["version"] == 6  # accept + five moves, none lost or repeated


async def test_a_move_left_half_done_by_a_stopped_replica_is_finished_on_restart(
    emulator: Emulator, tmp_path: Path, clock: FakeClock
) -> None:
    async with running_bot(emulator, tmp_path, clock=clock) as first:
        game = await start(emulator, first, "play tictactoe")
        game = await click(emulator, first, game, "game:move:4", WILL)
        # As if the process died right after storing Will's next move, before Sloth's reply
        # and before redrawing: the store has the move, the message does not.
        store = flow.games(first.ctx.of("games"))
        loaded = await store.load(payload(game)["id"])
        assert loaded is not None
        moved = judge(loaded[0], WILL, Action("move", "8", loaded[0].stage), clock(), random.Random(1))
        assert moved is not None and await store.replace(loaded[1], moved) is not None
    clock.advance(10)
    async with running_bot(emulator, tmp_path, clock=clock):
        # the new process's first sweep finds Sloth's turn pending and plays it
        drawn = await emulator.wait_for(lambda: payload(message(emulator, game["ts"]))["turn"] == WILL
                                        and payload(message(emulator, game["ts"]))["version"] == 4)
        assert drawn
    board = payload(message(emulator, game["ts"]))["board"]
    assert board[2][2] == "X" and sum(row.count("O") for row in board) == 2


async def test_scores_count_each_finished_game_once(emulator: Emulator, bot: Runtime) -> None:
    empty = await ask(emulator, bot, "scores")
    assert "No games finished yet" in empty["text"]
    game = await challenge(emulator, bot)
    for cell, player in ((0, WILL), (3, AMELIA), (1, WILL), (4, AMELIA), (2, WILL)):
        game = await click(emulator, bot, game, f"game:move:{cell}", player)
    game = await challenge(emulator, bot)
    await click(emulator, bot, game, "game:resign", WILL)
    await tick(bot)  # a sweep finds nothing left to count
    board = await ask(emulator, bot, "scores tictactoe")
    # equal records: the order falls back to the user id
    assert "1. Amelia Hart — 1 W · 1 L · 0 D; 2. Will Koehrsen — 1 W · 1 L · 0 D" in board["text"]
    assert "<@" not in board["text"]
    assert table_rows(board) == [["#", "Player", "Won", "Lost", "Drawn"], ["1", "Amelia Hart", "1", "1", "0"],
                                 ["2", "Will Koehrsen", "1", "1", "0"]]
    every_game = table_rows(await ask(emulator, bot, "scores"))
    assert every_game[:2] == [["Game", "#", "Player", "Record"], ["Tic-tac-toe", "1", "Amelia Hart", "1 W · 1 L · 0 D"]]
    emulator.refuse_block_types({"table"})  # a workspace without tables gets the same as lines
    refused, classic = await answers(emulator, bot, "scores tictactoe")
    assert refused.error == "invalid_blocks" and classic.error is None
    lines = "\n".join(b["text"]["text"] for b in classic.body["blocks"]).split("\n")
    assert lines == ["*Tic-tac-toe leaderboard*", "*#* · *Player* · *Won* · *Lost* · *Drawn*",
                     "1 · Amelia Hart · 1 · 1 · 0", "2 · Will Koehrsen · 1 · 1 · 0"]
    emulator.refuse_block_types(set())
    unknown = await ask(emulator, bot, "scores chess")
    assert "I don't know the game" in unknown["text"]
