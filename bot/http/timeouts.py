"""Time limits for Sloth's HTTP side, which aiohttp's server does not have on its own.

aiohttp reads a request's headers and body for as long as the client cares to send them (its one
timer, keep-alive, defaults to an hour), so a few hundred connections trickling a byte at a time
hold their sockets until the process runs out of files. `GuardedHandler` is aiohttp's
`RequestHandler` with one timer per connection, whose deadline depends on where the connection is:

    headers  from connecting (or the next request's first byte)   header_seconds, then 408 and close
    body     from the end of the headers to the end of the body    body_seconds, then 408 and close
    busy     a handler is working on the request                   none
    idle     kept alive between requests                           idle_seconds, then close

("idle" starts when the handler returns, so a response the client does not read within
idle_seconds is cut off too.)

and every connection passes the gate (`bot.http.gate`) first: per-address and total caps, decided
the moment it connects, before aiohttp parses a byte of it. Only public aiohttp surface is used:
the handler's protocol callbacks, a middleware that marks when a request's headers are in and
when its handler is done, and the request body's own `set_exception`/`feed_eof`.
"""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

from bot.config.settings import HttpLimits
from bot.http.gate import Gate

LINGER_SECONDS = 2.0  # how long a turned-away client has to read its 503 before the socket is dropped
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def canned(status: str, text: str, retry_after: int | None = None) -> bytes:
    """A whole HTTP/1.1 response written straight to the socket, for connections aiohttp is not
    (or no longer) handling."""
    body = text.encode()
    retry = f"Retry-After: {retry_after}\r\n" if retry_after else ""
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"{retry}Connection: close\r\n\r\n").encode() + body


@functools.cache
def replies(limits: HttpLimits) -> tuple[bytes, bytes]:
    """The 408 for headers too slow and the 503 for a connection turned away, made once."""
    late = canned("408 Request Timeout", f"The request's headers did not arrive within {limits.header_seconds:g} s.\n")
    busy = canned("503 Service Unavailable", "Too many connections; try again shortly.\n",
                  max(1, math.ceil(limits.header_seconds)))
    return late, busy


class GuardedHandler(RequestHandler):
    def __init__(self, server: web.Server, gate: Gate) -> None:
        limits = gate.limits
        # No access log (as AppRunner(access_log=None)); aiohttp's own keep-alive timer stays as a
        # backstop, a second behind this one's.
        super().__init__(server, loop=asyncio.get_running_loop(), access_log=None,  # type: ignore[arg-type]
                         keepalive_timeout=limits.idle_seconds + 1.0)
        self.gate = gate
        self.client = ""
        self.phase = "headers"  # headers | body | busy | idle | cut (body too slow) | refused
        self.heard = False  # bytes of the current request's headers have arrived
        self.request: web.BaseRequest | None = None
        self.refused: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.late_headers, self.busy_reply = replies(limits)

    # -- asyncio's protocol callbacks --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self.client = str(peer[0]) if isinstance(peer, tuple) and peer else "local"
        refusal = self.gate.admit(self, self.client)
        if refusal is not None:
            self.refuse(transport, refusal)  # aiohttp never sees this connection
            return
        super().connection_made(transport)
        self.expect_headers()

    def data_received(self, data: bytes) -> None:
        if self.phase in ("refused", "cut"):
            return  # what a turned-away client, or a body too slow, still sends is dropped unread
        if self.phase == "idle":
            self.expect_headers()
        if self.phase == "headers":
            self.heard = True
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.stop_timer()
        if self.phase == "refused":
            if self.refused is not None:
                self.gate.lingered(self.refused)
            return
        self.gate.release(self)
        super().connection_lost(exc)

    def log_exception(self, *args: Any, **kw: Any) -> None:
        """A malformed request or a client that left mid-request is the client's doing: counted and
        logged at most once a minute, never a traceback each (aiohttp logs both as errors)."""
        exc = kw.get("exc_info")
        if isinstance(exc, HttpProcessingError):
            self.gate.note("malformed")
        elif isinstance(exc, ConnectionError):
            self.gate.note("disconnected")
        else:
            super().log_exception(*args, **kw)

    # -- the request's progress, told by the middleware --------------------------------------

    def request_started(self, request: web.BaseRequest) -> None:
        self.gate.busy(self)
        self.request = request
        if request.content.is_eof():
            self.phase = "busy"
            self.stop_timer()
        else:
            self.phase = "body"
            self.start_timer(self.gate.limits.body_seconds, self.body_late)
            request.content.on_eof(self.body_in)

    def request_done(self) -> None:
        self.request = None
        if self.phase == "cut":
            self.close()  # answer this request (its 408), then close: what is left of its body is no request
            return
        self.phase = "idle"
        self.gate.wait(self)
        self.start_timer(self.gate.limits.idle_seconds, self.idle_over)

    def body_in(self) -> None:
        if self.phase == "body":
            self.phase = "busy"
            self.stop_timer()

    # -- deadlines ---------------------------------------------------------------------------

    def expect_headers(self) -> None:
        self.phase, self.heard = "headers", False
        self.gate.wait(self)
        self.start_timer(self.gate.limits.header_seconds, self.headers_late)

    def headers_late(self) -> None:
        if self.phase != "headers":
            return
        self.gate.note("header_timeout")
        self.shut(self.late_headers if self.heard else b"")

    def body_late(self) -> None:
        if self.phase != "body" or self.request is None:
            return
        self.phase = "cut"
        self.gate.note("body_timeout")
        late = web.HTTPRequestTimeout(text=f"The request's body did not arrive within "
                                           f"{self.gate.limits.body_seconds:g} s.\n")
        late.force_close()
        # The handler's next read of the body raises this, and aiohttp answers it; with the body
        # marked complete, aiohttp does not wait for the rest of it either.
        self.request.content.set_exception(late)
        self.request.content.feed_eof()

    def idle_over(self) -> None:
        if self.phase == "idle":
            self.gate.note("idle_timeout")
            self.shut(b"")

    def evict(self) -> None:
        self.shut(self.busy_reply if self.phase == "headers" and self.heard else b"")

    def shut(self, last_words: bytes) -> None:
        self.stop_timer()
        self.gate.release(self)
        if last_words and self.transport is not None:
            self.transport.write(last_words)
        self.force_close()  # closes the socket once what was written is sent

    def refuse(self, transport: asyncio.BaseTransport, cause: str) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.phase, self.refused = "refused", transport
        if not self.gate.linger(transport):
            self.gate.note("shed")
            transport.abort()
            return
        self.gate.note(cause)
        # Answer, say nothing more (FIN), and drop the socket once the client closes its side or
        # after LINGER_SECONDS: closing with its request unread would reset the connection, and
        # the client might never read the 503.
        transport.write(self.busy_reply)
        if transport.can_write_eof():
            transport.write_eof()
        self.start_timer(LINGER_SECONDS, transport.abort)

    def start_timer(self, seconds: float, then: Callable[[], object]) -> None:
        self.stop_timer()
        self.timer = asyncio.get_running_loop().call_later(seconds, then)

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@web.middleware
async def watch_request(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Tells the connection when a request's headers are in and when its handler is done."""
    protocol = request.protocol
    if not isinstance(protocol, GuardedHandler):
        return await handler(request)
    protocol.request_started(request)
    try:
        return await handler(request)
    finally:
        protocol.request_done()
