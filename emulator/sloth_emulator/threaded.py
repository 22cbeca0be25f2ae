"""The emulator on an event loop of its own, in a thread.

On the test's own event loop, the emulator stops whenever the app under test blocks that loop:
it could neither send envelopes nor time acks meanwhile. In a thread it keeps doing both, as
Slack would. Everything that touches the emulator runs on its loop: `await slack.run(coroutine)`,
`await slack.call(function, *args)`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

from sloth_emulator import Emulator, Workspace

T = TypeVar("T")


class EmulatorThread:
    def __init__(self, workspace: Workspace | None = None, **options: Any) -> None:
        self.workspace, self.options = workspace, options
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="emulator", daemon=True)
        self._emulator: Emulator | None = None

    @property
    def emu(self) -> Emulator:
        """The emulator: read its plain attributes from anywhere, call it only through run/call."""
        assert self._emulator is not None
        return self._emulator

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        async def called() -> T:
            return function(*args)

        return await self.run(called())

    async def __aenter__(self) -> EmulatorThread:
        async def started() -> Emulator:  # made on its own loop, which its objects belong to
            return await Emulator(self.workspace or Workspace.default(), **self.options).start()

        self.thread.start()
        self._emulator = await self.run(started())
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if self._emulator is not None:
                await self.run(self._emulator.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            await asyncio.to_thread(self.thread.join, 10)
            self.loop.close()
