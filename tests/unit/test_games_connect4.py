from __future__ import annotations

import itertools
import json
import random
import time

import pytest

from handlers.games.rules import IllegalMove, connect4_search
from handlers.games.rules.connect4 import Connect4State, Move, apply, bot_move, legal_moves, new_game

RED, YELLOW = "U_RED", "U_YELLOW"
# a full board with no four in a line, found by a search over fillings
DRAW = (6, 3, 5, 2, 2, 5, 5, 2, 6, 3, 6, 2, 4, 6, 3, 0, 5, 5, 3, 4, 6, 6, 2, 5, 2,
        4, 0, 4, 1, 3, 1, 0, 4, 1, 1, 1, 0, 1, 0, 3, 4, 0)  # fmt: skip


def play(*columns: int, players: tuple[str, str] = (RED, YELLOW)) -> Connect4State:
    state = new_game(*players)
    for column in columns:
        assert state.turn is not None
        state = apply(state, Move(state.turn, column))
    return state


def test_pieces_drop_to_the_lowest_free_cell() -> None:
    state = play(3, 3, 4)
    assert state.rows()[-1] == ["", "", "", "R", "R", "", ""]
    assert state.rows()[-2] == ["", "", "", "Y", "", "", ""]
    assert all(cell == "" for row in state.rows()[:-2] for cell in row)
    assert len(state.rows()) == 6 and all(len(row) == 7 for row in state.rows())
    assert state.turn == YELLOW


@pytest.mark.parametrize(
    ("columns", "cells"),
    [
        ((0, 0, 1, 1, 2, 2, 3), ((0, 0), (1, 0), (2, 0), (3, 0))),  # horizontal
        ((5, 6, 5, 6, 5, 6, 5), ((5, 0), (5, 1), (5, 2), (5, 3))),  # vertical
        ((0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3), ((0, 0), (1, 1), (2, 2), (3, 3))),  # rising diagonal
        ((6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3), ((3, 3), (4, 2), (5, 1), (6, 0))),  # falling diagonal
    ],
)
def test_four_in_a_line_wins_in_every_direction(columns: tuple[int, ...], cells: tuple[tuple[int, int], ...]) -> None:
    state = play(*columns)
    assert state.winner == RED
    assert set(state.winning_cells) == set(cells)
    assert state.is_over and not state.is_draw and state.turn is None
    assert legal_moves(state) == []
    to_move, everyone = connect4_search.position(columns)
    assert connect4_search.is_win(to_move ^ everyone)  # the stones of red, who just moved
    assert not connect4_search.is_win(to_move)


def test_yellow_can_win_too() -> None:
    state = play(0, 6, 0, 5, 1, 4, 1, 3)
    assert state.winner == YELLOW


def test_full_board_without_four_is_a_draw() -> None:
    state = play(*DRAW)
    assert state.is_draw and state.is_over
    assert state.winner is None and state.turn is None
    assert all(cell for row in state.rows() for cell in row)
    with pytest.raises(IllegalMove, match="game is over"):
        apply(state, Move(RED, 0))


@pytest.mark.parametrize(
    ("state", "move", "reason"),
    [
        (play(2, 2, 2, 2, 2, 2), Move(RED, 2), "Column 3 is full."),
        (play(), Move(RED, 7), "There is no column 8; pick 1 to 7."),
        (play(), Move(RED, -1), "There is no column 0; pick 1 to 7."),
        (play(3), Move(RED, 3), "It is not your turn."),
        (play(), Move("U_OTHER", 3), "You are not playing in this game."),
        (play(0, 0, 1, 1, 2, 2, 3), Move(YELLOW, 4), "The game is over."),
    ],
)
def test_illegal_moves_say_why(state: Connect4State, move: Move, reason: str) -> None:
    with pytest.raises(IllegalMove) as refused:
        apply(state, move)
    assert refused.value.reason == reason


def test_legal_moves_skip_full_columns() -> None:
    assert legal_moves(play(2, 2, 2, 2, 2, 2)) == [0, 1, 3, 4, 5, 6]


def test_json_round_trip() -> None:
    state = play(3, 3, 4, 2)
    restored = Connect4State.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state and restored.rows() == state.rows()


@pytest.mark.parametrize(
    "moves",
    [[7], [0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 2, 2, 3, 3], [True], ["3"]],
)
def test_from_dict_rejects_moves_that_do_not_replay(moves: list[object]) -> None:
    with pytest.raises(ValueError):
        Connect4State.from_dict({"game": "connect4", "players": [RED, YELLOW], "moves": moves})


def test_bitboard_wins_agree_with_the_board() -> None:
    rng = random.Random(11)
    for _ in range(200):
        state = play()
        while not state.is_over:
            state = apply(state, Move(state.turn or "", rng.choice(legal_moves(state))))
            mine, mask = connect4_search.position(state.moves)
            assert connect4_search.is_win(mine ^ mask) == (state.winner is not None)


# --- the bot ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        (0, 0, 1, 1, 2, 2),  # red to play 3: horizontal
        (4, 0, 4, 1, 4, 2),  # red to play 4: vertical (and must not block yellow's 3)
        (0, 1, 1, 2, 2, 3, 2, 3, 3, 6),  # red to play 3: diagonal
    ],
)
def test_bot_takes_a_win_in_one(columns: tuple[int, ...]) -> None:
    state = play(*columns, players=("sloth", YELLOW))
    move = bot_move(state)
    assert move.player == "sloth"
    assert apply(state, move).winner == "sloth"


def threat_columns(state: Connect4State) -> set[int]:
    """Columns where the player who just moved would win if they could move again."""
    to_move, everyone = connect4_search.position(state.moves)
    playable = (everyone + connect4_search.BOTTOM) & connect4_search.BOARD
    cells = connect4_search.winning_cells(to_move ^ everyone, everyone) & playable
    return {column for column, mask in enumerate(connect4_search.COLUMN_MASKS) if cells & mask}


def winning_columns(state: Connect4State) -> set[int]:
    """Columns where the player to move wins at once."""
    return {c for c in legal_moves(state) if apply(state, Move(state.turn or "", c)).winner is not None}


@pytest.mark.parametrize(
    ("columns", "block"),
    [
        ((0, 6, 1, 6, 2), 3),  # bot is yellow; red threatens 0-1-2-3 along the bottom
        ((3, 0, 3, 1, 3), 3),  # bot is yellow; red threatens four up column 3
        ((6, 0, 6, 1, 5, 2), 3),  # bot is red; yellow threatens 0-1-2-3 along the bottom
        ((1, 0, 2, 3, 2, 1, 3, 2, 3, 6), 3),  # bot is red; yellow threatens (0,0)-(3,3) diagonally
    ],
)
def test_bot_blocks_a_loss_in_one(columns: tuple[int, ...], block: int) -> None:
    players = (RED, "sloth") if len(columns) % 2 else ("sloth", YELLOW)
    state = play(*columns, players=players)
    assert threat_columns(state) == {block} and not winning_columns(state)
    assert bot_move(state) == Move("sloth", block)


def random_position(rng: random.Random, plies: int) -> tuple[int, ...]:
    """Up to ``plies`` random moves, never ending the game."""
    state = play()
    for _ in range(plies):
        columns = legal_moves(state)
        rng.shuffle(columns)
        following = (apply(state, Move(state.turn or "", c)) for c in columns)
        quiet = next((s for s in following if not s.is_over), None)
        if quiet is None:
            break
        state = quiet
    return state.moves


def test_bot_answers_within_a_second_after_searching_at_least_six_plies() -> None:
    rng = random.Random(2024)
    positions = [(), (3,), (3, 3), (3, 2, 4, 4, 2)] + [random_position(rng, n) for n in range(2, 26, 2)]
    times = []
    for moves in positions:
        started = time.perf_counter()
        result = connect4_search.search(moves, depth=6, time_budget=1.0, clock=time.monotonic)
        times.append(time.perf_counter() - started)
        assert result.depth >= 6 or abs(result.score) > connect4_search.WIN - 100
        started = time.perf_counter()
        bot_move(play(*moves))
        times.append(time.perf_counter() - started)
    assert max(times) < 1.0, f"slowest bot move took {max(times):.3f} s"


def test_bot_stops_at_the_time_budget_with_a_legal_move() -> None:
    ticks = itertools.count()
    result = connect4_search.search((), depth=20, time_budget=5.0, clock=lambda: float(next(ticks)))
    assert 0 <= result.column < 7
    assert result.depth < 20


def test_bot_beats_a_random_player() -> None:
    rng = random.Random(5)
    for bot_first in (True, False):
        state = play(players=("sloth", RED) if bot_first else (RED, "sloth"))
        while not state.is_over:
            if state.turn == "sloth":
                state = apply(state, bot_move(state))
            else:
                state = apply(state, Move(RED, rng.choice(legal_moves(state))))
        assert state.winner == "sloth"


def test_bot_wins_or_blocks_in_random_positions() -> None:
    rng = random.Random(99)
    wins = blocks = 0
    for _ in range(300):
        state = play(*random_position(rng, rng.randrange(4, 30)))
        winning, threats = winning_columns(state), threat_columns(state)
        if winning:
            wins += 1
            assert bot_move(state, depth=2).column in winning
        elif len(threats) == 1:
            blocks += 1
            assert bot_move(state, depth=2).column in threats
    assert wins > 20 and blocks > 20
