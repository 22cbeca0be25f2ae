"""The rules of Sloth's in-message games, as pure functions of frozen state.

Nothing here knows about Slack, HTTP or storage (a unit test checks the imports), so each
game can be played, stored and replayed from plain JSON in tests.
"""

from __future__ import annotations

from handlers.games.rules import connect4, rps, tictactoe, trivia
from handlers.games.rules.base import BOT, IllegalMove

__all__ = ["BOT", "IllegalMove", "connect4", "rps", "tictactoe", "trivia"]
