"""A game as Sloth stores it: the rules' state plus who, where, status and version.

The record is plain JSON (`to_dict` / `from_dict`) kept under one store key per game; every
accepted change is written with compare-and-set against the record it was computed from,
so two clicks (or two replicas) can never both apply to the same version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from handlers.games.rules import BOT, connect4, rps, tictactoe, trivia

WAITING, PLAYING, WON, DRAW, EXPIRED, DECLINED = "waiting", "playing", "won", "draw", "expired", "declined"
STATUSES = (WAITING, PLAYING, WON, DRAW, EXPIRED, DECLINED)
OVER = frozenset({WON, DRAW, EXPIRED, DECLINED})

KINDS = (tictactoe.KIND, connect4.KIND, rps.KIND, trivia.KIND)
TURN_BASED = frozenset({tictactoe.KIND, connect4.KIND})
TITLES = {
    tictactoe.KIND: "Tic-tac-toe",
    connect4.KIND: "Connect four",
    rps.KIND: "Rock-paper-scissors",
    trivia.KIND: "Trivia",
}

RulesState = tictactoe.TicTacToeState | connect4.Connect4State | rps.RpsState | trivia.TriviaState


@dataclass(frozen=True)
class Game:
    id: str
    kind: str
    team: str
    channel: str
    challenger: str
    opponent: str | None
    """A member's id, BOT when Sloth plays, None for trivia (anyone may join)."""
    state: dict[str, Any]
    """The rules' ``to_dict()``. Holds secrets for rps and trivia: never put it in a message."""
    status: str = WAITING
    version: int = 0
    """Goes up by one with every accepted change, so a drawn board knows how old it is."""
    ts: str | None = None
    created: float = 0.0
    updated: float = 0.0
    """When the last change was accepted (the runtime's clock); idle expiry counts from it."""
    deadline: float | None = None
    """Trivia only: when the lobby or the open question closes."""
    winner: str | None = None
    ending: str = ""
    """How a game that did not end on the board ended: resigned, expired, unanswered, declined, withdrawn."""
    resigned: str | None = None
    last: list[str] = field(default_factory=list)
    """[user, action, stage] of the last accepted click, to recognise a double click."""

    @property
    def over(self) -> bool:
        return self.status in OVER

    @property
    def has_board(self) -> bool:
        """False for a challenge that never became a game (waiting, declined, unanswered)."""
        return self.status not in (WAITING, DECLINED) and self.ending != "unanswered"

    @cached_property
    def rules(self) -> RulesState:
        return load_rules(self.kind, self.state)

    @property
    def players(self) -> list[str]:
        if self.kind == trivia.KIND:
            return list(self.state.get("players", []))
        return [self.challenger, self.opponent or BOT]

    @property
    def turn(self) -> str | None:
        if self.status != PLAYING or self.kind not in TURN_BASED:
            return None
        rules = self.rules
        assert isinstance(rules, tictactoe.TicTacToeState | connect4.Connect4State)
        return rules.turn

    @property
    def stage(self) -> str:
        """What a board button was drawn for; a click made on another stage is out of date.

        Turn-based boards go stale with every change. Rock-paper-scissors and trivia let
        several people act on the same round at once, so there the round is the stage.
        """
        rules = self.rules
        if self.status == PLAYING and isinstance(rules, rps.RpsState):
            return f"r{len(rules.rounds) + 1}"
        if self.status == PLAYING and isinstance(rules, trivia.TriviaState):
            return f"q{rules.round_number}"
        return str(self.version)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Game:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        game = cls(**known)
        if game.kind not in KINDS or game.status not in STATUSES:
            raise ValueError(f"not a game record: kind={game.kind!r} status={game.status!r}")
        return game


def load_rules(kind: str, state: Mapping[str, Any]) -> RulesState:
    if kind == tictactoe.KIND:
        return tictactoe.TicTacToeState.from_dict(state)
    if kind == connect4.KIND:
        return connect4.Connect4State.from_dict(state)
    if kind == rps.KIND:
        return rps.RpsState.from_dict(state)
    return trivia.TriviaState.from_dict(state)
