"""The loop watch: a thread that notices the event loop not turning and names the handler to blame.

Every feature shares one asyncio event loop: while a handler calls `time.sleep`, a synchronous
HTTP client or a long computation, nobody else's command, click or job moves (acks still go
out: they are sent from a thread of their own, `bot.socket.thread`). The watch asks the loop to
run a tiny callback every moment; when it has not run for half the threshold
(SLOTH_LOOP_BLOCK_SECONDS), the task on the loop is noted, and when it still has not run at the
threshold and the same task is still on the loop, that task's step is what holds it. Dispatch
notes which feature's handler each task runs (`bot.work.blocking`), so the block is counted by
feature and handler (`sloth_loop_blocked_total`, `sloth_loop_blocked_seconds_total`) and the
first block of each handler is logged, naming both. A loop that is only busy (many short
steps) is not blamed on anyone: the loop-lag histogram shows that.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass

from bot.work.blocking import RUNNING, Label
from bot.work.metrics import Metrics

log = logging.getLogger(__name__)
STILL_SECONDS = 10.0  # a block still going this long is logged then, not only when it ends
UNKNOWN = Label("unknown", "unknown")  # a task no feature's handler runs (Sloth's own, a library's)


@dataclass
class Blocked:
    """One time a feature's handler held the event loop: for at least `seconds`."""

    feature: str
    what: str
    seconds: float


class LoopWatch:
    def __init__(self, loop: asyncio.AbstractEventLoop, threshold: float, metrics: Metrics) -> None:
        self.loop = loop
        self.threshold = threshold
        self.metrics = metrics
        self.blocked: list[Blocked] = []  # every block by a feature's handler, oldest first
        self._logged: set[Label] = set()
        self._stop = threading.Event()
        self._idle = threading.Event()  # clear while a block is being measured
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="sloth-loop-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join, 5.0)

    async def caught_up(self) -> None:
        """Wait until a block that has ended is fully recorded (its time counted, its line logged)."""
        if not self._idle.is_set():
            await asyncio.to_thread(self._idle.wait, 5.0)

    def _run(self) -> None:
        pause = min(max(self.threshold / 4, 0.01), 0.25)  # between looks while the loop turns
        while not self._stop.wait(pause):
            self._look()

    def _look(self) -> None:
        turned = threading.Event()
        asked = time.monotonic()
        try:
            self.loop.call_soon_threadsafe(turned.set)
        except RuntimeError:  # the loop has closed
            self._stop.set()
            return
        if turned.wait(self.threshold / 2):
            return
        first = asyncio.current_task(self.loop)
        if turned.wait(self.threshold / 2) or self._stop.is_set():
            return
        holder = asyncio.current_task(self.loop)
        if holder is None or holder is not first:
            return  # busy with many steps (or callbacks), not held by one task
        self._idle.clear()
        try:
            self._measure(RUNNING.get(holder) or UNKNOWN, holder, turned, asked)
        finally:
            self._idle.set()

    def _measure(self, label: Label, holder: asyncio.Task[object], turned: threading.Event, asked: float) -> None:
        """Count the block now, while it lasts; its time and the log line once the loop turns."""
        self.metrics.loop_blocked.labels(label.feature, label.what).inc()
        record = Blocked(label.feature, label.what, self.threshold)
        if label is not UNKNOWN:
            self.blocked.append(record)
        while not turned.wait(STILL_SECONDS):
            if self._stop.is_set():
                break
            record.seconds = time.monotonic() - asked
            self._say(label, record, holder, ended=False)
        record.seconds = time.monotonic() - asked
        self.metrics.loop_blocked_seconds.labels(label.feature, label.what).inc(record.seconds)
        self._say(label, record, holder, ended=True)

    def _say(self, label: Label, record: Blocked, task: asyncio.Task[object], ended: bool) -> None:
        """Once per handler: which one, for how long, and what to do instead."""
        if label in self._logged:
            return
        self._logged.add(label)
        held = f"held the event loop for {record.seconds:.1f} s" if ended else \
            f"has held the event loop for {record.seconds:.0f} s so far"
        if label is UNKNOWN:
            log.warning("Sloth's task %s %s (no feature's handler was running); logged once", task.get_name(), held)
            return
        log.warning(
            "The %s feature's %s %s, and nobody else's command, click or job moved meanwhile. "
            "Await instead of blocking (no time.sleep or synchronous I/O in an async def handler), "
            "or make it a plain def handler, which runs in a thread. Logged once; "
            "sloth_loop_blocked_total counts every time.", label.feature, label.what, held)
