"""Kinds of settings beyond str, int, float, bool and Path: `Setting("reminder", kinds.time_of_day)`.

A kind turns the variable's text into a value, or raises `Expected` saying what it must be (never
quoting the value, so a secret stays secret); Sloth reports it with every other problem at start.
A default given as text is read the same way, so `default="09:30"` is a `time` too.

    Setting("channel", kinds.channel, default="#standup")        # a ChannelRef
    Setting("reminder", kinds.time_of_day, default="09:30")       # a datetime.time
    Setting("timezone", kinds.time_zone, default="UTC")           # a tzinfo
    Setting("stale_minutes", kinds.positive("minutes"), default=5.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import time

from bot.pure.errors import Expected, WhenError
from bot.pure.text import ChannelRef, parse_channel
from bot.pure.times import parse_time_of_day, time_zone

__all__ = ["Expected", "channel", "positive", "time_of_day", "time_zone"]


def channel(raw: str) -> ChannelRef:
    """A channel by name or ID: `#standup`, `standup`, `C0123ABCD`."""
    found = parse_channel(raw.strip())
    if found is None:
        raise Expected("a channel like #standup")
    return found


def time_of_day(raw: str) -> time:
    """A time of day as members type one: `09:30`, `17:00`, `5pm`, `noon`."""
    try:
        return parse_time_of_day(raw)
    except WhenError:
        raise Expected("a time of day like 09:30 or 5pm") from None


def positive(setting_name: str) -> Callable[[str], float]:
    """A kind for positive, finite numbers (greater than zero), named for what they count."""

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise Expected(f"a positive number of {setting_name}") from None
        if not (math.isfinite(value) and value > 0):
            raise Expected(f"a positive number of {setting_name}")
        return value

    parse.__name__ = setting_name
    return parse
