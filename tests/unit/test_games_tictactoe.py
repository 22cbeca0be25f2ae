from __future__ import annotations

import json
from functools import cache

import pytest

from handlers.games.rules import IllegalMove, tictactoe
from handlers.games.rules.tictactoe import LINES, Move, TicTacToeState, apply, bot_move, legal_moves, new_game

CROSS, NOUGHT = "U_X", "U_O"


def play(*cells: int, players: tuple[str, str] = (CROSS, NOUGHT)) -> TicTacToeState:
    state = new_game(*players)
    for cell in cells:
        assert state.turn is not None
        state = apply(state, Move(state.turn, cell))
    return state


def test_x_moves_first_and_turns_alternate() -> None:
    state = new_game(CROSS, NOUGHT)
    assert state.turn == CROSS
    state = apply(state, Move(CROSS, 4))
    assert state.turn == NOUGHT
    assert state.rows() == [["", "", ""], ["", "X", ""], ["", "", ""]]
    assert legal_moves(state) == [0, 1, 2, 3, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("state", "move", "reason"),
    [
        (play(4), Move(NOUGHT, 4), "That cell is taken."),
        (play(4), Move(CROSS, 0), "It is not your turn."),
        (play(), Move(CROSS, 9), "There is no cell 10; pick 1 to 9."),
        (play(), Move(CROSS, -1), "There is no cell 0; pick 1 to 9."),
        (play(), Move("U_OTHER", 0), "You are not playing in this game."),
        (play(0, 3, 1, 4, 2), Move(NOUGHT, 8), "The game is over."),
    ],
)
def test_illegal_moves_say_why(state: TicTacToeState, move: Move, reason: str) -> None:
    with pytest.raises(IllegalMove) as refused:
        apply(state, move)
    assert refused.value.reason == reason


def test_cannot_play_against_yourself() -> None:
    with pytest.raises(IllegalMove, match="against yourself"):
        new_game(CROSS, CROSS)


@pytest.mark.parametrize("line", LINES)
def test_every_line_wins(line: tuple[int, int, int]) -> None:
    others = [cell for cell in range(9) if cell not in line]
    a, b, c = line
    state = play(a, others[0], b, others[1], c)
    assert state.winner == CROSS
    assert state.winning_line == line
    assert state.is_over and not state.is_draw and state.turn is None
    assert legal_moves(state) == []


def test_full_board_without_a_line_is_a_draw() -> None:
    state = play(0, 1, 2, 4, 3, 5, 7, 6, 8)
    assert state.is_draw and state.is_over
    assert state.winner is None
    assert state.rows() == [["X", "O", "X"], ["X", "O", "O"], ["O", "X", "X"]]


def test_json_round_trip() -> None:
    state = play(4, 0, 8)
    data = json.loads(json.dumps(state.to_dict()))
    assert TicTacToeState.from_dict(data) == state
    assert TicTacToeState.from_dict(data).rows() == state.rows()


@pytest.mark.parametrize(
    "data",
    [
        {"game": "connect4", "players": [CROSS, NOUGHT], "moves": []},
        {"game": "tictactoe", "players": [CROSS], "moves": []},
        {"game": "tictactoe", "players": [CROSS, NOUGHT], "moves": [4, 4]},
        {"game": "tictactoe", "players": [CROSS, NOUGHT], "moves": [0, 3, 1, 4, 2, 5]},
        {"game": "tictactoe", "players": [CROSS, NOUGHT], "moves": ["4"]},
    ],
)
def test_from_dict_rejects_states_that_do_not_replay(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        TicTacToeState.from_dict(data)


def test_bot_move_on_a_finished_game_is_refused() -> None:
    with pytest.raises(IllegalMove):
        bot_move(play(0, 3, 1, 4, 2))


# --- the bot against every line of play -------------------------------------------------


def reachable_positions() -> dict[tuple[str, ...], TicTacToeState]:
    """One state per distinct board reachable by legal play, finished or not."""
    seen: dict[tuple[str, ...], TicTacToeState] = {}
    stack = [new_game(CROSS, NOUGHT)]
    while stack:
        state = stack.pop()
        if state.cells in seen:
            continue
        seen[state.cells] = state
        if state.turn is not None:
            stack.extend(apply(state, Move(state.turn, cell)) for cell in legal_moves(state))
    return seen


POSITIONS = reachable_positions()


@cache
def value(cells: tuple[str, ...]) -> int:
    """Game value for the side to move with perfect play: 1 win, 0 draw, -1 loss (plain minimax)."""
    state = POSITIONS[cells]
    if state.is_over:
        return 0 if state.winner is None else -1  # the last mover made the line
    return max(-value(apply(state, Move(state.turn or "", cell)).cells) for cell in legal_moves(state))


def test_positions_enumerated() -> None:
    assert len(POSITIONS) == 5478  # the well-known count of legal tic-tac-toe boards


@pytest.mark.parametrize("bot", [CROSS, NOUGHT])
def test_bot_never_loses_against_any_replies_from_any_reachable_position(bot: str) -> None:
    @cache
    def worst_for_bot(cells: tuple[str, ...]) -> int:
        """Result for the bot when it follows bot_move and the opponent tries everything."""
        state = POSITIONS[cells]
        if state.is_over:
            return 0 if state.winner is None else (1 if state.winner == bot else -1)
        if state.turn == bot:
            return worst_for_bot(apply(state, bot_move(state)).cells)
        return min(worst_for_bot(apply(state, Move(state.turn or "", c)).cells) for c in legal_moves(state))

    bot_turns = [s for s in POSITIONS.values() if s.turn == bot]
    assert len(bot_turns) > 2000
    for state in bot_turns:
        # never worse than perfect play allows, so never a loss unless the position was already lost
        assert worst_for_bot(state.cells) == value(state.cells), state.rows()
    assert worst_for_bot(new_game(CROSS, NOUGHT).cells) == 0  # from the start: at worst a draw


def test_bot_takes_an_immediate_win_whenever_there_is_one() -> None:
    checked = 0
    for state in POSITIONS.values():
        if state.turn is None:
            continue
        mover = state.turn
        winning = [c for c in legal_moves(state) if apply(state, Move(mover, c)).winner == mover]
        if winning:
            checked += 1
            assert bot_move(state).cell in winning, state.rows()
    assert checked > 1000


def test_bot_move_is_for_the_player_to_move() -> None:
    state = play(players=(CROSS, "sloth"))
    assert bot_move(apply(state, Move(CROSS, 0))).player == "sloth"
    assert tictactoe.bot_move(state) == Move(CROSS, 4)
