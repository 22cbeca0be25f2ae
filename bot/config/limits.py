"""Per-member limits on commands that make work: how many may run at once, per hour and per day.

    @router.command("plot", "Charts.", ..., limit=Limit(at_once=2, per_hour=15, per_day=60))

Slack's rate limits and Sloth's worker processes are shared by the whole workspace: without a
limit, one member asking for 150 reminders or 30 charts at once makes everyone else wait behind
them. Dispatch applies a command's limit before its handler runs (`bot.handling.dispatch.limited`); the
counts live in the store, so replicas sharing one store count each member once. A member over a
limit is told privately what the limit is and when they can try again; nothing runs.

Hours and days are rolling (the last 60 minutes, the last 24 hours). A run that ends in a user
error (a typo, a channel Sloth cannot read: nothing was made) gives its place back. A run that
never finishes (its process died) stops counting as running after `HOLD_SECONDS`.

`SLOTH_LIMITS` changes any command's limit, Sloth's own or a feature's:
`remind 5 at once, 50/hour; export 10/day; plot off`. What an entry leaves out keeps the
command's own value; `off` removes its limit.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from bot.pure.durations import describe_duration
from bot.pure.errors import UserError
from bot.store import Namespaced

HOUR, DAY = 3600, 86400
HOLD_SECONDS = 15 * 60  # the longest a run counts as running: a chart or an export takes seconds
_RULE = re.compile(r"^(\d+)\s*(?:(at once)|(?:/|per|an?)\s*(hour|h|day|d))$")


@dataclass(frozen=True)
class Limit:
    """How many runs of a command each member may have: at once, in any hour, in any day (None: no limit)."""

    at_once: int | None = None
    per_hour: int | None = None
    per_day: int | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"Limit {field.name} must be a whole number of at least 1, not {value!r}")

    @property
    def text(self) -> str:
        """"2 at once, 15 an hour, 60 a day"."""
        parts = [f"{self.at_once} at once" if self.at_once else "",
                 f"{self.per_hour} an hour" if self.per_hour else "",
                 f"{self.per_day} a day" if self.per_day else ""]
        return ", ".join(p for p in parts if p) or "no limit"

    def over(self, declared: Limit | None) -> Limit:
        """This override on top of a command's own limit: what it leaves out is kept."""
        if declared is None:
            return self
        return replace(declared, **{f.name: getattr(self, f.name) for f in fields(self)
                                    if getattr(self, f.name) is not None})


Overrides = Mapping[str, "Limit | None"]  # by command name; None removes the command's limit


def parse_limits(text: str) -> dict[str, Limit | None]:
    """`SLOTH_LIMITS`: `remind 5 at once, 50/hour; plot off` -> {command: override (None: off)}."""
    found: dict[str, Limit | None] = {}
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        name, _, rules = entry.partition(" ")
        name, rules = name.strip().lower(), rules.strip().lower()
        if not name or not rules:
            raise ValueError(f"'{entry}' should be a command and its limits, like 'remind 5 at once, 50/hour'")
        if name in found:
            raise ValueError(f"'{name}' is named twice")
        found[name] = None if rules == "off" else _limit(name, rules)
    return found


def _limit(name: str, rules: str) -> Limit:
    values: dict[str, int] = {}
    for rule in (r.strip() for r in rules.split(",")):
        match = _RULE.match(rule)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"'{rule}' (for {name}) is not a limit like '2 at once', '20/hour' or '100/day'")
        key = "at_once" if match.group(2) else ("per_hour" if match.group(3).startswith("h") else "per_day")
        if key in values:
            raise ValueError(f"{name} has two {key.replace('_', ' ')} limits")
        values[key] = int(match.group(1))
    return Limit(**values)


def limit_for(name: str, declared: Limit | None, overrides: Overrides) -> Limit | None:
    """The limit a command runs under: its own, changed by SLOTH_LIMITS."""
    if name not in overrides:
        return declared
    override = overrides[name]
    return None if override is None else override.over(declared)


def unknown_names(overrides: Overrides, known: Callable[[str], bool]) -> list[str]:
    """Problems for SLOTH_LIMITS entries that name no command (a typo would limit nothing)."""
    return [f"SLOTH_LIMITS names '{name}', which is not the name of a command of any loaded feature."
            for name in overrides if not known(name)]


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
                    f"<!date^{int(free_at)}^at {{time}}|at {_utc(free_at)}>.")
    return None


def _utc(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M UTC")
