"""Editing messages within Slack's chat.update budget, and never more often than the message needs.

chat.update is Tier 3: about 50 calls a minute for the whole workspace. Game redraws (several
per click) and run cards (one every few seconds each) share it, so every edit Sloth makes takes
a slot from one budget kept in the store: with a store shared by several Sloth processes, the
budget is the workspace's, not each process's. Slots are counted in windows of 12 s, 8 edits
each: a burst of 8 is drawn at once, and no minute holds more than 48 (any 60 s touch at most
six windows), under Slack's 50 however its own minute is counted.

`redraw(key, draw)` folds the redraws of one message together: while one waits for a slot, more
requests for the same message join it, and the one edit made draws the latest state (`draw`
reads it when its turn comes). A request that arrives while the message is being drawn makes one
more edit afterwards, so the message always ends on the newest state.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.store import Namespaced

WINDOW = 12.0
PER_WINDOW = 8
Draw = Callable[[], Awaitable[None]]


@dataclass
class _Redraw:
    draw: Draw
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class EditPacer:
    def __init__(self, store: Namespaced, per_window: int = PER_WINDOW, window: float = WINDOW,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.per_window = per_window
        self.window = window
        self.clock = clock  # wall time, shared by every process using the store
        self.edits = 0  # slots taken by this process, for tests and metrics
        self._queued: dict[str, _Redraw] = {}
        self._drawing: dict[str, asyncio.Future[None]] = {}

    async def acquire(self, reserve: int = 0) -> None:
        """Wait for a chat.update slot. Background edits pass `reserve=1`, leaving the last slot
        of each window to edits someone is waiting for (a move in a game)."""
        while True:
            now = self.clock()
            slot = math.floor(now / self.window)
            key = f"chat.update:{slot}"
            used = await self.store.get(key) or 0
            if used < self.per_window - reserve:
                if await self.store.compare_and_set(key, used or None, used + 1, ttl=2 * self.window):
                    self.edits += 1
                    return
                continue  # another writer took a slot meanwhile: count again
            await asyncio.sleep((slot + 1) * self.window - now)

    async def redraw(self, key: str, draw: Draw) -> None:
        """Edit the message `key` by calling `draw` once a slot is free, folded with other redraws."""
        queued = self._queued.get(key)
        if queued is not None:
            queued.draw = draw  # the newest way to draw it; one edit serves both requests
            await asyncio.shield(queued.done)
            return
        entry = self._queued[key] = _Redraw(draw)
        entry.done.add_done_callback(_retrieve)
        try:
            drawing = self._drawing.get(key)
            if drawing is not None:
                await asyncio.wait([drawing])  # what it drew may already be out of date
            await self.acquire()
        except BaseException as e:
            entry.done.set_exception(e)
            raise
        finally:
            del self._queued[key]
        self._drawing[key] = entry.done
        try:
            await entry.draw()
            entry.done.set_result(None)
        except BaseException as e:
            entry.done.set_exception(e)
            raise
        finally:
            if self._drawing.get(key) is entry.done:
                del self._drawing[key]


def _retrieve(future: asyncio.Future[None]) -> None:
    # Whoever joined the redraw sees its failure; without them it is not an unhandled error twice.
    if not future.cancelled():
        future.exception()
