"""Reading a channel for charts and exports: every page of its history, and thread replies.

Pages are turned into compact `Post` tuples as they arrive, a thousand at a time, so the event
loop never holds more than one page of Slack's JSON and never does one long stretch of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.context import Context
from handlers.tally import Post, mentioned_ids, to_post

PAGE = 999  # conversations.history's largest page: fewest calls against its rate limit
MAX_THREADS = 500  # threads whose replies an export fetches (the newest); one call each


@dataclass
class Reading:
    posts: list[Post] = field(default_factory=list)  # oldest first; replies follow their parent
    replies: int = 0  # thread replies, fetched or not, of the threads in `posts`
    threads_skipped: int = 0
    people: set[str] = field(default_factory=set)  # user IDs that wrote or were mentioned


async def read_channel(ctx: Context, channel: str, oldest: float, *, replies: bool) -> Reading:
    """The channel's messages since `oldest` (unix seconds); with `replies`, threads are expanded."""
    reading = Reading()
    newest_first: list[Post] = []
    cursor = ""
    while True:
        response = await ctx.client.conversations_history(
            channel=channel, oldest=f"{oldest:.6f}", limit=PAGE, cursor=cursor or None
        )
        messages: list[dict[str, Any]] = response.get("messages", [])
        for message in messages:
            post = _take(reading, message)
            newest_first.append(post)
            reading.replies += post.reply_count
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            break
    oldest_first = newest_first[::-1]
    if not replies:
        reading.posts = oldest_first
        return reading
    threads = [p for p in oldest_first if p.reply_count and p.thread == p.ts]
    reading.threads_skipped = max(0, len(threads) - MAX_THREADS)
    # The newest threads, when there are too many to fetch.
    expanded = {p.ts: await _replies(ctx, reading, channel, p.ts) for p in threads[-MAX_THREADS:]}
    # A reply "also sent to the channel" is in the history too; keep it in its thread only.
    in_threads = {r.ts for found in expanded.values() for r in found}
    for post in oldest_first:
        if post.ts not in in_threads:
            reading.posts += [post, *expanded.get(post.ts, [])]
    return reading


async def _replies(ctx: Context, reading: Reading, channel: str, thread: str) -> list[Post]:
    found: list[Post] = []
    cursor = ""
    while True:
        response = await ctx.client.conversations_replies(channel=channel, ts=thread, limit=PAGE,
                                                          cursor=cursor or None)
        messages: list[dict[str, Any]] = response.get("messages", [])
        found += [_take(reading, m) for m in messages if m.get("ts") != thread]
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return found


def _take(reading: Reading, message: dict[str, Any]) -> Post:
    post = to_post(message)
    if post.user:
        reading.people.add(post.user)
    if "<@" in post.text:
        reading.people.update(mentioned_ids(post.text))
    return post
