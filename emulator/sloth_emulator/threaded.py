"""The emulator on an event loop of its own, in a thread: for sync apps (`slack_bolt.App`,
`WebClient`, the built-in `SocketModeHandler`) and for apps whose handlers block their loop.

On the test's own event loop, the emulator stops whenever the app under test blocks that loop:
it could neither send envelopes nor time acks meanwhile. In a thread it keeps doing both, as
Slack would.

From a sync test, every Emulator method and attribute is at hand, run on the emulator's loop
and waited for: `slack.command("/hello")`, `slack.posts()`, `slack.wait_connected()`. From
async code on another loop: `await slack.run(coroutine)`, `await slack.call(function, *args)`.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

from sloth_emulator.emulator import Emulator
from sloth_emulator.workspace import Workspace

T = TypeVar("T")
WAIT = 60.0  # the longest a sync call waits for the emulator's loop (each call has its own timeout)


class EmulatorThread:
    def __init__(self, workspace: Workspace | None = None, **options: Any) -> None:
        self.workspace, self.options = workspace, options
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="slack-emulator", daemon=True)
        self._emulator: Emulator | None = None

    @property
    def emu(self) -> Emulator:
        """The emulator: read its plain attributes from anywhere, call it only on its loop."""
        if self._emulator is None:
            raise RuntimeError("the emulator thread is not started")
        return self._emulator

    # -- from sync code --------------------------------------------------------------------

    def start(self) -> EmulatorThread:
        async def started() -> Emulator:  # made on its own loop, which its objects belong to
            return await Emulator(self.workspace or Workspace.default(), **self.options).start()

        self.thread.start()
        self._emulator = self.do(started())
        return self

    def stop(self) -> None:
        try:
            if self._emulator is not None:
                self.do(self._emulator.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

    def do(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the emulator's loop and wait for its result (not from that loop)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(WAIT)

    def __getattr__(self, name: str) -> Any:
        """The emulator's `name`: a method runs on its loop and is waited for; others are read."""
        if name.startswith("_"):
            raise AttributeError(name)
        found = getattr(self.emu, name)
        if inspect.iscoroutinefunction(found):
            return lambda *args, **kwargs: self.do(found(*args, **kwargs))
        if inspect.ismethod(found):
            return lambda *args, **kwargs: self.do(_called(found, *args, **kwargs))
        return found

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- from async code on another loop ------------------------------------------------------

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        return await self.run(_called(function, *args))

    async def __aenter__(self) -> EmulatorThread:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await asyncio.to_thread(self.stop)


async def _called(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return function(*args, **kwargs)
