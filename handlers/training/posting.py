"""Posting a run's card: paced per channel, tried again until it is posted, and never posted twice.

Slack lets an app post about one message a second in a channel, with short bursts, and "several
hundred a minute" in a workspace. A sweep of many runs into one channel used to meet its 429s
until the client's retries gave up, and those cards were given up for good. Now every message of
a run, card or thread reply, waits its turn in its channel (`ChannelPacer`,
`SLOTH_TRAINING_POSTS_PER_SECOND`) and in the workspace (four channels' worth: 240 a minute at
Slack's pace), and a card that could not be posted for a
rate limit or a passing fault is tried again later (the follower, then the sweeper); only a
refusal that would repeat (channel_not_found, ...) becomes the run's `card_error`, told to the job.

A process can die between chat.postMessage and storing the card's ts. So before it posts, it
marks the run (`card_posting`: which process, when). A mark found with no ts, left by this
process or by one that no longer says it is alive (`RunStore.alive`), means the card may be in
the channel already: it is looked for in the channel's recent history by its
`sloth_training_run` metadata and adopted (then edited to the latest state) instead of posted
again. Sloth reads history only where it is a member, so for that search it joins a public
channel it had posted in without joining.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import Context, UserError, parse_channel
from handlers.training.card import EVENT_TYPE
from handlers.training.runs import RunStore
from handlers.training.state import Run

log = logging.getLogger(__name__)

HISTORY_PAGES = 5  # of 200 messages: how far back a card that may have been posted is looked for
# Answers after which Slack may or may not have posted the message (its own fault, a timeout).
UNSURE = ("internal_error", "fatal_error", "service_unavailable", "request_timeout")


WORKSPACE_CHANNELS = 4.0  # the workspace's pace, in channels' worth


class ChannelPacer:
    """At most `per_second` messages a second in each channel, and `WORKSPACE_CHANNELS` times that
    in the whole workspace: each caller gets the channel's next free slot, then the workspace's."""

    def __init__(self, per_second: float) -> None:
        self.gap = 1.0 / per_second
        self.workspace_gap = self.gap / WORKSPACE_CHANNELS
        self._free: dict[str, float] = {}  # channel -> when its next message may go (the loop's clock)
        self._workspace_free = -math.inf

    async def turn(self, channel: str) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        key = channel.lstrip("#").lower()
        at = max(now, self._free.get(key, now))
        self._free[key] = at + self.gap
        if len(self._free) > 1000:  # forget channels whose slots are past
            self._free = {k: v for k, v in self._free.items() if v > now}
        if at > now:
            await asyncio.sleep(at - now)
        # Then the workspace's slot, taken only once the channel's has come: a channel with a
        # queue never holds back the others.
        now = loop.time()
        at = max(now, self._workspace_free)
        self._workspace_free = at + self.workspace_gap
        if at > now:
            await asyncio.sleep(at - now)
            self._free[key] = max(self._free.get(key, at), at + self.gap)

    def back_off(self, channel: str, seconds: float) -> None:
        """Slack said to wait (429 with Retry-After): no message to the channel before then."""
        key = channel.lstrip("#").lower()
        until = asyncio.get_running_loop().time() + seconds
        self._free[key] = max(self._free.get(key, until), until)


class CardPoster:
    def __init__(self, ctx: Context, runs: RunStore, pacer: ChannelPacer, process: str,
                 draw: Callable[[Run], Awaitable[dict[str, Any]]]) -> None:
        self.ctx, self.runs, self.pacer, self.process, self.draw = ctx, runs, pacer, process, draw

    async def post(self, run: Run) -> bool:
        """Post (or find) the card of `run`; False when another live process is posting it.

        Raises on a rate limit or a passing fault, so that the caller tries again later."""
        mark = run.card_posting
        if mark is not None:
            if mark["by"] != self.process and await self.runs.alive(mark["by"]):
                return False
            found = await self.find(run)
            if found is not None:
                log.info("training run %s: adopted its card %s posted before a restart", run.run_id, found[1])
                await self.runs.change(run.run_id, lambda r: adopt(r, *found))
                return True
        await self.pacer.turn(run.channel)
        mine = {"by": self.process, "at": self.ctx.clock()}
        taken = await self.runs.change(run.run_id, lambda r: take(r, mark, mine))
        if taken is None or not taken[1]:
            return True  # posted, adopted or marked by someone else meanwhile: the caller reads again
        fresh = taken[0]
        message = await self.draw(fresh)
        try:
            posted = await self.ctx.client.chat_postMessage(
                channel=fresh.channel, unfurl_links=False, unfurl_media=False, **message)
        except SlackApiError as e:
            await self._refused(fresh, mine, e)
            return True

        def posted_card(r: Run) -> None:
            r.card_channel, r.card_ts, r.card_posting = posted["channel"], posted["ts"], None
            r.shown = max(r.shown, fresh.version)

        await self.runs.change(run.run_id, posted_card)
        return True

    async def _refused(self, run: Run, mine: dict[str, Any], error: SlackApiError) -> None:
        code = str(error.response.get("error", "error"))
        status = error.response.status_code
        if status == 429 or code == "ratelimited":  # not posted; the client's own retries ran out
            self.pacer.back_off(run.channel, retry_after(error))
            await self.runs.change(run.run_id, lambda r: release(r, mine))
            raise error
        if status >= 500 or code in UNSURE:
            raise error  # it may have been posted: the mark stays, and the next try looks first
        log.warning("cannot post the card of training run %s in %s: %s", run.run_id, run.channel, code)

        def give_up(r: Run) -> None:
            r.card_error = code
            release(r, mine)

        await self.runs.change(run.run_id, give_up)

    async def find(self, run: Run) -> tuple[str, str] | None:
        """(channel ID, ts) of the run's card among the channel's latest messages, if Sloth posted one."""
        channel = await self._channel_id(run.channel)
        if channel is None:
            return None
        cursor = None
        for _ in range(HISTORY_PAGES):
            answer = await self._history(channel, cursor)
            for message in answer.get("messages") or []:
                if self._is_card_of(message, run.run_id):
                    return channel, str(message["ts"])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    def _is_card_of(self, message: dict[str, Any], run_id: str) -> bool:
        metadata = message.get("metadata") or {}
        return (metadata.get("event_type") == EVENT_TYPE and message.get("bot_id") == self.ctx.identity.bot_id
                and (metadata.get("event_payload") or {}).get("run_id") == run_id)

    async def _history(self, channel: str, cursor: str | None) -> Any:
        client = self.ctx.client
        try:
            return await client.conversations_history(channel=channel, limit=200, include_all_metadata=True,
                                                      cursor=cursor)
        except SlackApiError as e:
            if e.response.get("error") != "not_in_channel":
                raise
        await client.conversations_join(channel=channel)
        return await client.conversations_history(channel=channel, limit=200, include_all_metadata=True, cursor=cursor)

    async def _channel_id(self, name: str) -> str | None:
        ref = parse_channel(name)
        if ref is None:
            return None
        try:
            return str((await self.ctx.directory.resolve_channel(ref))["id"])
        except UserError:
            return None  # gone: posting will say so (channel_not_found)


def take(run: Run, seen: dict[str, Any] | None, mine: dict[str, Any]) -> bool:
    """Mark the run as being posted by us, if nobody posted or marked it since we looked."""
    if run.card_ts is not None or run.card_error or run.card_posting != seen:
        return False
    run.card_posting = mine
    return True


def release(run: Run, mine: dict[str, Any]) -> None:
    if run.card_posting == mine:
        run.card_posting = None


def adopt(run: Run, channel: str, ts: str) -> None:
    if run.card_ts is None:
        run.card_channel, run.card_ts, run.card_posting = channel, ts, None
        run.shown = 0  # the card shows the state it was posted with: draw the latest


def retry_after(error: SlackApiError) -> float:
    try:
        return max(1.0, float(error.response.headers.get("Retry-After", 1)))
    except (TypeError, ValueError):
        return 1.0
