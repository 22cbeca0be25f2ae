"""Connect four: 7 columns × 6 rows, pieces drop to the lowest free cell, four in a line wins.

Columns are numbered 0–6 in moves; reasons shown to players number them 1–7, as the board
does. Like tic-tac-toe, the state keeps the move list and derives the board from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from handlers.games.rules import connect4_search
from handlers.games.rules.base import IllegalMove, check_kind, refuse_self_play, replay, two_players

KIND = "connect4"
COLUMNS = 7
ROWS = 6
PIECES = ("R", "Y")  # red moves first
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))  # (column step, row step)


@dataclass(frozen=True)
class Move:
    player: str
    column: int


@dataclass(frozen=True)
class Connect4State:
    players: tuple[str, str]
    """(red, yellow); red moves first."""
    moves: tuple[int, ...] = ()

    @cached_property
    def grid(self) -> tuple[tuple[str, ...], ...]:
        """grid[column][row], row 0 at the bottom; each column only as tall as it is filled."""
        columns: list[list[str]] = [[] for _ in range(COLUMNS)]
        for ply, column in enumerate(self.moves):
            columns[column].append(PIECES[ply % 2])
        return tuple(tuple(column) for column in columns)

    @cached_property
    def winning_cells(self) -> tuple[tuple[int, int], ...]:
        """The (column, row) cells of the first four-in-a-line found, or () if none."""
        return _find_four(self.grid)

    @property
    def winner(self) -> str | None:
        if not self.winning_cells:
            return None
        column, row = self.winning_cells[0]
        return self.players[PIECES.index(self.grid[column][row])]

    @property
    def is_draw(self) -> bool:
        return not self.winning_cells and len(self.moves) == COLUMNS * ROWS

    @property
    def is_over(self) -> bool:
        return bool(self.winning_cells) or len(self.moves) == COLUMNS * ROWS

    @property
    def turn(self) -> str | None:
        """The player to move, or None once the game is over."""
        return None if self.is_over else self.players[len(self.moves) % 2]


    def rows(self) -> list[list[str]]:
        """The board as seen: top row first, left to right."""
        return [[column[row] if row < len(column) else "" for column in self.grid] for row in reversed(range(ROWS))]

    def to_dict(self) -> dict[str, Any]:
        return {"game": KIND, "players": list(self.players), "moves": list(self.moves)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Connect4State:
        check_kind(data, KIND)
        start = cls(two_players(data.get("players")))
        return replay(start, data.get("moves"), lambda state, player, move: apply(state, Move(player, move)))


def new_game(red: str, yellow: str) -> Connect4State:
    refuse_self_play((red, yellow))
    return Connect4State((red, yellow))


def legal_moves(state: Connect4State) -> list[int]:
    if state.is_over:
        return []
    return [column for column in range(COLUMNS) if len(state.grid[column]) < ROWS]


def apply(state: Connect4State, move: Move) -> Connect4State:
    if state.is_over:
        raise IllegalMove("The game is over.")
    if move.player not in state.players:
        raise IllegalMove("You are not playing in this game.")
    if move.player != state.turn:
        raise IllegalMove("It is not your turn.")
    if not 0 <= move.column < COLUMNS:
        raise IllegalMove(f"There is no column {move.column + 1}; pick 1 to {COLUMNS}.")
    if len(state.grid[move.column]) == ROWS:
        raise IllegalMove(f"Column {move.column + 1} is full.")
    return Connect4State(state.players, (*state.moves, move.column))


def bot_move(
    state: Connect4State,
    depth: int = 6,
    time_budget: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> Move:
    """A strong move for whoever is to move; see ``connect4_search.search`` for how."""
    if state.turn is None:
        raise IllegalMove("The game is over.")
    result = connect4_search.search(state.moves, depth=depth, time_budget=time_budget, clock=clock)
    return Move(state.turn, result.column)


def _find_four(grid: tuple[tuple[str, ...], ...]) -> tuple[tuple[int, int], ...]:
    def piece(column: int, row: int) -> str:
        if 0 <= column < COLUMNS and 0 <= row < len(grid[column]):
            return grid[column][row]
        return ""

    for column in range(COLUMNS):
        for row in range(len(grid[column])):
            for step_column, step_row in DIRECTIONS:
                line = [(column + step_column * i, row + step_row * i) for i in range(4)]
                if all(piece(c, r) == grid[column][row] for c, r in line):
                    return tuple(line)
    return ()
