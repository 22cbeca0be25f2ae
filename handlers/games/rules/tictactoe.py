"""Tic-tac-toe: a 3×3 board, X moves first, three in a line wins.

Cells are numbered 0–8 row by row; reasons shown to players number them 1–9.
The state keeps the list of moves rather than the board: the board, whose turn it is and
the result all follow from it, and replaying it in ``from_dict`` validates stored data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from handlers.games.rules.base import IllegalMove, check_kind, refuse_self_play, replay, two_players

KIND = "tictactoe"
MARKS = ("X", "O")
LINES = (
    (0, 1, 2), (3, 4, 5), (6, 7, 8),
    (0, 3, 6), (1, 4, 7), (2, 5, 8),
    (0, 4, 8), (2, 4, 6),
)  # fmt: skip
# Centre, corners, edges: the order a person would try, and the bot's tie-break.
PREFERENCE = (4, 0, 2, 6, 8, 1, 3, 5, 7)


@dataclass(frozen=True)
class Move:
    player: str
    cell: int


@dataclass(frozen=True)
class TicTacToeState:
    players: tuple[str, str]
    """(X, O); X moves first."""
    moves: tuple[int, ...] = ()

    @cached_property
    def cells(self) -> tuple[str, ...]:
        board = [""] * 9
        for ply, cell in enumerate(self.moves):
            board[cell] = MARKS[ply % 2]
        return tuple(board)

    @cached_property
    def winning_line(self) -> tuple[int, int, int] | None:
        return _winning_line(self.cells)

    @property
    def winner(self) -> str | None:
        if self.winning_line is None:
            return None
        return self.players[MARKS.index(self.cells[self.winning_line[0]])]

    @property
    def is_draw(self) -> bool:
        return self.winning_line is None and len(self.moves) == 9

    @property
    def is_over(self) -> bool:
        return self.winning_line is not None or len(self.moves) == 9

    @property
    def turn(self) -> str | None:
        """The player to move, or None once the game is over."""
        return None if self.is_over else self.players[len(self.moves) % 2]


    def rows(self) -> list[list[str]]:
        return [list(self.cells[row * 3 : row * 3 + 3]) for row in range(3)]

    def to_dict(self) -> dict[str, Any]:
        return {"game": KIND, "players": list(self.players), "moves": list(self.moves)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TicTacToeState:
        check_kind(data, KIND)
        start = cls(two_players(data.get("players")))
        return replay(start, data.get("moves"), lambda state, player, move: apply(state, Move(player, move)))


def new_game(x: str, o: str) -> TicTacToeState:
    refuse_self_play((x, o))
    return TicTacToeState((x, o))


def legal_moves(state: TicTacToeState) -> list[int]:
    if state.is_over:
        return []
    return [cell for cell in range(9) if not state.cells[cell]]


def apply(state: TicTacToeState, move: Move) -> TicTacToeState:
    if state.is_over:
        raise IllegalMove("The game is over.")
    if move.player not in state.players:
        raise IllegalMove("You are not playing in this game.")
    if move.player != state.turn:
        raise IllegalMove("It is not your turn.")
    if not 0 <= move.cell < 9:
        raise IllegalMove(f"There is no cell {move.cell + 1}; pick 1 to 9.")
    if state.cells[move.cell]:
        raise IllegalMove("That cell is taken.")
    return TicTacToeState(state.players, (*state.moves, move.cell))


def bot_move(state: TicTacToeState) -> Move:
    """The perfect move for whoever is to move: win if possible, else never lose."""
    if state.turn is None:
        raise IllegalMove("The game is over.")
    _, cell = _solve(state.cells)
    return Move(state.turn, cell)


def _winning_line(cells: tuple[str, ...]) -> tuple[int, int, int] | None:
    for line in LINES:
        a, b, c = line
        if cells[a] and cells[a] == cells[b] == cells[c]:
            return line
    return None


@cache
def _solve(cells: tuple[str, ...]) -> tuple[int, int]:
    """Negamax over the whole tree (≤ 5,478 positions, so memoised it is instant).

    Returns (score, cell) for the side to move. A win scores 1 + the empty cells left after
    it, so sooner wins score higher and a win on the spot beats any later one; a loss is
    the negation, so the bot also delays a loss it cannot avoid.
    """
    empty = [cell for cell in PREFERENCE if not cells[cell]]
    mark = MARKS[(9 - len(empty)) % 2]
    best_score, best_cell = -100, -1
    for cell in empty:
        child = (*cells[:cell], mark, *cells[cell + 1 :])
        if _winning_line(child) is not None:
            score = len(empty)  # 1 + (len(empty) - 1) cells left after this move
        elif len(empty) == 1:
            score = 0
        else:
            score = -_solve(child)[0]
        if score > best_score:
            best_score, best_cell = score, cell
    return best_score, best_cell
