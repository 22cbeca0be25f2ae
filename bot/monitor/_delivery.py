"""Getting events to Sloth: the bounded queue, one HTTP POST, and the sender thread."""

from __future__ import annotations

import collections
import http.client
import ipaddress
import json
import logging
import math
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._wire import wire_predictions

_log = logging.getLogger(__name__)

MAX_EVENTS_PER_POST = 100
MAX_PENDING_EVENTS = 1000
REQUEST_TIMEOUT = 10.0
BACKOFF_FIRST = 0.5
BACKOFF_CAP = 30.0


class Outbox:
    """Pending events in seq order. Batch updates keep only the latest; the rest is bounded."""

    def __init__(self, max_events: int = MAX_PENDING_EVENTS) -> None:
        self.max_events = max_events
        self.dropped = 0
        self._seq = 0
        self._events: collections.deque[dict[str, Any]] = collections.deque()
        self._batch: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self._events) + (self._batch is not None)

    def put(self, event: dict[str, Any]) -> None:
        self._seq += 1
        event["seq"] = self._seq
        if event["type"] == "batch":
            self._batch = event
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
        while len(taken) < limit and (self._events or self._batch):
            if self._batch and (not self._events or self._batch["seq"] < self._events[0]["seq"]):
                taken.append(self._batch)
                self._batch = None
            elif self._events[0]["type"] == "predictions" and taken:
                break
            else:
                taken.append(self._events.popleft())
                if taken[-1]["type"] == "predictions":
                    break
        return taken

    def put_back(self, events: list[dict[str, Any]]) -> None:
        """Return events whose delivery failed; a newer batch update wins over a returned one."""
        for event in reversed(events):
            if event["type"] != "batch":
                self._events.appendleft(event)
            elif self._batch is None:
                self._batch = event
        self._trim()

    def _trim(self) -> None:
        while len(self._events) > self.max_events:
            victim = next((e for e in self._events if e["type"] not in ("start", "finish")), None)
            if victim is None:
                return
            self._events.remove(victim)
            self.dropped += 1


@dataclass(frozen=True)
class Reply:
    """How one POST went: "ok", "retry", "drop" (discard those events) or "fatal" (give up)."""

    outcome: str
    problem: str = ""
    stop: bool = False
    stopped_by: str | None = None


def reply_for_status(status: int) -> Reply:
    if status in (401, 403):
        return Reply("fatal", f"HTTP {status}: check SLOTH_MONITOR_TOKEN")
    if status in (408, 425, 429) or status >= 500:
        return Reply("retry", f"HTTP {status}")
    return Reply("drop", f"HTTP {status}")


def reply_for_body(raw: bytes) -> Reply:
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return Reply("drop", "the answer is not Sloth's JSON; is the URL right?")
    stopped_by = answer.get("stopped_by")
    return Reply("ok", stop=answer.get("stop") is True,
                 stopped_by=stopped_by if isinstance(stopped_by, str) else None)


class Transport:
    """One blocking POST with the standard library. Never raises."""

    def __init__(self, endpoint: str, token: str | None, timeout: float = REQUEST_TIMEOUT) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._headers = {"Content-Type": "application/json", "User-Agent": "sloth-monitor/1"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        # A proxy from HTTP_PROXY cannot reach this machine's loopback.
        handlers = [urllib.request.ProxyHandler({})] if _is_loopback(endpoint) else []
        self._opener = urllib.request.build_opener(*handlers)

    def post(self, body: bytes) -> Reply:
        request = urllib.request.Request(self.endpoint, data=body, headers=self._headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return reply_for_body(response.read())
        except urllib.error.HTTPError as exc:
            exc.close()
            return reply_for_status(exc.code)
        except ValueError as exc:  # a malformed SLOTH_URL: retrying cannot help
            return Reply("fatal", f"bad URL: {exc}")
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            return Reply("retry", f"{type(exc).__name__}: {reason}")


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Sender:
    """The daemon thread: sends what is due, retries with backoff, heartbeats, logs once."""

    def __init__(self, outbox: Outbox, transport: Transport, run_block: Callable[[], dict[str, Any]],
                 poll_interval: float) -> None:
        self.outbox = outbox
        self.transport = transport
        self.run_block = run_block
        self.poll_interval = poll_interval
        self.lock = threading.Condition()
        self.stop_requested = threading.Event()
        self.stopped_by: str | None = None
        self.finished = threading.Event()  # finish delivered, or nothing more will ever be sent
        self.finish_delivered = False
        self._closing = False
        self._abandoned = False
        self._failures = 0
        self._retry_at = 0.0
        self._last_post = 0.0
        self._warned: set[str] = set()
        self._thread = threading.Thread(target=self._loop, name="sloth-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """The finish event is queued: send it now, then end the thread."""
        with self.lock:
            self._closing = True
            self._retry_at = 0.0
            self.lock.notify()

    def abandon(self) -> None:
        with self.lock:
            self._abandoned = True
            self.lock.notify()

    def _loop(self) -> None:
        while not self.finished.is_set():
            try:
                events = self._wait_for_work()
                if events is None:
                    return
                self._settle(events, self._send(events))
            except Exception:  # a bug here must not leave a traceback per retry
                self._warn_once("bug", "Sloth monitor stopped reporting after an error", exc_info=True)
                self.finished.set()

    def _wait_for_work(self) -> list[dict[str, Any]] | None:
        with self.lock:
            while not self._abandoned:
                now = time.monotonic()
                due = self._retry_at if len(self.outbox) else self._heartbeat_due()
                if due <= now:
                    self._last_post = now
                    return self.outbox.take(MAX_EVENTS_PER_POST)
                self.lock.wait(due - now)
            self.finished.set()
            return None

    def _heartbeat_due(self) -> float:
        # Closing with an empty outbox means the finish event is on its way already.
        return math.inf if self._closing else max(self._retry_at, self._last_post + self.poll_interval)

    def _send(self, events: list[dict[str, Any]]) -> Reply:
        try:
            wire = [wire_predictions(e) if e["type"] == "predictions" else e for e in events]
            body = {"run": self.run_block(), "events": wire, "dropped": self.outbox.dropped}
            encoded = json.dumps(body, allow_nan=False, separators=(",", ":")).encode()
        except (TypeError, ValueError) as exc:
            return Reply("drop", f"cannot encode events as JSON: {exc}")
        return self.transport.post(encoded)

    def _settle(self, events: list[dict[str, Any]], reply: Reply) -> None:
        with self.lock:
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
        self._report(reply)
        # Last, so whoever waits on `finished` sees the stop flag and the warning already.
        if reply.outcome == "fatal" or (has_finish and reply.outcome == "drop") or self.finish_delivered:
            self.finished.set()

    def _report(self, reply: Reply) -> None:
        if reply.stop and not self.stop_requested.is_set():
            self.stopped_by = reply.stopped_by
            self.stop_requested.set()
            _log.info("Sloth monitor: stop requested from Slack by %s", reply.stopped_by or "someone")
        if reply.outcome != "ok":
            self._warn_once(reply.outcome if reply.outcome == "retry" else reply.problem,
                            "Sloth monitor cannot deliver to %s (%s); training is unaffected%s",
                            self.transport.endpoint, reply.problem,
                            ", will keep retrying" if reply.outcome == "retry" else "")

    def _warn_once(self, key: str, message: str, *args: Any, exc_info: bool = False) -> None:
        if key not in self._warned:
            self._warned.add(key)
            _log.warning(message, *args, exc_info=exc_info)
