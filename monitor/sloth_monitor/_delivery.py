"""Getting events to Sloth: the bounded queue, one HTTP POST, and the sender thread."""

from __future__ import annotations

import collections
import json
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ._http import Reply, Transport
from ._system import Sampler
from ._wire import Problems, wire_predictions

_log = logging.getLogger(__name__)

PROTOCOL_VERSION = 3
MAX_EVENTS_PER_POST = 100
MAX_PENDING_EVENTS = 1000
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0
COALESCED = ("batch", "system")  # only the latest of these is worth sending
KEPT = ("start", "finish")  # never dropped when the queue is full
# Sloth URLs whose last request in this process got no answer at all (refused, unreachable).
# A run finishing while its Sloth is known to be down tries once and does not wait out its
# flush: three @notify calls with Sloth down cost the job one flush, not three.
_unreachable: set[str] = set()


class Outbox:
    """Pending events in seq order. Batch and system updates keep only the latest; the rest is bounded."""

    def __init__(self, max_events: int = MAX_PENDING_EVENTS) -> None:
        self.max_events = max_events
        self.dropped = 0
        self._seq = 0
        self._events: collections.deque[dict[str, Any]] = collections.deque()
        self._latest: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._events) + len(self._latest)

    def put(self, event: dict[str, Any], keep: bool = False) -> None:
        """Queue an event; `keep` exempts a batch update from coalescing (the first NaN loss)."""
        self._seq += 1
        event["seq"] = self._seq
        if event["type"] in COALESCED and not keep:
            self._latest[event["type"]] = event
        else:
            self._events.append(event)
            self._trim()

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Remove and return the `limit` oldest events.

        A predictions event travels in a request of its own: it is by far the biggest, and a
        request refused as too large (413) is dropped whole, which must not take start, epochs
        or finish with it.
        """
        taken: list[dict[str, Any]] = []
        while len(taken) < limit and (self._events or self._latest):
            latest = min(self._latest.values(), key=lambda e: e["seq"], default=None)
            if latest is not None and (not self._events or latest["seq"] < self._events[0]["seq"]):
                taken.append(self._latest.pop(latest["type"]))
            elif self._events[0]["type"] == "predictions" and taken:
                break
            else:
                taken.append(self._events.popleft())
                if taken[-1]["type"] == "predictions":
                    break
        return taken

    def put_back(self, events: list[dict[str, Any]]) -> None:
        """Return events whose delivery failed; a newer batch or system update wins over a returned one."""
        for event in reversed(events):
            if event["type"] not in COALESCED:
                self._events.appendleft(event)
            elif event["type"] not in self._latest:
                self._latest[event["type"]] = event
        self._trim()

    def _trim(self) -> None:
        while len(self._events) > self.max_events:
            victim = next((e for e in self._events if e["type"] not in KEPT), None)
            if victim is None:
                return
            self._events.remove(victim)
            self.dropped += 1


class Sender:
    """The daemon thread: sends what is due, retries with backoff, heartbeats, samples the machine.

    It sends at most one request per `send_interval` (the finish event excepted): the card is
    edited every 2 s at most, and every request is work that a pure-Python training step, which
    holds the GIL, would otherwise wait for. Once the finish is queued it tries until the flush
    deadline, or once only when Sloth gave no answer to the last request made to it.
    """

    def __init__(self, outbox: Outbox, transport: Transport, run_info: dict[str, Any], problems: Problems,
                 poll_interval: float, send_interval: float, sampler: Sampler | None) -> None:
        self.outbox = outbox
        self.transport = transport
        self.run_info = run_info  # changed only under `lock` (total_epochs, controls)
        self.problems = problems
        self.poll_interval = poll_interval
        self.send_interval = send_interval
        self.sampler = sampler
        self.lock = threading.Condition()
        self.stop_requested = threading.Event()
        self.stopped_by: str | None = None
        self.finished = threading.Event()  # finish delivered, or nothing more will ever be sent
        self.finish_delivered = False
        self.finish_queued = False
        self.controls: collections.deque[dict[str, Any]] = collections.deque()  # received, not yet handled
        self.stop_ids: list[str] = []  # Stop presses received, not yet acknowledged (see TrainingRun.should_stop)
        self._seen_controls: set[str] = set()
        self._closing = False
        self._one_try = False
        self._deadline = math.inf
        self._sending = False
        self._sleeping_until = math.inf
        self._failures = 0
        self._retry_at = 0.0
        self._last_post = -math.inf
        self._warned: set[str] = set()
        self._thread = threading.Thread(target=self._loop, name=f"sloth-monitor-{transport.run_id[:8]}", daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def thread_id(self) -> int | None:
        return self._thread.ident

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Called with `lock` held after an event was queued: wake the thread only if it sleeps past
        the time this event may be sent (a wake-up costs a pure-Python training step a GIL hand-off)."""
        if not self._sending and self._next_send() < self._sleeping_until:
            self.lock.notify()

    def close(self, within: float) -> None:
        """The finish event is queued: send it now, and give up `within` seconds from now."""
        with self.lock:
            self._closing = True
            self._one_try = self.transport.url in _unreachable
            self._retry_at = 0.0
            self._deadline = time.monotonic() + within
            self.lock.notify()

    def _loop(self) -> None:
        try:
            while not self.finished.is_set():
                events = self._wait_for_work()
                if events is None:
                    return
                self._settle(events, self._send(events))
        except Exception:  # a bug here must not leave a traceback per retry
            self._warn_once("bug", "Sloth monitor stopped reporting after an error", exc_info=True)
            self.finished.set()

    def _wait_for_work(self) -> list[dict[str, Any]] | None:
        with self.lock:
            while True:
                now = time.monotonic()
                if now >= self._deadline:
                    self.finished.set()
                    return None
                if self.sampler is not None and not self._closing and self.sampler.next_due <= now:
                    self.lock.release()  # sampling reads files or asks a driver: not under the lock
                    try:
                        figures = self.sampler.sample()
                    finally:
                        self.lock.acquire()
                    self.outbox.put({"type": "system", "time": time.time(), **figures})
                    continue
                due = min(self._next_send() if len(self.outbox) else self._heartbeat_due(), self._deadline)
                if self.sampler is not None and not self._closing:
                    due = min(due, self.sampler.next_due)
                if due <= now:
                    self._last_post = now
                    self._sending = True
                    return self.outbox.take(MAX_EVENTS_PER_POST)
                self._sleeping_until = due
                self.lock.wait(due - now)
                self._sleeping_until = -math.inf  # awake: whatever is queued now is seen

    def _next_send(self) -> float:
        if self._closing:
            return self._retry_at
        return max(self._retry_at, self._last_post + self.send_interval)

    def _heartbeat_due(self) -> float:
        # Closing with an empty outbox means the finish event is on its way already.
        return math.inf if self._closing else max(self._retry_at, self._last_post + self.poll_interval)

    def _send(self, events: list[dict[str, Any]]) -> Reply:
        try:
            wire = [wire_predictions(e) if e["type"] == "predictions" else e for e in events]
            with self.lock:
                body = {"protocol": PROTOCOL_VERSION, "run": dict(self.run_info), "events": wire,
                        "dropped": self.outbox.dropped, "problems": self.problems.wire()}
            encoded = json.dumps(body, allow_nan=False, separators=(",", ":")).encode()
        except (TypeError, ValueError) as exc:
            return Reply("drop", f"cannot encode events as JSON: {exc}")
        return self.transport.post(encoded)

    def _settle(self, events: list[dict[str, Any]], reply: Reply) -> None:
        with self.lock:
            self._sending = False
            if reply.outcome == "retry":
                self.outbox.put_back(events)
                self._failures += 1
                delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (self._failures - 1))
                self._retry_at = time.monotonic() + delay * random.uniform(0.8, 1.2)
            else:
                self._failures = 0
                self._retry_at = 0.0
            has_finish = any(e["type"] == "finish" for e in events)
            self.finish_delivered = self.finish_delivered or (has_finish and reply.outcome == "ok")
            for control in reply.controls:
                if control["id"] not in self._seen_controls:
                    self._seen_controls.add(control["id"])
                    if control["kind"] == "stop":
                        self.stop_ids.append(control["id"])
                        self.stopped_by = self.stopped_by or control["by"]
                    else:
                        self.controls.append(control)
            if reply.reached:
                _unreachable.discard(self.transport.url)
            else:
                _unreachable.add(self.transport.url)
            given_up = self._closing and self._one_try and reply.outcome == "retry"
        self._report(reply)
        # Last, so whoever waits on `finished` sees the stop flag and the warning already.
        if (reply.outcome == "fatal" or (has_finish and reply.outcome == "drop") or self.finish_delivered
                or given_up):
            self.finished.set()

    def _report(self, reply: Reply) -> None:
        if (reply.stop or self.stop_ids) and not self.stop_requested.is_set():
            self.stopped_by = reply.stopped_by or self.stopped_by
            self.stop_requested.set()
            _log.info("Sloth monitor: stop requested from Slack by %s", reply.stopped_by or "someone")
        for notice in reply.notices:
            self._warn_once(f"notice:{notice}", "Sloth says about run %s: %s", self.transport.run_id, notice)
        if reply.outcome != "ok":
            self._warn_once(reply.outcome if reply.outcome == "retry" else reply.problem,
                            "Sloth monitor cannot deliver to %s (%s); training is unaffected%s",
                            self.transport.endpoint, reply.problem,
                            ", will keep retrying" if reply.outcome == "retry" else "")

    def _warn_once(self, key: str, message: str, *args: Any, exc_info: bool = False) -> None:
        if key not in self._warned:
            self._warned.add(key)
            _log.warning(message, *args, exc_info=exc_info)


def warn_once_log(logger: logging.Logger) -> Callable[[str, str], None]:
    """A Problems.warn that logs each kind's first problem."""
    def warn(kind: str, message: str) -> None:
        logger.warning("Sloth monitor: %s", message)
    return warn
