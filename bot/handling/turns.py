"""A member's turn under a command's per-member limit (`bot.config.limits`), counted in the store.

Dispatch runs a limited command's handler inside `member_turn`; the counts live in the store, so
replicas sharing one store count each member once. A member over a limit is told privately what
the limit is and when they can try again; nothing runs.

Hours and days are rolling (the last 60 minutes, the last 24 hours). A run that ends in a user
error (a typo, a channel Sloth cannot read: nothing was made) gives its place back. A run that
never finishes (its process died) stops counting as running after `HOLD_SECONDS`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from bot.config.limits import Limit
from bot.pure.durations import describe_duration
from bot.pure.errors import UserError
from bot.pure.times import slack_date
from bot.store import Namespaced

HOUR, DAY = 3600, 86400
HOLD_SECONDS = 15 * 60  # the longest a run counts as running: a chart or an export takes seconds


class LimitReached(UserError):
    """A member asked for more than a command's limit allows; the message says what and until when."""


@asynccontextmanager
async def member_turn(store: Namespaced, command: str, user: str, limit: Limit,
                      clock: Callable[[], float]) -> AsyncIterator[None]:
    """Run the body as one of `user`'s runs of `command`, or raise LimitReached without running it."""
    key = f"{command}:{user}"
    token = secrets.token_hex(6)
    now = clock()
    refusal: list[str] = []

    def admit(record: dict[str, Any] | None) -> dict[str, Any] | None:
        refusal.clear()
        running, started = _current(record, now)
        reason = _refusal(command, limit, running, started, now)
        if reason:
            refusal.append(reason)
            return None
        return {"running": {**running, token: now + HOLD_SECONDS}, "started": [*started, [now, token]]}

    await store.update(key, admit, ttl=DAY + HOLD_SECONDS)
    if refusal:
        raise LimitReached(refusal[0])
    gave_back = False
    try:
        yield
    except UserError:
        gave_back = True  # nothing was made: it does not count
        raise
    finally:
        await store.update(key, lambda record: _release(record, token, gave_back), ttl=DAY + HOLD_SECONDS)


def _current(record: dict[str, Any] | None, now: float) -> tuple[dict[str, float], list[list[Any]]]:
    """Runs still running and run starts within the last day."""
    record = record or {}
    running = {t: until for t, until in (record.get("running") or {}).items() if until > now}
    started = [entry for entry in record.get("started") or [] if entry[0] > now - DAY]
    return running, started


def _release(record: dict[str, Any] | None, token: str, gave_back: bool) -> dict[str, Any] | None:
    if record is None:
        return None
    running = {t: until for t, until in (record.get("running") or {}).items() if t != token}
    started = [e for e in record.get("started") or [] if not (gave_back and e[1] == token)]
    return {"running": running, "started": started}


def _refusal(command: str, limit: Limit, running: dict[str, float], started: list[list[Any]],
             now: float) -> str | None:
    if limit.at_once and len(running) >= limit.at_once:
        them = "it is" if len(running) == 1 else "they are"
        return (f"Your earlier `{command}` is still being made: each member can run {limit.at_once} at a time "
                f"(limits: {limit.text}). Try again when {them} done.")
    for most, span, name in ((limit.per_hour, HOUR, "hour"), (limit.per_day, DAY, "day")):
        recent = sorted(entry[0] for entry in started if entry[0] > now - span)
        if most and len(recent) >= most:
            free_at = recent[len(recent) - most] + span  # when enough of them are more than a span old
            wait = describe_duration(max(1, math.ceil((free_at - now) / 60)) * 60)
            return (f"You have run `{command}` {len(recent)} times in the last {name}, the most each member can "
                    f"(limits: {limit.text}). You can run it again in {wait}, "
                    f"at {slack_date(free_at, '{time}')}.")
    return None
