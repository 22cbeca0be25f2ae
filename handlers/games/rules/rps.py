"""Rock-paper-scissors: a best-of-3 or best-of-5 match; tied rounds are replayed.

Each round both players pick in private. The state holds the current round's picks, so
``to_dict()`` is for the store only; anything posted to the channel (message text, blocks,
message metadata) must come from ``public_view()``, which hides picks until both are in.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.games.rules.base import IllegalMove, check_kind, refuse_self_play, two_players

KIND = "rps"
CHOICES = ("rock", "paper", "scissors")
BEATS = {"rock": "scissors", "paper": "rock", "scissors": "paper"}
MATCH_LENGTHS = (3, 5)


@dataclass(frozen=True)
class Move:
    player: str
    choice: str


@dataclass(frozen=True)
class RpsState:
    players: tuple[str, str]
    best_of: int = 3
    rounds: tuple[tuple[str, str], ...] = ()
    """Finished rounds, picks in player order, ties included."""
    picks: tuple[str, str] = ("", "")
    """The current round's picks, "" until made. Secret: see the module docstring."""

    @property
    def wins_needed(self) -> int:
        return self.best_of // 2 + 1

    @property
    def score(self) -> tuple[int, int]:
        """Rounds won by each player, in player order."""
        outcomes = [round_winner(picks) for picks in self.rounds]
        return outcomes.count(0), outcomes.count(1)

    @property
    def winner(self) -> str | None:
        for index, wins in enumerate(self.score):
            if wins >= self.wins_needed:
                return self.players[index]
        return None

    @property
    def is_over(self) -> bool:
        return self.winner is not None

    @property
    def is_draw(self) -> bool:
        return False  # tied rounds are replayed, so a match always ends with a winner

    def rows(self) -> list[list[str]]:
        """One row per finished round: each player's pick, then the round's winner ("" on a tie)."""
        rows = []
        for picks in self.rounds:
            index = round_winner(picks)
            rows.append([*picks, "" if index is None else self.players[index]])
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "game": KIND,
            "players": list(self.players),
            "best_of": self.best_of,
            "rounds": [list(picks) for picks in self.rounds],
            "picks": list(self.picks),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RpsState:
        check_kind(data, KIND)
        try:
            state = new_match(*two_players(data.get("players")), best_of=data.get("best_of", 0))
            rounds, picks = data.get("rounds"), data.get("picks")
            if not isinstance(rounds, list) or not isinstance(picks, list) or len(picks) != 2:
                raise ValueError(f"bad rounds or picks: {rounds!r}, {picks!r}")
            for round_picks in rounds:
                if not isinstance(round_picks, list) or len(round_picks) != 2 or "" in round_picks:
                    raise ValueError(f"bad round: {round_picks!r}")
                state = _replay(state, round_picks)
            if "" not in picks:
                raise ValueError(f"a round with both picks in should have resolved: {picks!r}")
            return _replay(state, picks)
        except IllegalMove as refused:
            raise ValueError(f"rounds do not replay: {refused.reason}") from None


def new_match(first: str, second: str, best_of: int = 3) -> RpsState:
    refuse_self_play((first, second))
    if best_of not in MATCH_LENGTHS:
        raise IllegalMove("A match is best of 3 or best of 5.")
    return RpsState((first, second), best_of)


def round_winner(picks: tuple[str, str] | list[str]) -> int | None:
    """Index of the player who won a round, or None on a tie."""
    first, second = picks
    if first == second:
        return None
    return 0 if BEATS[first] == second else 1


def pick(state: RpsState, player: str, choice: str) -> RpsState:
    """Record a secret pick; once both are in, the round resolves and the next one opens."""
    if state.is_over:
        raise IllegalMove("The match is over.")
    if player not in state.players:
        raise IllegalMove("You are not playing in this match.")
    choice = choice.strip().lower()
    if choice not in CHOICES:
        raise IllegalMove("Choose rock, paper or scissors.")
    index = state.players.index(player)
    if state.picks[index]:
        raise IllegalMove("You already picked this round.")
    picks = (choice, state.picks[1]) if index == 0 else (state.picks[0], choice)
    if "" in picks:
        return RpsState(state.players, state.best_of, state.rounds, picks)
    return RpsState(state.players, state.best_of, (*state.rounds, picks))


def apply(state: RpsState, move: Move) -> RpsState:
    return pick(state, move.player, move.choice)


def legal_moves(state: RpsState, player: str) -> list[str]:
    if state.is_over or player not in state.players or state.picks[state.players.index(player)]:
        return []
    return list(CHOICES)


def bot_move(state: RpsState, player: str, rng: random.Random) -> Move:
    """A uniformly random pick: the only strategy an opponent cannot exploit."""
    return Move(player, rng.choice(CHOICES))


def public_view(state: RpsState) -> dict[str, Any]:
    """What everyone may see: who has picked this round, never what, plus finished rounds."""
    return {
        "game": KIND,
        "players": list(state.players),
        "best_of": state.best_of,
        "round": len(state.rounds) + 1,
        "score": list(state.score),
        "picked": [bool(choice) for choice in state.picks],
        "rounds": state.rows(),
        "winner": state.winner,
        "over": state.is_over,
    }


def _replay(state: RpsState, picks: list[Any]) -> RpsState:
    for player, choice in zip(state.players, picks, strict=True):
        if not isinstance(choice, str):
            raise ValueError(f"bad pick: {choice!r}")
        if choice:
            state = pick(state, player, choice)
    return state
