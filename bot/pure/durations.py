"""Durations as people type them and as Sloth says them: `2h`, `90m`, `1h30m`, `1 hour 30 minutes`.

Every mistake raises `WhenError` with a sentence the member can act on.
"""

from __future__ import annotations

import re

from bot.pure.errors import WhenError
from bot.pure.text import shown

UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_duration(text: str, bare_unit: int = 60) -> int:
    """Seconds in "2h", "90m", "1h30m", "1 hour 30 minutes" or "1.5h"; a bare number is in `bare_unit` seconds."""
    raw = text.strip().lower()
    if not raw:
        raise WhenError("A duration is missing, e.g. `30m` or `2h`.")
    if raw.startswith("-"):
        raise WhenError(f"`{shown(text)}` is negative; a duration must be in the future, e.g. `30m`.")
    if _NUMBER.fullmatch(raw):
        seconds = float(raw) * bare_unit
    else:
        compact = raw.replace(" ", "").lstrip("+")
        parts = _PART.findall(compact)
        if not parts or "".join(n + u for n, u in parts) != compact or any(u not in UNITS for _, u in parts):
            raise WhenError(f"`{shown(text)}` is not a duration; try `45m`, `2h`, `1h30m` or `3d`.")
        seconds = sum(float(n) * UNITS[u] for n, u in parts)
    if seconds < 1:
        raise WhenError(f"`{shown(text)}` is no time at all; give a duration longer than zero.")
    return round(seconds)


def is_duration(text: str) -> bool:
    """Whether `text` reads as a duration at all."""
    try:
        parse_duration(text)
    except WhenError:
        return False
    return True


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
