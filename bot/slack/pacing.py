"""Editing messages within Slack's chat.update budget, and never more often than the message needs.

chat.update is Tier 3: about 50 calls a minute for the whole workspace. Game redraws (several
per click) and run cards (one every few seconds each) share it, so every edit Sloth makes takes
a slot from one budget kept in the store: with a store shared by several Sloth processes, the
budget is the workspace's, not each process's. Slots are counted in windows of 12 s, 8 edits
each, so no minute holds more than 48 (any 60 s touch at most six windows), under Slack's 50
however its own minute is counted.

Two kinds of edit share it. An interactive edit (a move, a click someone is looking at) may take
any free slot at once. A background edit (a run card) may not take the window's last `reserved`
slots (2), and beyond the first `kept` (2) its share opens gradually over the window (the k-th of
its 6 slots k/6 of the way through), so a move made at any moment of the window still finds a
slot. In return, while background edits wait, interactive ones leave them `kept` slots of each
window: a busy game never freezes the run cards. Both rules hold across every process sharing the
store. Within a process, waiting edits queue by kind and then by arrival: when a window opens,
interactive edits take their slots before any background one (beyond the kept ones). So an
interactive edit waits at most until the next window, however many cards are reporting, as long
as interactive edits alone need no more than 6 slots a window; usually it does not wait at all.

`redraw(key, draw)` folds the redraws of one message together: while one waits for a slot, more
requests for the same message join it, and the one edit made draws the latest state (`draw`
reads it when its turn comes). A request that arrives while the message is being drawn makes one
more edit afterwards, so the message always ends on the newest state.

The pacer takes its clock and its sleep, so tests move time instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.store import Namespaced

WINDOW = 12.0
PER_WINDOW = 8
RESERVED = 2  # slots of each window only interactive edits take: a connect-four move and Sloth's answer
KEPT = 2  # slots of each window interactive edits leave to background ones while those wait
INTERACTIVE, BACKGROUND = 0, 1
WAITING = "chat.update:background-waiting"  # a background edit waited lately, in some process
Draw = Callable[[], Awaitable[None]]
Sleep = Callable[[float], Awaitable[object]]


@dataclass
class _Redraw:
    draw: Draw
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class EditPacer:
    def __init__(self, store: Namespaced, per_window: int = PER_WINDOW, window: float = WINDOW,
                 clock: Callable[[], float] = time.time, sleep: Sleep = asyncio.sleep,
                 reserved: int | None = None, kept: int | None = None) -> None:
        self.store = store
        self.per_window = per_window
        self.window = window
        self.clock = clock  # wall time, shared by every process using the store
        self.sleep = sleep  # waits on that clock: asyncio.sleep for wall time, a test's own for a fake one
        self.reserved = min(RESERVED, per_window - 1) if reserved is None else reserved
        self.kept = min(KEPT, per_window - 1 - self.reserved) if kept is None else kept
        self.edits = 0  # slots taken by this process, for tests and metrics
        self._waiting: list[tuple[int, int]] = []  # (kind, arrival): a heap, the next to try first
        self._arrivals = itertools.count()
        self._changed = asyncio.Event()
        self._queued: dict[str, _Redraw] = {}
        self._drawing: dict[str, asyncio.Future[None]] = {}

    @property
    def background_share(self) -> int:
        return max(1, self.per_window - self.reserved)

    async def acquire(self, reserve: int = 0, *, background: bool = False) -> None:
        """Wait for a chat.update slot. Background edits (a run card) pass `background=True`
        (`reserve=1`, the earlier spelling, means the same): they leave the reserved slots and
        their turn in the queue to edits someone is waiting for."""
        ticket = (BACKGROUND if background or reserve else INTERACTIVE, next(self._arrivals))
        heapq.heappush(self._waiting, ticket)
        self._notify()
        try:
            while True:
                changed = self._changed
                if not self._may_try(ticket):
                    await changed.wait()  # one ahead of it tries first
                    continue
                until = await self._take(ticket[0])
                if until is None:
                    return
                await self._nap(until, changed)
        finally:
            self._waiting.remove(ticket)
            heapq.heapify(self._waiting)
            self._notify()

    def _may_try(self, ticket: tuple[int, int]) -> bool:
        """The first in line tries; so does the first background edit, for the slots kept for them."""
        if self._waiting[0] == ticket:
            return True
        return ticket[0] == BACKGROUND and ticket == min(t for t in self._waiting if t[0] == BACKGROUND)

    async def _take(self, kind: int) -> float | None:
        """Take a slot of the current window if this kind of edit may; else when it may try again."""
        while True:
            now = self.clock()
            slot = math.floor(now / self.window)
            start = slot * self.window
            key = f"chat.update:{slot}"
            used = await self.store.get(key) or 0
            if kind == BACKGROUND:
                theirs = await self.store.get(f"{key}:background") or 0
                # The kept slots, wherever they are (interactive edits left them), or its share so far.
                allowed = (theirs < self.kept and used < self.per_window) or used < self._spread(now - start)
            else:
                allowed = used < self.per_window - await self._owed(key)
            if not allowed:
                break
            if await self.store.compare_and_set(key, used or None, used + 1, ttl=2 * self.window):
                self.edits += 1
                if kind == BACKGROUND:
                    await self.store.update(f"{key}:background", lambda n: (n or 0) + 1, ttl=2 * self.window)
                return None
            # another writer took a slot meanwhile: count again
        if kind == BACKGROUND:
            await self.store.set(WAITING, True, ttl=self.window)
            if used < self.background_share and theirs >= self.kept:
                # Its share grows during the window: the moment the share passes what is used.
                return start + used * self.window / self.background_share
        return start + self.window

    async def _owed(self, key: str) -> int:
        """Slots of this window an interactive edit leaves for background edits that wait."""
        if not self.kept:
            return 0
        if not any(kind == BACKGROUND for kind, _ in self._waiting) and not await self.store.get(WAITING):
            return 0
        return max(0, self.kept - (await self.store.get(f"{key}:background") or 0))

    def _spread(self, elapsed: float) -> int:
        share = self.background_share
        return min(share, 1 + math.floor(elapsed * share / self.window))

    async def _nap(self, until: float, changed: asyncio.Event) -> None:
        """Sleep on the pacer's clock until `until`, or until the queue changes (a move arrived)."""
        # Read the clock and start the sleep in one step: a clock moved in between is not missed.
        sleeper = asyncio.ensure_future(self.sleep(max(0.0, until - self.clock())))
        waker = asyncio.ensure_future(changed.wait())
        try:
            await asyncio.wait((sleeper, waker), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def redraw(self, key: str, draw: Draw, *, background: bool = False) -> None:
        """Edit the message `key` by calling `draw` once a slot is free, folded with other redraws
        (`background=True` for a message nobody is waiting to see change, e.g. a run card)."""
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
            await self.acquire(background=background)
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
