"""A moment as Slack's date tokens fall back to it, for clients that cannot show them: apart from
`bot.pure.times` so the block builders use it without the parsers' errors."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

DATE_AND_TIME = "{date_short_pretty} at {time}"


def date_fallback(at: float, form: str = DATE_AND_TIME, zone: tzinfo | None = None) -> str | None:
    """What a client that cannot show Slack's date tokens shows instead: `at` in `zone` (else
    UTC), or None for a time no calendar can show."""
    try:
        local = datetime.fromtimestamp(at, zone or UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if "{date" not in form:
        pattern = "%H:%M:%S %Z" if "{time_secs}" in form else "%H:%M %Z"
    else:
        pattern = "%Y-%m-%d %H:%M %Z" if "{time" in form else "%Y-%m-%d"
    return local.strftime(pattern).strip()
