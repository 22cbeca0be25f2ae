"""Counting and tabulating channel history and members: pure functions, no Slack, no drawing.

Messages arrive here as compact `Post` tuples (cheap to send to a worker process); the charts
in `handlers.charts` and the CSV export are built from what these functions return.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

WORKING = (9, 17)  # local hours counted as "working"
AWAKE = (7, 23)  # local hours counted as "awake"
CSV_COLUMNS = ("time", "ts", "user", "real_name", "text", "thread", "reactions")
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_REF = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>")


class Post(NamedTuple):
    """One message, reduced to what charts and exports use."""

    ts: str
    user: str  # a user ID, or "" for a bot or integration
    author: str  # who wrote it when there is no user ID (bot name), else ""
    text: str
    thread: str  # the thread's ts for thread parents and replies, else ""
    reply_count: int
    reactions: tuple[tuple[str, int], ...]


# A Post as a plain tuple. The garbage collector stops tracking plain tuples of strings and
# numbers, so ten thousand of them held while a channel is read cost its full passes nothing;
# NamedTuple instances stay tracked, and each pass would walk them all while acks wait.
Row = tuple[str, str, str, str, str, int, tuple[tuple[str, int], ...]]


def as_row(post: Post) -> Row:
    return (post.ts, post.user, post.author, post.text, post.thread, post.reply_count, post.reactions)


def posts_of(rows: Iterable[Row]) -> list[Post]:
    return [Post._make(row) for row in rows]


def to_post(message: Mapping[str, Any]) -> Post:
    profile = message.get("bot_profile") or {}
    author = "" if message.get("user") else str(message.get("username") or profile.get("name") or "a bot")
    reactions = tuple((str(r.get("name", "")), int(r.get("count", 0))) for r in message.get("reactions") or [])
    return Post(
        ts=str(message.get("ts", "0")), user=str(message.get("user") or ""), author=author,
        text=str(message.get("text") or ""), thread=str(message.get("thread_ts") or ""),
        reply_count=int(message.get("reply_count") or 0), reactions=reactions,
    )


def mentioned_ids(text: str) -> set[str]:
    """User IDs referenced in Slack text, so their names can be looked up."""
    return {m.group(2) for m in _REF.finditer(text) if m.group(1) == "@"}


# -- activity -------------------------------------------------------------------------------


def local_day(ts: str, tz_offset: int) -> date:
    return datetime.fromtimestamp(float(ts) + tz_offset, UTC).date()


def per_day(posts: Iterable[Post], tz_offset: int, first: date, last: date) -> list[tuple[date, int]]:
    """Messages per local day from `first` to `last` inclusive, days without messages included."""
    counts = Counter(local_day(p.ts, tz_offset) for p in posts)
    days = (last - first).days + 1
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(max(0, days))]


def rolling_mean(values: list[int], window: int = 7) -> list[float]:
    """Mean of each value and up to window-1 before it (shorter at the start)."""
    out: list[float] = []
    total = 0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def author_key(post: Post) -> str:
    return post.user or f"bot:{post.author}"


def top_posters(posts: Iterable[Post], n: int = 8) -> list[tuple[str, int]]:
    """The n busiest authors (by author key) and their counts; everyone else as ("", count)."""
    counts = Counter(author_key(p) for p in posts)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top, rest = ranked[:n], sum(c for _, c in ranked[n:])
    return top + ([("", rest)] if rest else [])


# -- time zones -----------------------------------------------------------------------------


class HourCount(NamedTuple):
    hour: int  # the viewer's local hour
    working: int
    awake: int  # includes those working


def awake_by_hour(offsets: Iterable[int], viewer_offset: int) -> list[HourCount]:
    """For each hour of the viewer's day, how many members are working and how many are awake.

    A member counts for an hour when their local time at the middle of it (hh:30) falls in
    WORKING or AWAKE; offsets are seconds east of UTC, half-hour zones included.
    """
    offsets = list(offsets)
    rows = []
    for hour in range(24):
        utc_seconds = hour * 3600 + 1800 - viewer_offset
        local = [((utc_seconds + offset) % 86400) / 3600 for offset in offsets]
        rows.append(HourCount(hour, sum(WORKING[0] <= h < WORKING[1] for h in local),
                              sum(AWAKE[0] <= h < AWAKE[1] for h in local)))
    return rows


def utc_label(offset: int) -> str:
    sign = "+" if offset >= 0 else "−"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def zone_name(member: Mapping[str, Any]) -> str:
    """A short name for a member's time zone: the city of "Europe/Berlin", else Slack's label."""
    tz = str(member.get("tz") or "")
    if "/" in tz:
        return tz.rsplit("/", 1)[-1].replace("_", " ")
    return str(member.get("tz_label") or tz or utc_label(int(member.get("tz_offset") or 0)))


def zones(members: Iterable[Mapping[str, Any]]) -> list[tuple[str, int, int]]:
    """(time zone name, offset, members) for each zone, west to east."""
    counts: Counter[tuple[str, int]] = Counter()
    for member in members:
        counts[(zone_name(member), int(member.get("tz_offset") or 0))] += 1
    return [(label, offset, n) for (label, offset), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))]


# -- CSV ------------------------------------------------------------------------------------


def plain_text(text: str, names: Mapping[str, str]) -> str:
    """Slack text as a person reads it: names for mentions, link labels, no HTML entities."""

    def ref(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return "@" + (label or names.get(target, target))
        if sigil == "#":
            return "#" + (label or target)
        return "@" + (label or target.split("^")[0]).lstrip("@")

    def link(match: re.Match[str]) -> str:
        url, label = match.groups()
        return f"{label} ({url})" if label and label != url else url

    text = _LINK.sub(link, text)
    text = _REF.sub(ref, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def cell(value: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def iso_time(ts: str) -> str:
    return datetime.fromtimestamp(float(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_row(post: Post, names: Mapping[str, str]) -> list[str]:
    real_name = names.get(post.user, post.user) if post.user else post.author
    reactions = " ".join(f":{name}: {count}" for name, count in post.reactions)
    return [iso_time(post.ts), post.ts, post.user, cell(real_name), cell(plain_text(post.text, names)),
            post.thread, reactions]


def csv_file(rows: list[Row], names: Mapping[str, str]) -> bytes:
    """csv_bytes of plain rows: what a worker process is sent."""
    return csv_bytes(posts_of(rows), names)


def csv_bytes(posts: Iterable[Post], names: Mapping[str, str]) -> bytes:
    """The export: a header and one row per post, UTF-8 with a BOM so spreadsheets read it right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(p, names) for p in posts)
    return buffer.getvalue().encode("utf-8-sig")
