"""The connect-four bot: negamax with alpha-beta over bitboards, deepened until a time budget.

Boards are ints with one bit per cell, column-major, 7 bits per column (6 cells plus an
always-empty guard bit, so shifts never wrap a line from one column into the next). A
position is ``(mine, mask)``: the stones of the side to move and all stones. Playing
turns the opponent's stones into ``mine`` with ``mine ^ mask``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 7
HEIGHT = 6
STRIDE = HEIGHT + 1
CELLS = WIDTH * HEIGHT
BOTTOM = sum(1 << (column * STRIDE) for column in range(WIDTH))
BOARD = BOTTOM * ((1 << HEIGHT) - 1)
COLUMN_MASKS = tuple(((1 << HEIGHT) - 1) << (column * STRIDE) for column in range(WIDTH))
# Centre columns take part in the most lines, so trying them first prunes the most.
ORDER = (3, 2, 4, 1, 5, 0, 6)
# vertical, horizontal, and the two diagonals (down-right, up-right)
SHIFTS = (1, STRIDE, STRIDE - 1, STRIDE + 1)
WIN = 1_000_000
"""A win scores WIN minus the stones on the board when it lands: sooner is better."""
THREAT_WEIGHT = 24


def _cell_weights() -> dict[int, int]:
    """Group cells by how many possible fours pass through them (3 at a corner, 13 mid-centre)."""
    groups: dict[int, int] = {}
    for column in range(WIDTH):
        for row in range(HEIGHT):
            lines = 0
            for dc, dr in ((1, 0), (0, 1), (1, 1), (1, -1)):
                for start in range(-3, 1):
                    ends = [(column + dc * i, row + dr * i) for i in (start, start + 3)]
                    if all(0 <= c < WIDTH and 0 <= r < HEIGHT for c, r in ends):
                        lines += 1
            groups[lines] = groups.get(lines, 0) | 1 << (column * STRIDE + row)
    return groups


WEIGHT_MASKS = tuple(_cell_weights().items())


@dataclass(frozen=True)
class SearchResult:
    column: int
    score: int
    """From the mover's side: above WIN - 100 is a forced win, below -(WIN - 100) a forced loss."""
    depth: int
    """Plies of the deepest search that finished inside the budget."""
    nodes: int


class _OutOfTime(Exception):
    pass


def position(moves: Sequence[int]) -> tuple[int, int]:
    """Replay columns into ``(mine, mask)`` for the side to move next."""
    mine = mask = 0
    for column in moves:
        mine ^= mask  # the mover's stones become the opponent's, who moves next
        mask |= mask + (1 << (column * STRIDE))
    return mine, mask


def is_win(stones: int) -> bool:
    for shift in SHIFTS:
        pairs = stones & (stones >> shift)
        if pairs & (pairs >> (2 * shift)):
            return True
    return False


def winning_cells(stones: int, mask: int) -> int:
    """Empty cells (reachable now or later) where one more stone would make four."""
    cells = (stones << 1) & (stones << 2) & (stones << 3)
    for shift in SHIFTS[1:]:
        pair = (stones << shift) & (stones << (2 * shift))
        cells |= pair & (stones << (3 * shift))
        cells |= pair & (stones >> shift)
        pair = (stones >> shift) & (stones >> (2 * shift))
        cells |= pair & (stones << shift)
        cells |= pair & (stones >> (3 * shift))
    return cells & (BOARD ^ mask)


def evaluate(mine: int, mask: int) -> int:
    """A guess for a quiet position, from the mover's side: open threats, then central stones."""
    theirs = mine ^ mask
    score = THREAT_WEIGHT * (winning_cells(mine, mask).bit_count() - winning_cells(theirs, mask).bit_count())
    for weight, cells in WEIGHT_MASKS:
        score += weight * ((mine & cells).bit_count() - (theirs & cells).bit_count())
    return score


def search(
    moves: Sequence[int],
    depth: int,
    time_budget: float,
    clock: Callable[[], float],
) -> SearchResult:
    """Iterative deepening to ``depth`` plies; stops early at a proven result or the budget.

    If the budget runs out mid-iteration, the best move of the last finished one is kept.
    """
    searcher = _Searcher(clock() + time_budget, clock)
    mine, mask = position(moves)
    playable = (mask + BOTTOM) & BOARD
    if not playable:
        raise ValueError("the board is full")
    first = next(column for column in ORDER if playable & COLUMN_MASKS[column])
    best = SearchResult(first, 0, 0, 0)
    for plies in range(1, max(depth, 1) + 1):
        try:
            score, column = searcher.root(mine, mask, len(moves), plies, best.column)
        except _OutOfTime:
            break
        best = SearchResult(column, score, plies, searcher.nodes)
        if abs(score) > WIN - 100:
            break
    return SearchResult(best.column, best.score, best.depth, searcher.nodes)


class _Searcher:
    def __init__(self, deadline: float, clock: Callable[[], float]) -> None:
        self.deadline = deadline
        self.clock = clock
        self.nodes = 0

    def root(self, mine: int, mask: int, count: int, depth: int, first: int) -> tuple[int, int]:
        playable = (mask + BOTTOM) & BOARD
        for column in ORDER:
            if playable & COLUMN_MASKS[column] and is_win(mine | (playable & COLUMN_MASKS[column])):
                return WIN - count - 1, column
        # Facing a threat, block it even when the search sees the game lost anyway: a person
        # may still miss the follow-up, and not blocking looks like a blunder.
        candidates = (playable & winning_cells(mine ^ mask, mask)) or playable
        alpha, best_column = -WIN - 1, first
        for column in (first, *(c for c in ORDER if c != first)):
            move = candidates & COLUMN_MASKS[column]
            if not move:
                continue
            score = -self.negamax(mine ^ mask, mask | move, count + 1, depth - 1, -WIN - 1, -alpha)
            if score > alpha:
                alpha, best_column = score, column
        return alpha, best_column

    def negamax(self, mine: int, mask: int, count: int, depth: int, alpha: int, beta: int) -> int:
        self.nodes += 1
        if not self.nodes & 1023 and self.clock() > self.deadline:
            raise _OutOfTime
        if count == CELLS:
            return 0
        playable = (mask + BOTTOM) & BOARD
        if winning_cells(mine, mask) & playable:
            return WIN - count - 1
        threats = winning_cells(mine ^ mask, mask)
        forced = playable & threats
        if forced & (forced - 1):
            return -(WIN - count - 2)  # two threats to block at once: lost
        # never play just below an opponent's threat: it would hand them the cell
        candidates = (forced or playable) & ~(threats >> 1)
        if not candidates:
            return -(WIN - count - 2)
        if depth <= 0:
            return evaluate(mine, mask)
        for column in ORDER:
            move = candidates & COLUMN_MASKS[column]
            if not move:
                continue
            score = -self.negamax(mine ^ mask, mask | move, count + 1, depth - 1, -beta, -alpha)
            if score >= beta:
                return score
            alpha = max(alpha, score)
        return alpha
