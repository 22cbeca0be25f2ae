"""Who may hold a connection to Sloth's HTTP side, and what Sloth says when it turns one away.

The gate counts connections per client address and in all. A newcomer from an address that
already holds `max_per_client` is turned away (503). When all `max_connections` are taken, the
connection that has waited longest without a request in progress (idle between requests, or
still sending its headers) is closed to make room: a health probe, which sends its request the
moment it connects, always finds a place however many slow connections are open, and only
when every connection is in the middle of a request is the newcomer turned away.

Each cause is counted in /metrics (`sloth_http_closed_total{cause}`) and logged at most once a
minute, with how many happened since the last line: a flood of bad connections costs a few
counter increments, not a log line each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client import Counter as Count

from bot.config.settings import HttpLimits

log = logging.getLogger(__name__)

LOG_EVERY = 60.0  # seconds between two log lines of one cause
FD_RESERVE = 128  # open files kept for everything but HTTP clients (store, Slack, workers, logs)
MAX_LINGERING = 64  # turned-away connections kept open briefly so their 503 is read; beyond, closed at once
# The listening socket's queue. asyncio accepts up to this many connections at a time, each an open
# file before the gate has seen it; two such batches can be in flight while the gate closes others.
BACKLOG = 128

# What each cause's log line says; `{n}` is how many since the last line of that cause.
SAID = {
    "header_timeout": "closed {n} connection(s) that sent no complete request headers in time",
    "body_timeout": "answered 408 to {n} request(s) whose body did not arrive in time",
    "client_cap": "turned away {n} connection(s) with 503: their address already held its share",
    "full": "turned away {n} connection(s) with 503: every connection was in the middle of a request",
    "evicted": "closed {n} waiting connection(s) to make room for new ones: the connection limit was reached",
    "shed": "closed {n} connection(s) at once, unanswered: too many were already being turned away",
    "malformed": "answered 400 to {n} malformed request(s)",
    "disconnected": "{n} client(s) went away in the middle of a request",
}
QUIET = frozenset({"idle_timeout"})  # counted, never logged: closing an idle keep-alive connection is routine


class Held(Protocol):
    def evict(self) -> None:
        """Close this connection now: the gate needs its place."""


def connection_room(wanted: int) -> int:
    """`wanted`, or fewer if the open-file limit would run out first.

    A listening socket that cannot accept (EMFILE) stops every new connection, /healthz's included,
    and asyncio logs each failed accept: the limit must be reached long before the files run out."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    in_use = 64
    with contextlib.suppress(OSError):
        in_use = len(os.listdir("/proc/self/fd"))
    room = soft - in_use - FD_RESERVE - MAX_LINGERING - 2 * BACKLOG
    if wanted <= room:
        return wanted
    allowed = max(room, 8)
    log.warning("Sloth's HTTP side holds at most %d connections, not SLOTH_HTTP_MAX_CONNECTIONS=%d: the open-file "
                "limit is %d (%d in use). Raise it (ulimit -n, or the container's nofile) or lower the setting.",
                allowed, wanted, soft, in_use)
    return allowed


class Gate:
    def __init__(self, limits: HttpLimits, registry: CollectorRegistry, max_connections: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.max_connections = max_connections or limits.max_connections
        self.clock = clock
        self.registry = registry
        self.held: dict[Held, str] = {}  # connection -> client address
        self.per_client: Counter[str] = Counter()
        self.waiting: dict[Held, None] = {}  # no request in progress, longest waiting first
        self.lingering: set[asyncio.Transport] = set()  # turned away, left a moment to read the 503
        self.closed = Count("sloth_http_closed_total",
                            "Connections Sloth's HTTP side closed or turned away, requests it answered 400/408, and "
                            "clients that left mid-request, by cause.",
                            ["cause"], registry=registry)
        self.open = Gauge("sloth_http_connections", "Connections open to Sloth's HTTP side.", registry=registry)
        self._logged: dict[str, float] = {}
        self._unlogged: Counter[str] = Counter()

    def admit(self, conn: Held, client: str) -> str | None:
        """None when `conn` may stay, else why it is turned away; may close a waiting one to make room."""
        if self.limits.max_per_client and self.per_client[client] >= self.limits.max_per_client:
            return "client_cap"
        if len(self.held) >= self.max_connections:
            if not self.waiting:
                return "full"
            oldest = next(iter(self.waiting))
            self.release(oldest)
            oldest.evict()
            self.note("evicted")
        self.held[conn] = client
        self.per_client[client] += 1
        self.open.set(len(self.held))
        return None

    def release(self, conn: Held) -> None:
        """`conn` is closing (or closed); safe to call more than once."""
        client = self.held.pop(conn, None)
        self.waiting.pop(conn, None)
        if client is None:
            return
        self.per_client[client] -= 1
        if not self.per_client[client]:
            del self.per_client[client]
        self.open.set(len(self.held))

    def wait(self, conn: Held) -> None:
        """`conn` has no request in progress (again): the first to go when room is needed."""
        if conn in self.held:
            self.waiting.pop(conn, None)
            self.waiting[conn] = None

    def busy(self, conn: Held) -> None:
        self.waiting.pop(conn, None)

    def linger(self, transport: asyncio.Transport) -> bool:
        """True if one more turned-away connection may stay open long enough to read its 503."""
        if len(self.lingering) >= MAX_LINGERING:
            return False
        self.lingering.add(transport)
        return True

    def lingered(self, transport: asyncio.Transport) -> None:
        self.lingering.discard(transport)

    def close(self) -> None:
        """Drop the turned-away connections still open (the server is stopping)."""
        for transport in list(self.lingering):
            transport.abort()

    def note(self, cause: str) -> None:
        """Count `cause`; log it unless it was logged less than a minute ago (then say how many later)."""
        self.closed.labels(cause).inc()
        if cause in QUIET:
            return
        self._unlogged[cause] += 1
        now = self.clock()
        last = self._logged.get(cause)
        if last is not None and now - last < LOG_EVERY:
            return
        self._logged[cause] = now
        count = self._unlogged.pop(cause)
        log.warning("HTTP side: %s (sloth_http_closed_total{cause=\"%s\"}; at most one such line a minute)",
                    SAID[cause].format(n=count), cause)
