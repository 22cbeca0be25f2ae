"""The day's stand-ups in the feature's store: one key per day (`day:2023-11-15`), holding each
member's entry: what they wrote, its status, who offered help, and where its card is.

    {"U01WJK68KS": {"text": "Shipped the login page", "status": "open", "helpers": [],
                    "channel": "C0123ABCD", "ts": "1700000000.000100"}}

Every change goes through `ctx.store.update` with one of the pure functions below, so two
clicks at once (or two Sloth processes sharing a Redis) never lose one another's change.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from bot.api import Context, slack_date

Entry = dict[str, Any]
Day = dict[str, Entry]  # member ID -> their entry
KEEP_SECONDS = 8 * 86400  # a week back, for the reminder and for anyone looking
STATUSES = ("open", "done", "blocked")
_BUTTON_VALUE = re.compile(r"^(\d{4}-\d{2}-\d{2})/([UW][A-Z0-9]{2,})$")


def today(ctx: Context, days_ago: int = 0) -> str:
    """The date in the team's time zone (the `timezone` setting), as the store's keys name it."""
    now = datetime.fromtimestamp(ctx.clock(), ctx.config.timezone)
    return (now.date() - timedelta(days=days_ago)).isoformat()


def shown_day(day: str, zone: tzinfo) -> str:
    """The day as Slack words it for each reader ("Today", "Yesterday", "Nov 14th"): its noon in
    the team's time zone, which is that same day in nearly every reader's."""
    noon = datetime.combine(date.fromisoformat(day), time(12), tzinfo=zone)
    return slack_date(noon.timestamp(), "{date_short_pretty}", zone)


def key(day: str) -> str:
    return f"day:{day}"


async def read(ctx: Context, day: str) -> Day:
    return dict(await ctx.store.get(key(day)) or {})


async def change(ctx: Context, day: str, how: Any) -> Day:
    """Apply `how(current day) -> new day or None` atomically; the day as it is now."""
    return dict(await ctx.store.update(key(day), how, KEEP_SECONDS) or {})


def button_value(day: str, user: str) -> str:
    return f"{day}/{user}"


def read_button_value(value: str) -> tuple[str, str] | None:
    """(day, author) from a button's value; None for anything Sloth would not have made."""
    match = _BUTTON_VALUE.match(value)
    return (match[1], match[2]) if match else None


# -- pure changes, for `update` (they must not touch what they are given) ------------------------

def with_text(current: Day | None, user: str, text: str) -> Day:
    """The member's stand-up for the day, written or rewritten; status and helpers stay."""
    entry = {"status": "open", "helpers": [], **(current or {}).get(user, {}), "text": text}
    return {**(current or {}), user: entry}


def with_card(current: Day | None, user: str, channel: str, ts: str) -> Day | None:
    if not current or user not in current:
        return None
    return {**current, user: {**current[user], "channel": channel, "ts": ts}}


def with_status(current: Day | None, user: str, status: str) -> Day | None:
    if not current or user not in current or status not in STATUSES:
        return None
    return {**current, user: {**current[user], "status": status}}


def with_helper_toggled(current: Day | None, user: str, helper: str) -> Day | None:
    """`helper` offers help on `user`'s stand-up, or takes the offer back if they had made it."""
    if not current or user not in current:
        return None
    helpers = list(current[user].get("helpers", []))
    helpers = [h for h in helpers if h != helper] if helper in helpers else [*helpers, helper]
    return {**current, user: {**current[user], "helpers": helpers}}
