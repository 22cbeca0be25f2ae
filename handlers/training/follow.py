"""Keeping each run's card and thread in step with its stored state: one follower task per run.

Ingest and buttons only change the store and `touch` the run. The follower posts the card
once (`posting`: paced per channel, tried until posted, never twice), then edits it at most once
every `SLOTH_TRAINING_EDIT_SECONDS` (2 s): changes that arrive in between are drawn together by
the next edit, which reads the latest state, so the card always ends on it. Between edits it
does the thread's few jobs (alerts, the owner's ping when the run ends, curves, predictions),
drawing pictures in a worker process so the event loop never waits on matplotlib. Every message
it posts in a thread waits its turn in the channel's and the workspace's pace with the cards.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.api import Context, Task
from handlers.training.card import alert_line, card_message
from handlers.training.pings import ping_text
from handlers.training.posting import CardPoster, ChannelPacer
from handlers.training.reports import CRITICAL
from handlers.training.runs import RunStore
from handlers.training.state import Run

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0  # a follower with nothing to do for this long ends; the next touch starts another
RETRY_SECONDS = 5.0
MAX_FAILURES = 5
CLAIM_SECONDS = 120.0
# Drawn in a worker process; named, not imported, so this process never loads matplotlib.
CURVES_PNG: Task[[str, list[dict[str, Any]]], bytes] = Task("handlers.training.render:curves_png")
PREDICTIONS_PNG: Task[[str, dict[str, Any]], bytes] = Task("handlers.training.render:predictions_png")
if TYPE_CHECKING:  # only mypy imports the drawing module, to check the tasks' types
    from bot.api import same_types
    from handlers.training import render

    same_types(CURVES_PNG, render.curves_png)
    same_types(PREDICTIONS_PNG, render.predictions_png)


class Follower:
    def __init__(self, ctx: Context, runs: RunStore, process: str) -> None:
        self.ctx = ctx
        self.runs = runs
        self.gap = float(ctx.config.edit_seconds)
        self.pacer = ChannelPacer(float(ctx.config.posts_per_second))
        self.poster = CardPoster(ctx, runs, self.pacer, process, self._draw)
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def touch(self, run_id: str) -> None:
        """The run changed: bring its card and thread up to date soon."""
        self._wake.setdefault(run_id, asyncio.Event()).set()
        if run_id not in self._tasks:
            self._tasks[run_id] = self.ctx.spawn(self._follow(run_id), f"run-{run_id[:8]}")

    async def finished(self, run_id: str) -> None:
        """Wait until the run's follower, if any, has ended (it ends idle, or when the card cannot be posted)."""
        task = self._tasks.get(run_id)
        if task is not None:
            await asyncio.wait([task])

    async def _follow(self, run_id: str) -> None:
        loop = asyncio.get_running_loop()
        last_write = -math.inf
        failures = 0
        mine: set[str] = set()  # claims this follower holds, so a retry after an error goes ahead
        elsewhere: set[str] = set()  # jobs another Sloth process claimed
        try:
            while failures < MAX_FAILURES:
                wake = self._wake[run_id]
                wake.clear()  # before reading, so a change made after the read wakes us again
                run = await self.runs.get(run_id)
                if run is None or run.card_error:
                    return
                since = loop.time() - last_write
                jobs = [job for job in run.jobs if job["id"] not in elsewhere]
                try:
                    if run.card_ts is None:
                        if not await self.poster.post(run):
                            return  # another process is posting it; the sweeper looks again later
                        last_write = loop.time()
                    elif run.version > run.shown and since >= self.gap:
                        # chat.update's budget is the workspace's, shared with games: a card is
                        # background work and leaves each window's last slot to someone waiting.
                        await self.ctx.edits.acquire(reserve=1)
                        fresh = await self.runs.get(run_id)  # the edit draws whatever is latest by now
                        if fresh is not None:
                            await self._edit(fresh)
                        last_write = loop.time()
                    elif jobs:
                        if await self._claim(mine, f"job:{run_id}:{jobs[0]['id']}"):
                            await self._do(run, jobs[0])
                        else:
                            elsewhere.add(jobs[0]["id"])
                    elif run.version > run.shown:
                        await asyncio.sleep(self.gap - since)
                    else:
                        try:
                            await asyncio.wait_for(wake.wait(), IDLE_SECONDS)
                        except TimeoutError:
                            return
                    failures = 0
                except Exception as e:  # Slack unreachable even after the client's own retries
                    failures += 1
                    log.warning("training card %s: %s: %s; trying again", run_id, type(e).__name__, e)
                    await asyncio.sleep(RETRY_SECONDS)
        finally:
            self._tasks.pop(run_id, None)
            self._wake.pop(run_id, None)

    async def _claim(self, mine: set[str], what: str) -> bool:
        if what not in mine and not await self.runs.claim(what, CLAIM_SECONDS):
            return False
        mine.add(what)
        return True

    async def _draw(self, run: Run) -> dict[str, Any]:
        return card_message(run, await self._names(run))

    async def _edit(self, run: Run) -> None:
        message = card_message(run, await self._names(run))
        try:
            channel, ts = run.card
            await self.ctx.client.chat_update(channel=channel, ts=ts, **message)
        except SlackApiError as e:
            # The card was deleted or the channel archived: drawing again would fail the same way.
            log.warning("cannot update the card of training run %s: %s", run.run_id, e.response.get("error"))
        await self.runs.change(run.run_id, lambda r: setattr(r, "shown", max(r.shown, run.version)))

    async def _do(self, run: Run, job: dict[str, Any]) -> None:
        try:
            if job["kind"] == "alert" and (not run.muted or job["alert"] in CRITICAL):
                await self._reply(run, alert_line(run, job))
            elif job["kind"] == "ping":
                await self._reply(run, ping_text(run))
            elif job["kind"] == "curves":
                png = await self.ctx.cpu.run(CURVES_PNG, f"Training curves · {run.name}", run.history)
                await self._upload(run, png, "curves", f"Training curves after {run.epochs_done} epochs")
            elif job["kind"] == "predictions":
                await self._predictions(run, job["seq"])
        except SlackApiError as e:
            log.warning("training run %s: %s for the thread failed: %s", run.run_id, job["kind"],
                        e.response.get("error"))
        await self.runs.change(run.run_id, lambda r: setattr(r, "jobs", [j for j in r.jobs if j["id"] != job["id"]]))

    async def _reply(self, run: Run, text: str) -> None:
        channel, ts = run.card
        await self.pacer.turn(run.channel)
        await self.ctx.client.chat_postMessage(channel=channel, thread_ts=ts, text=text, unfurl_links=False,
                                               unfurl_media=False)

    async def _predictions(self, run: Run, seq: int) -> None:
        event = await self.runs.predictions(run.run_id, seq)
        if event is None:
            log.warning("training run %s: predictions %s expired before they were drawn", run.run_id, seq)
            return
        png = await self.ctx.cpu.run(PREDICTIONS_PNG, run.name, event)
        wrong = sum(1 for t, p in zip(event["y_true"], event["y_pred"], strict=True) if t != p)
        total = len(event["y_true"])
        await self._upload(run, png, "predictions", f"Predictions on {total} samples: {total - wrong} right, "
                                                    f"{wrong} wrong (marked in red)")

    async def _upload(self, run: Run, png: bytes, what: str, comment: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", run.name).strip("-")[:60] or "run"
        channel, ts = run.card
        await self.pacer.turn(run.channel)
        await self.ctx.client.files_upload_v2(
            channel=channel, thread_ts=ts, file=png, filename=f"{slug}-{what}.png",
            title=f"{run.name[:80]} · {what}", initial_comment=comment, alt_txt=f"{what} of {run.name[:80]}")

    async def _names(self, run: Run) -> Any:
        for user_id in {*filter(None, (run.owner, run.stop_by, run.muted_by)), *(p["by"] for p in run.presses)}:
            try:
                await self.ctx.directory.user(user_id)
            except SlackApiError:
                pass  # shown as the bare ID
        return self.ctx.directory.display_name
