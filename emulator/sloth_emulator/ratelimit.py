"""Slack's rate limits: per-method tiers in fixed windows, and chat.postMessage per channel.

Off unless the Emulator is given RateLimits; `RateLimits.realistic()` turns on Slack's published
numbers in one go. An exceeded limit answers HTTP 429 with Retry-After and
{"ok": false, "error": "ratelimited"}, as Slack's rate-limit guide shows.

`RateLimits.realistic().faster(20)` keeps Slack's numbers but runs their clock 20 times faster,
for tests that must see minutes of Slack traffic in seconds: windows, refills and Retry-After all
shrink alike (Retry-After then has a fraction, which Slack's whole seconds never have).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

# Tier of each method, from the `rate_limits` fact of Slack's method references ("t2" = Tier 2).
# Methods missing here count as Tier 3, the most common tier. Tier 5 stands for the references'
# "special" methods: chat.postMessage is limited per channel (below) and by a workspace cap.
METHOD_TIERS: dict[str, int] = {
    "apps.connections.open": 1,
    "apps.manifest.export": 3,
    "bots.info": 3,
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
    "chat.postMessage": 5,
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
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "functions.completeSuccess": 3,
    "functions.completeError": 3,
    "chat.startStream": 2,
    "chat.appendStream": 4,
    "chat.stopStream": 2,
}

# Slack's rate-limit guide: Tier 1 "1+ per minute", Tier 2 "20+", Tier 3 "50+", Tier 4 "100+".
SLACK_TIERS = {1: 1, 2: 20, 3: 50, 4: 100}
# chat.postMessage: "generally allows an app to post one message per second to a specific channel,
# with short bursts of more than 1 allowed", and "several hundred messages per minute" per
# workspace. The burst size and the workspace cap are not published: 4 and 300 are estimates.
POST_BURST = 4
POST_WORKSPACE_PER_MINUTE = 300


def tier_of(method: str) -> int:
    return METHOD_TIERS.get(method, 3)


@dataclass(frozen=True)
class RateLimits:
    """Allowance per tier within each window (a tier missing from per_window is unlimited), and
    optionally chat.postMessage's per-channel token bucket (`post_per_second` refilled, up to
    `post_burst` at once)."""

    window: float = 60.0
    per_window: dict[int, int] = field(default_factory=lambda: dict(SLACK_TIERS))
    post_per_second: float | None = None
    post_burst: int = POST_BURST
    speed: float = 1.0  # how many times faster than real time these limits' clock runs (tests)

    @classmethod
    def realistic(cls) -> RateLimits:
        """Slack's limits as published: the tiers per minute, chat.postMessage per channel and per workspace."""
        return cls(window=60.0, per_window={**SLACK_TIERS, 5: POST_WORKSPACE_PER_MINUTE}, post_per_second=1.0)

    def faster(self, speed: float) -> RateLimits:
        """The same limits on a clock `speed` times faster: a minute's window passes in 60 / speed s."""
        return replace(self, speed=speed)


class RateLimiter:
    """Counts calls per (method, token kind) in fixed windows that start at the first call, and
    chat.postMessage per channel in a token bucket. `limited` counts the 429s answered."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock if limits.speed == 1 else lambda: clock() * limits.speed
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, when counted)
        self.limited: Counter[tuple[str, str]] = Counter()  # (method, channel or "") -> 429s answered

    def check(self, method: str, token_kind: str, channel: str | None = None) -> float | None:
        """Count one call; None if allowed, else the Retry-After seconds (at least 1, in the limits' clock)."""
        retry_after = self._per_channel(channel) if method == "chat.postMessage" and channel else None
        if retry_after is None:
            retry_after = self._per_method(method, token_kind)
        if retry_after is None:
            return None
        self.limited[(method, channel or "")] += 1
        return retry_after if self.limits.speed == 1 else retry_after / self.limits.speed

    def count(self, method: str, channel: str | None = None) -> int:
        """How many calls of `method` (to `channel`, or anywhere) were answered 429."""
        return sum(n for (m, c), n in self.limited.items() if m == method and (channel is None or c == channel))

    def _per_method(self, method: str, token_kind: str) -> int | None:
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

    def _per_channel(self, channel: str) -> int | None:
        rate = self.limits.post_per_second
        if not rate:
            return None
        now = self.clock()
        burst = float(self.limits.post_burst)
        tokens, then = self._buckets.get(channel, (burst, now))
        tokens = min(burst, tokens + (now - then) * rate)
        if tokens < 1.0:
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))
        self._buckets[channel] = (tokens - 1.0, now)
        return None
