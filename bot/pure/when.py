"""Durations, clock times and "when" phrases as people type them: pure functions, no Slack.

`2h`, `90m`, `1h30m`, `1 hour 30 minutes`; `17:00`, `5pm`, `9:30am`, `noon`; `in 20m`,
`at 17:00`, `tomorrow 9am`, `friday 10:00`. Times of day are read in the user's own time zone
(a `tzinfo`), so "tomorrow 9am" means nine in the morning where they are, across DST changes.
Every mistake raises `WhenError` with a sentence the user can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.pure.errors import UserError
from bot.pure.text import escape, truncate

UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PART = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_NAMED_CLOCKS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
WHEN_HINT = "Say when like `in 20m`, `at 17:00`, `tomorrow 9am` or `friday 10:00`."


class WhenError(UserError):
    """A duration or time the user typed that cannot be used; the message says why."""


def _shown(text: str) -> str:
    return escape(truncate(text, 40))


def parse_duration(text: str, bare_unit: int = 60) -> int:
    """Seconds in "2h", "90m", "1h30m", "1 hour 30 minutes" or "1.5h"; a bare number is in `bare_unit` seconds."""
    raw = text.strip().lower()
    if not raw:
        raise WhenError("A duration is missing, e.g. `30m` or `2h`.")
    if raw.startswith("-"):
        raise WhenError(f"`{_shown(text)}` is negative; a duration must be in the future, e.g. `30m`.")
    if _NUMBER.fullmatch(raw):
        seconds = float(raw) * bare_unit
    else:
        compact = raw.replace(" ", "").lstrip("+")
        parts = _PART.findall(compact)
        if not parts or "".join(n + u for n, u in parts) != compact or any(u not in UNITS for _, u in parts):
            raise WhenError(f"`{_shown(text)}` is not a duration; try `45m`, `2h`, `1h30m` or `3d`.")
        seconds = sum(float(n) * UNITS[u] for n, u in parts)
    if seconds < 1:
        raise WhenError(f"`{_shown(text)}` is no time at all; give a duration longer than zero.")
    return round(seconds)


def looks_like_duration(text: str) -> bool:
    """Whether `text` was meant as a duration (so a mistake in it is an error, not more words)."""
    return bool(re.match(r"^[+-]?\d", text.strip()))


def describe_duration(seconds: int) -> str:
    """2 hours, 1 hour 30 minutes, 3 days, 45 seconds."""
    parts = []
    for name, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def parse_clock(text: str) -> time:
    """A time of day: "17:00", "5pm", "5:30 pm", "9am", "noon", "midnight"."""
    raw = text.strip().lower()
    if raw in _NAMED_CLOCKS:
        return _NAMED_CLOCKS[raw]
    match = _CLOCK.match(raw)
    if not match:
        raise WhenError(f"`{_shown(text)}` is not a time of day; try `17:00`, `5pm` or `9:30am`.")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is None and match.group(2) is None:
        raise WhenError(f"`{_shown(text)}`: in the morning or the evening? Say `{hour}am`, `{hour}pm` or `{hour}:00`.")
    if minute > 59 or (half and not 1 <= hour <= 12) or hour > 23:
        raise WhenError(f"`{_shown(text)}` is not a time of day; try `17:00`, `5pm` or `9:30am`.")
    if half:
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    return time(hour, minute)


def at_local(day: datetime, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day.date(), clock, tzinfo=zone)


def next_at(clock: time, now: float, zone: tzinfo) -> datetime:
    """The next moment (after now) at which the user's clock shows `clock`."""
    local_now = datetime.fromtimestamp(now, zone)
    candidate = at_local(local_now, clock, zone)
    if candidate.timestamp() <= now:
        candidate = at_local(local_now + timedelta(days=1), clock, zone)
    return candidate


@dataclass(frozen=True)
class Moment:
    """A point in time the user named, and how many of their words it took."""

    at: datetime
    words: int


def _clock_from(tokens: list[str]) -> tuple[time, int]:
    """A time of day at the start of tokens: "5 pm" takes two words, "17:00" one."""
    if not tokens:
        raise WhenError(f"At what time? {WHEN_HINT}")
    if len(tokens) > 1 and tokens[1].lower() in ("am", "pm", "a.m.", "p.m."):
        return parse_clock(" ".join(tokens[:2])), 2
    return parse_clock(tokens[0]), 1


def _on_day(tokens: list[str], day: datetime, zone: tzinfo, lead: int) -> Moment:
    rest = tokens[lead:]
    if rest and rest[0].lower() == "at":
        lead, rest = lead + 1, rest[1:]
    if not rest:
        raise WhenError(f"`{_shown(' '.join(tokens))}` at what time? For example `{tokens[0]} 9am`.")
    clock, used = _clock_from(rest)
    return Moment(at_local(day, clock, zone), lead + used)


def parse_moment(tokens: list[str], now: float, zone: tzinfo) -> Moment:
    """A moment at the start of tokens: `in 20m`, `at 17:00`, `17:00`, `tomorrow 9am`, `friday at 10:00`."""
    if not tokens:
        raise WhenError(f"When? {WHEN_HINT}")
    first = tokens[0].lower()
    local_now = datetime.fromtimestamp(now, zone)
    if first == "in":
        for length in range(min(4, len(tokens) - 1), 0, -1):
            phrase = " ".join(tokens[1 : 1 + length])
            if length > 1 and not _is_duration(phrase):
                continue
            seconds = parse_duration(phrase)
            return Moment(datetime.fromtimestamp(now + seconds, zone), 1 + length)
        raise WhenError(f"In how long? For example `in 20m`. {WHEN_HINT}")
    if first == "at":
        clock, used = _clock_from(tokens[1:])
        return Moment(next_at(clock, now, zone), 1 + used)
    if first in ("today", "tonight"):
        return _on_day(tokens, local_now, zone, 1)
    if first == "tomorrow":
        return _on_day(tokens, local_now + timedelta(days=1), zone, 1)
    if first in WEEKDAYS or first.rstrip("s") in WEEKDAYS:
        ahead = (WEEKDAYS.index(first.rstrip("s") if first not in WEEKDAYS else first) - local_now.weekday()) % 7
        moment = _on_day(tokens, local_now + timedelta(days=ahead), zone, 1)
        if moment.at.timestamp() <= now:
            moment = Moment(moment.at + timedelta(days=7), moment.words)
        return moment
    if _CLOCK.match(first) or first in _NAMED_CLOCKS:
        clock, used = _clock_from(tokens)
        return Moment(next_at(clock, now, zone), used)
    raise WhenError(f"I can't tell when `{_shown(' '.join(tokens[:3]))}` is. {WHEN_HINT}")


def _is_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except WhenError:
        return False
    return True


def check_ahead(at: float, now: float, most: int, what: str) -> None:
    """`at` must be in the future and at most `most` seconds ahead."""
    if at <= now:
        raise WhenError(f"That time has already passed; {what} must be in the future.")
    if at - now > most:
        raise WhenError(f"That is too far ahead: {what} can be at most {describe_duration(most)} from now.")


def zone_of(member: dict[str, Any]) -> tzinfo:
    """A member's time zone from users.info: the named zone, else their UTC offset."""
    try:
        return ZoneInfo(str(member["tz"]))
    except (KeyError, ValueError, ZoneInfoNotFoundError):
        return timezone(timedelta(seconds=int(member.get("tz_offset") or 0)))


def mrkdwn_time(at: float, zone: tzinfo) -> str:
    """A time Slack shows in each reader's own zone; the fallback is the member's local time."""
    fallback = datetime.fromtimestamp(at, zone).strftime("%a %d %b %H:%M")
    return f"<!date^{int(at)}^{{date_short_pretty}} at {{time}}|{fallback}>"
