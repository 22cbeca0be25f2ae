"""Times of day, time zones and moments as Slack shows them: one way each, for every part of Sloth.

- `parse_time_of_day`: "17:00", "09:30", "5pm", "9:30 am", "noon", "midnight" (a bare "9" is
  refused: in the morning or the evening?). A command's member and a feature's setting
  (`kinds.time_of_day`) are read alike.
- `time_zone`: "Europe/London" as a zone, or `Expected` for a name no zone has; `zone_of` is a
  member's own zone from users.info.
- `slack_date`: `<!date^…>`, which Slack shows in each reader's own time zone and words
  ("Today at 10:30"), with a fallback for clients that cannot.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.pure.dates import DATE_AND_TIME, date_fallback
from bot.pure.errors import Expected, WhenError
from bot.pure.text import shown

CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
NAMED_CLOCKS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}

UNKNOWN_TIME = "an unknown time"


def parse_time_of_day(text: str | time) -> time:
    """A time of day: "17:00", "5pm", "5:30 pm", "9am", "noon", "midnight"; WhenError otherwise."""
    if isinstance(text, time):
        return text
    raw = text.strip().lower()
    if raw in NAMED_CLOCKS:
        return NAMED_CLOCKS[raw]
    match = CLOCK.match(raw)
    if not match:
        raise WhenError(f"`{shown(text)}` is not a time of day; try `17:00`, `5pm` or `9:30am`.")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is None and match.group(2) is None:
        raise WhenError(f"`{shown(text)}`: in the morning or the evening? Say `{hour}am`, `{hour}pm` or `{hour}:00`.")
    if minute > 59 or (half and not 1 <= hour <= 12) or hour > 23:
        raise WhenError(f"`{shown(text)}` is not a time of day; try `17:00`, `5pm` or `9:30am`.")
    if half:
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    return time(hour, minute)


def time_zone(name: str | tzinfo) -> tzinfo:
    """The time zone `name` ("Europe/London", "UTC"); `Expected` (a ValueError) for any other text."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name.strip())
    except (ValueError, ZoneInfoNotFoundError):
        raise Expected("a time zone like Europe/London") from None


def zone_of(member: dict[str, Any]) -> tzinfo:
    """A member's time zone from users.info: the named zone, else their UTC offset."""
    try:
        return time_zone(str(member["tz"]))
    except (KeyError, Expected):
        return timezone(timedelta(seconds=int(member.get("tz_offset") or 0)))


def at_local(day: datetime, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day.date(), clock, tzinfo=zone)


def next_at(clock: time, now: float, zone: tzinfo) -> datetime:
    """The next moment (after now) at which a clock in `zone` shows `clock`."""
    local_now = datetime.fromtimestamp(now, zone)
    candidate = at_local(local_now, clock, zone)
    if candidate.timestamp() <= now:
        candidate = at_local(local_now + timedelta(days=1), clock, zone)
    return candidate


def slack_date(at: float, form: str = DATE_AND_TIME, zone: tzinfo | None = None,
               unknown: str = UNKNOWN_TIME) -> str:
    """`at` (a Unix time) as Slack shows it to each reader in their own time zone, in the words of
    Slack's date tokens (`form`: "{date_short_pretty} at {time}", "{time}", "{date_short_pretty}",
    …). The fallback, for clients that cannot, is the time in `zone` (a member's own), else UTC.

    Never raises: a record stored long ago may hold a time no calendar can show (then `unknown`)."""
    fallback = date_fallback(at, form, zone)
    return unknown if fallback is None else f"<!date^{int(at)}^{form}|{fallback}>"

