"""Bearer tokens for features' own routes with many workspaces: one per workspace and feature.

A route declared with `http(..., bearer=...)` (training ingest) is called by programs outside
Slack (a training job), whose requests name no workspace. With one workspace the token is a
setting (SLOTH_MONITOR_TOKEN); with many, a token shared by every workspace would let one
workspace's job post into another's. So each workspace's admins issue a token of its own
(`/sloth token <feature>`), and the token names its workspace.

Only the token's SHA-256 is kept, in an index shared by every replica: `route_token:hash:<digest>`
gives the workspace and feature it was issued for, and `route_token:team:<team>:<feature>` the
digest of the workspace's current token, so issuing again replaces it and `revoke` removes it.
A token is 256 random bits, so a plain digest cannot be guessed back and needs no slow hash;
looking a digest up tells nothing about any other token.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.store import Namespaced, Store

PREFIX = "slr-"  # tells a Sloth route token apart in a job's settings (and in a leak scanner's rules)


@dataclass(frozen=True)
class Issued:
    team: str
    feature: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode(errors="surrogateescape")).hexdigest()


class RouteTokens:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.index = Namespaced(store, "route_token")
        self.clock = clock

    async def issue(self, team: str, feature: str, by: str) -> str:
        """A new token for `feature`'s routes in `team`; the workspace's previous one stops working."""
        token = PREFIX + secrets.token_urlsafe(32)
        new = digest(token)
        await self.index.set(f"hash:{new}", {"team": team, "feature": feature, "by": by, "at": self.clock()})
        old: Any = None

        def swap(current: Any) -> str:
            nonlocal old
            old = current
            return new

        await self.index.update(self._current(team, feature), swap)
        if old and old != new:
            await self.index.delete(f"hash:{old}")
        return token

    async def revoke(self, team: str, feature: str) -> bool:
        """Stop the workspace's token for `feature`; False when it had none."""
        current = await self.index.get(self._current(team, feature))
        if not current:
            return False
        await self.index.delete(f"hash:{current}")
        await self.index.delete(self._current(team, feature))
        return True

    async def revoke_all(self, team: str, features: list[str]) -> None:
        """Sloth was uninstalled from `team`: its tokens stop, and a reinstall does not bring them back."""
        for feature in features:
            await self.revoke(team, feature)

    async def find(self, token: str) -> Issued | None:
        """The workspace and feature `token` was issued for; None for a token never issued or revoked."""
        if not token.startswith(PREFIX):
            return None
        record = await self.index.get(f"hash:{digest(token)}")
        if not isinstance(record, dict):
            return None
        return Issued(team=str(record["team"]), feature=str(record["feature"]))

    @staticmethod
    def _current(team: str, feature: str) -> str:
        return f"team:{team}:{feature}"
