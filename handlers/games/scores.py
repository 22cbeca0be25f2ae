"""The leaderboard kept per workspace: wins, losses and draws per game, and trivia points.

Stored as one record, ``games:scores:<team>``::

    {"tallies": {"tictactoe": {"U1": {"won": 2, "lost": 1, "drawn": 0}}, ...,
                 "trivia": {"U1": {"points": 1830, "played": 2, "won": 1}}},
     "counted": ["<game id>", ...]}

`counted` remembers the latest games already tallied, so a result counted by one replica is
not counted again by another that finishes the same bookkeeping after a crash.
"""

from __future__ import annotations

from typing import Any

from handlers.games.model import DRAW, WON, Game
from handlers.games.rules import trivia

REMEMBERED = 500


def key(team: str) -> str:
    return f"scores:{team}"


def tally(scores: dict[str, Any], game: Game) -> dict[str, Any] | None:
    """`scores` with `game`'s result added, or None if it is already counted or counts nothing."""
    counted = list(scores.get("counted", []))
    if game.id in counted or game.status not in (WON, DRAW):
        return None
    tallies = {kind: {player: dict(row) for player, row in rows.items()}
               for kind, rows in scores.get("tallies", {}).items()}
    rows = tallies.setdefault(game.kind, {})
    if game.kind == trivia.KIND:
        rules = game.rules
        assert isinstance(rules, trivia.TriviaState)
        for player, points in rules.scoreboard():
            row = rows.setdefault(player, {"points": 0, "played": 0, "won": 0})
            row["points"] += points
            row["played"] += 1
            row["won"] += int(player == game.winner)
    else:
        for player in game.players:
            row = rows.setdefault(player, {"won": 0, "lost": 0, "drawn": 0})
            if game.status == DRAW:
                row["drawn"] += 1
            else:
                row["won" if player == game.winner else "lost"] += 1
    return {"tallies": tallies, "counted": [*counted, game.id][-REMEMBERED:]}


def leaderboard(scores: dict[str, Any], kind: str, limit: int) -> list[tuple[str, dict[str, int]]]:
    """Players of one game, best first: trivia by points, the others by wins then fewest losses."""
    rows = scores.get("tallies", {}).get(kind, {})
    if kind == trivia.KIND:
        order = sorted(rows.items(), key=lambda item: (-item[1]["points"], -item[1]["won"], item[0]))
    else:
        order = sorted(rows.items(), key=lambda item: (-item[1]["won"], item[1]["lost"], -item[1]["drawn"], item[0]))
    return order[:limit]


def describe(kind: str, row: dict[str, int]) -> str:
    if kind == trivia.KIND:
        return f"{row['points']} points · {row['played']} played · {row['won']} won"
    return f"{row['won']} W · {row['lost']} L · {row['drawn']} D"


def headings(kind: str) -> list[str]:
    """A leaderboard's number columns for one game."""
    return ["Points", "Played", "Won"] if kind == trivia.KIND else ["Won", "Lost", "Drawn"]


def columns(kind: str, row: dict[str, int]) -> list[str]:
    keys = ("points", "played", "won") if kind == trivia.KIND else ("won", "lost", "drawn")
    return [f"{row[key]:,}" for key in keys]
