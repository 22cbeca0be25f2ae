"""Socket Mode on a thread of its own, so that no feature can hold up an ack.

Every feature's handler runs on one asyncio event loop (the main loop). One that blocks it
(`time.sleep`, a synchronous HTTP call, a long computation) would hold up every ack behind it
past Slack's 3 s. So the Socket Mode client (`bot.socket.client`: reading, acking, liveness pings,
reconnects and the watchdog) runs on an event loop of its own, in this thread, with its own
aiohttp session and Web API client (aiohttp objects belong to the loop that made them). Each
envelope is acked there and handed to the main loop with `call_soon_threadsafe`, before its ack
is sent, through the intake (`bot.handling.intake`), which also writes it down in the journal
first, synchronously on this thread: no hop to the main loop or to another thread before an ack.

Limits: the intake counts envelopes acked and not yet handled to the end. At its limit it takes
no more, and the client refuses them (see `bot.socket.client`) until some are done, so a main loop
that is held up for good cannot pile up acked work that will never be done.

Stopping: `stop` closes the connections on the socket loop, then ends the thread. Every
envelope acked before that was handed over first (the main loop runs callbacks in the order
they were scheduled), so the runtime's drain that follows sees all of them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import aiohttp

from bot.handling.ack_answer import AckAnswer, no_answer
from bot.handling.intake import Intake, Offer
from bot.slack.client import make_client
from bot.socket.client import SocketClient
from bot.work.metrics import Metrics
from bot.work.supervisor import Supervisor

log = logging.getLogger(__name__)
T = TypeVar("T")
WATCHDOG_SECONDS = 15.0
JOIN_SECONDS = 5.0


class SocketThread:
    def __init__(self, *, app_token: str, api_url: str, metrics: Metrics, intake: Intake,
                 on_fatal: Callable[[str], None], ack_answer: AckAnswer = no_answer) -> None:
        self.app_token, self.api_url, self.metrics = app_token, api_url, metrics
        self.intake, self.on_fatal = intake, on_fatal
        # The ack's payload for an envelope (bot.handling.ack_answer), worked out on this thread.
        self.ack_answer = ack_answer
        self.client: SocketClient | None = None
        self.loop = asyncio.new_event_loop()
        self._main: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="sloth-socket", daemon=True)
        self._session: aiohttp.ClientSession | None = None
        self._supervisor = Supervisor()

    # -- on the main loop ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start the thread and connect; raises what connecting raised (a refused app token)."""
        self._main = asyncio.get_running_loop()
        self._thread.start()
        await self._on_socket_loop(self._open())

    async def stop(self) -> None:
        """Close every connection (no new envelopes) and end the thread."""
        if self._thread.ident is None:  # never started
            self.loop.close()
            return
        if not self._thread.is_alive():
            return
        try:
            await self._on_socket_loop(self._close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            await asyncio.to_thread(self._thread.join, JOIN_SECONDS)

    def connected(self) -> bool:
        client = self.client
        return client is not None and client.live()

    async def _on_socket_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    # -- on the socket thread -----------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    async def _open(self) -> None:
        self._session = aiohttp.ClientSession()
        web_client = make_client(None, self.api_url, self._session, self.metrics)
        self.client = SocketClient(
            app_token=self.app_token, web_client=web_client, on_envelope=self._offer, on_fatal=self._fatal,
            metrics=self.metrics, supervisor=self._supervisor, ack_answer=self.ack_answer,
        )
        await self.client.connect_to_new_endpoint(force=True)
        self._supervisor.spawn(self._watchdog(), name="socket-watchdog")

    async def _close(self) -> None:
        if self.client is not None:
            await self.client.close()  # no new envelopes; unacked events go to other connections
        await self._supervisor.close()
        if self._session is not None:
            await self._session.close()

    def _offer(self, frame: dict[str, Any]) -> bool:
        """Journal an envelope and hand it to the main loop, unless too many are unfinished; True if taken."""
        return self.intake.offer(frame) is Offer.TAKEN

    def _fatal(self, message: str) -> None:
        if self._main is not None:
            self._main.call_soon_threadsafe(self.on_fatal, message)

    async def _watchdog(self) -> None:
        # The client reconnects by itself; this catches the rare wedged state where it doesn't.
        client = self.client
        assert client is not None
        down_since: float | None = None
        while True:
            await asyncio.sleep(WATCHDOG_SECONDS)
            if client.closed or not client.auto_reconnect_enabled or client.live():
                down_since = None
                continue
            down_since = down_since or self.loop.time()
            if self.loop.time() - down_since > 4 * WATCHDOG_SECONDS:
                log.warning("socket down for over a minute; reconnecting")
                self.metrics.reconnects.labels("watchdog").inc()
                await client.connect_to_new_endpoint(force=True)
                down_since = None
