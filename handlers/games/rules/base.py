"""What every game's rules share: the error for a refused move and small JSON helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

BOT = "sloth"
"""The player id the bot plays under."""


class IllegalMove(Exception):
    """A move the rules refuse; ``reason`` is a sentence fit to show the player as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_kind(data: Mapping[str, Any], kind: str) -> None:
    """Refuse a stored state that belongs to another game, so a mixed-up key fails loudly."""
    if data.get("game") != kind:
        raise ValueError(f"not a {kind} state: game={data.get('game')!r}")


def two_players(value: Any) -> tuple[str, str]:
    """Read a JSON pair of distinct player ids."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"expected two players, got {value!r}")
    first, second = value
    if not isinstance(first, str) or not isinstance(second, str):
        raise ValueError(f"player ids must be strings, got {value!r}")
    return first, second


def refuse_self_play(players: tuple[str, str]) -> None:
    if players[0] == players[1]:
        raise IllegalMove("You cannot play against yourself.")


class Replayable(Protocol):
    @property
    def turn(self) -> str | None: ...


S = TypeVar("S", bound=Replayable)


def replay(start: S, moves: Any, play: Callable[[S, str, int], S]) -> S:
    """Rebuild a turn-based game from its stored list of moves; ValueError if they do not replay.

    `play(state, player, move)` applies one move for the player whose turn it is.
    """
    if not isinstance(moves, list):
        raise ValueError(f"moves must be a list, got {moves!r}")
    state = start
    for move in moves:
        if state.turn is None or not isinstance(move, int) or isinstance(move, bool):
            raise ValueError(f"moves do not replay: {moves!r}")
        try:
            state = play(state, state.turn, move)
        except IllegalMove as refused:
            raise ValueError(f"moves do not replay: {refused.reason}") from None
    return state
