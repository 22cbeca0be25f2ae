"""Where games live in the games feature's store namespace, and the two shared records beside them.

- ``game:<id>``: one record per game (see `model.Game`), written only by compare-and-set.
- ``live``: ``{game id: when it next needs the sweeper}`` for games not yet over, so the
  sweeper reads one key per tick instead of scanning the store.
- ``scores:<team>``: the workspace's leaderboard (see `scores`).

The index and the leaderboard are shared by every game, so they are changed with the store's
`update`, which retries when another writer got there first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.api import Namespaced
from handlers.games.model import Game

LIVE = "live"
KEEP_FINISHED = 7 * 86400.0
"""How long a finished game's record stays, so late clicks are told it is over."""
ATTEMPTS = 100


class GameStore:
    def __init__(self, store: Namespaced, idle_seconds: float) -> None:
        self.games = store.child("game")
        self.shared = store
        self.idle_seconds = idle_seconds

    def _ttl(self, game: Game) -> float:
        # Live records outlast the idle expiry by the same margin, so the sweeper always finds them.
        return KEEP_FINISHED if game.over else self.idle_seconds + KEEP_FINISHED

    async def load(self, game_id: str) -> tuple[Game, dict[str, Any]] | None:
        """The game and the exact record it was read from (the compare-and-set's `expected`)."""
        raw = await self.games.get(game_id)
        if not isinstance(raw, dict):
            return None
        return Game.from_dict(raw), raw

    async def create(self, game: Game) -> None:
        if not await self.games.add(game.id, game.to_dict(), self._ttl(game)):
            raise RuntimeError(f"game {game.id} already exists")

    async def replace(self, expected: dict[str, Any], new: Game) -> dict[str, Any] | None:
        """Write `new` if the record is still `expected`; the written record, or None if it moved."""
        record = new.to_dict()
        if await self.games.compare_and_set(new.id, expected, record, self._ttl(new)):
            return record
        return None

    # -- the live index ------------------------------------------------------------------------

    async def live(self) -> dict[str, float]:
        index = await self.shared.get(LIVE)
        return dict(index) if isinstance(index, dict) else {}

    async def track(self, game_id: str, due: float | None) -> None:
        """Remember when `game_id` next needs the sweeper; None forgets it (the game is over)."""

        def change(index: dict[str, Any]) -> dict[str, Any] | None:
            if due is None:
                if game_id not in index:
                    return None
                return {key: when for key, when in index.items() if key != game_id}
            if index.get(game_id) == due:
                return None
            return {**index, game_id: due}

        await self.update_shared(LIVE, change)

    # -- shared records ----------------------------------------------------------------------

    async def update_shared(
        self, key: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]
    ) -> dict[str, Any]:
        """Apply `change` to a shared record atomically; `change` returns None to leave it be."""
        written = await self.shared.update(key, lambda now: change(dict(now if isinstance(now, dict) else {})))
        return written if isinstance(written, dict) else {}

    async def get_shared(self, key: str) -> dict[str, Any]:
        value = await self.shared.get(key)
        return value if isinstance(value, dict) else {}
