"""The stand-up feature: `standup <what you did…>`, Done / Blocked / I can help, a daily reminder.

A feature of its own distribution, written against `bot.api` only. Sloth finds it through the
entry point `standup = "sloth_standup:router"` in the group `sloth.features` (see
pyproject.toml), or through `SLOTH_FEATURES=sloth_standup` from a folder that holds it.

Settings (checked when Sloth starts; a bad value stops it with exit code 2):

- `STANDUP_CHANNEL` (default `#standup`): where stand-ups and the reminder are posted;
- `STANDUP_REMINDER` (default `09:30`): when the reminder is posted each day;
- `STANDUP_TIMEZONE` (default `UTC`): the team's time zone, for the reminder and for what
  "today" means.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.api import Router, Setting, parse_channel
from sloth_standup import commands


def channel(raw: str) -> str:
    """A channel by name or ID: `#standup`, `standup`, `C0123ABCD`."""
    if parse_channel(raw) is None:
        raise ValueError("a channel like #standup")
    return raw


def time_of_day(raw: str) -> str:
    """`9:30` or `09:30` as `09:30`; the 24-hour clock."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if match is None:
        raise ValueError("a time of day from 00:00 to 23:59, like 09:30")
    return f"{int(match[1]):02d}:{match[2]}"


def time_zone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError("a time zone like Europe/London") from None
    return raw


router = Router("standup", settings=[
    Setting("channel", channel, default="#standup", help="where stand-ups and the daily reminder are posted"),
    Setting("reminder", time_of_day, default="09:30", help="when the daily reminder is posted"),
    Setting("timezone", time_zone, default="UTC", help="the team's time zone: for the reminder and for 'today'"),
])
router.include(commands.router)

__all__ = ["router"]
