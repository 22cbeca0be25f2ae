"""Slack's per-method rate-limit tiers, counted in fixed windows."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Tier of each method (api.slack.com/docs/rate-limits). Methods missing here count as Tier 3,
# the most common tier. chat.postMessage is "special" at Slack (about 1/s per channel plus a
# workspace cap); counting it as Tier 4 keeps bursts possible while still pushing back.
METHOD_TIERS: dict[str, int] = {
    "apps.connections.open": 1,
    "oauth.v2.access": 4,
    "auth.test": 4,
    "team.info": 3,
    "users.list": 2,
    "users.info": 4,
    "users.lookupByEmail": 3,
    "users.getPresence": 3,
    "users.profile.get": 4,
    "users.profile.set": 3,
    "conversations.list": 2,
    "conversations.info": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.create": 2,
    "conversations.setPurpose": 2,
    "conversations.invite": 3,
    "conversations.archive": 2,
    "conversations.join": 3,
    "chat.postMessage": 4,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.scheduleMessage": 3,
    "chat.getPermalink": 4,
    "dnd.info": 3,
    "dnd.setSnooze": 2,
    "dnd.endSnooze": 2,
    "reactions.add": 3,
    "reminders.add": 2,
    "search.messages": 2,
    "search.files": 2,
    "files.list": 3,
    "files.info": 4,
    "files.delete": 3,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
    "views.open": 4,
}


def tier_of(method: str) -> int:
    return METHOD_TIERS.get(method, 3)


@dataclass(frozen=True)
class RateLimits:
    """Allowance per tier within each window; a tier missing from per_window is unlimited."""

    window: float = 60.0
    per_window: dict[int, int] = field(default_factory=lambda: {1: 1, 2: 20, 3: 50, 4: 100})


class RateLimiter:
    """Counts calls per (method, token kind) in fixed windows that start at the first call."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def check(self, method: str, token_kind: str) -> int | None:
        """Count one call; None if allowed, else the Retry-After seconds (at least 1)."""
        allowance = self.limits.per_window.get(tier_of(method))
        if allowance is None:
            return None
        now = self.clock()
        key = (method, token_kind)
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.limits.window:
            start, count = now, 0
        if count >= allowance:
            self._windows[key] = (start, count)
            return max(1, math.ceil(start + self.limits.window - now))
        self._windows[key] = (start, count + 1)
        return None
