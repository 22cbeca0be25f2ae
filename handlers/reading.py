"""Reading a channel for charts and exports: every page of its history, and thread replies.

Pages are turned into plain `Row` tuples as they arrive, a thousand at a time: the event loop
never holds more than one page of Slack's JSON, never does one long stretch of work, and what
it keeps costs the garbage collector nothing (see `handlers.tally.Row`).

Since 2025-05-29 Slack answers conversations.history and conversations.replies of an app
distributed to other workspaces outside the Slack Marketplace with at most 15 messages, and
takes one such call a minute (internal and Marketplace apps are not limited). A page of 15 or
fewer that still has more, when 200 were asked for, is that limit: reading on would wait a minute
for every 15 messages, so the reading stops there, marked `limited`, and the command says why its
answer holds less (`LIMITED`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.api import Context
from handlers.tally import Post, Row, as_row, mentioned_ids, to_post

# Slack's recommended page size. The largest (999) would take a fifth of the calls against the
# rate limit, but each page then holds the event loop five times longer while it is parsed:
# measured with four charts being made at once, acks' p99 went from about 30 ms to 90 ms.
PAGE = 200
MAX_THREADS = 500  # threads whose replies an export fetches (the newest); one call each
LIMITED_PAGE = 15  # messages a call answers for apps distributed outside the Marketplace
LIMITED = "Slack lets apps installed outside the Slack Marketplace read 15 messages a minute"


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)  # oldest first; replies follow their parent
    messages: int = 0  # top-level messages (and replies also sent to the channel)
    replies: int = 0  # thread replies of those messages, as the parents count them
    fetched_replies: int = 0  # replies in `rows`
    threads_skipped: int = 0
    people: set[str] = field(default_factory=set)  # user IDs that wrote or were mentioned
    limited: bool = False  # Slack's history limit stopped the reading: there was more (`LIMITED`)


async def read_channel(ctx: Context, channel: str, oldest: float, *, replies: bool) -> Reading:
    """The channel's messages since `oldest` (unix seconds); with `replies`, threads are expanded."""
    reading = Reading()
    newest_first: list[Row] = []
    threads: list[str] = []
    cursor = ""
    while True:
        response = await ctx.client.conversations_history(
            channel=channel, oldest=f"{oldest:.6f}", limit=PAGE, cursor=cursor or None
        )
        messages: list[dict[str, Any]] = response.get("messages", [])
        for message in messages:
            post = _take(reading, message)
            newest_first.append(as_row(post))
            reading.replies += post.reply_count
            if post.reply_count and post.thread == post.ts:
                threads.append(post.ts)
        cursor = _next(reading, response, messages)
        if not cursor:
            break
    reading.messages = len(newest_first)
    oldest_first = newest_first[::-1]
    if not replies:
        reading.rows = oldest_first
        return reading
    # The newest threads, when there are too many to fetch (`threads` is newest first); none under
    # Slack's history limit, where each thread would cost a minute.
    fetched = 0 if reading.limited else MAX_THREADS
    reading.threads_skipped = max(0, len(threads) - fetched)
    expanded = {ts: await _replies(ctx, reading, channel, ts) for ts in threads[:fetched]}
    # A reply "also sent to the channel" is in the history too; keep it in its thread only.
    in_threads = {row[0] for found in expanded.values() for row in found}
    for row in oldest_first:
        if row[0] not in in_threads:
            reading.rows.append(row)
            reading.rows += expanded.get(row[0], [])
    reading.messages -= len(in_threads & {row[0] for row in oldest_first})
    reading.fetched_replies = sum(len(found) for found in expanded.values())
    return reading


async def read_thread(ctx: Context, channel: str, thread: str) -> Reading:
    """A thread: its first message and every reply, oldest first."""
    reading = Reading()
    reading.rows = await _replies(ctx, reading, channel, thread, parent=True)
    reading.messages, reading.fetched_replies = min(1, len(reading.rows)), max(0, len(reading.rows) - 1)
    return reading


async def _replies(ctx: Context, reading: Reading, channel: str, thread: str, parent: bool = False) -> list[Row]:
    """A thread's replies (with its first message, when `parent`), oldest first."""
    found: list[Row] = []
    cursor = ""
    while True:
        response = await ctx.client.conversations_replies(channel=channel, ts=thread, limit=PAGE,
                                                          cursor=cursor or None)
        messages: list[dict[str, Any]] = response.get("messages", [])
        for message in messages:
            if message.get("ts") != thread or (parent and not found):  # the first message once
                found.append(as_row(_take(reading, message)))
        cursor = _next(reading, response, messages)
        if not cursor:
            return found


def _next(reading: Reading, response: Any, messages: list[dict[str, Any]]) -> str:
    """The cursor of the next page; none when Slack's history limit answered this one (`limited`)."""
    cursor: str = (response.get("response_metadata") or {}).get("next_cursor") or ""
    if cursor and len(messages) <= LIMITED_PAGE:
        reading.limited = True
        return ""
    return cursor


def _take(reading: Reading, message: dict[str, Any]) -> Post:
    post = to_post(message)
    if post.user:
        reading.people.add(post.user)
    if "<@" in post.text:
        reading.people.update(mentioned_ids(post.text))
    return post
