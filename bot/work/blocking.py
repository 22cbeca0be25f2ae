"""Running features' handlers: which one holds the event loop, and plain `def` handlers off it.

Every feature shares one asyncio event loop. Dispatch runs each handler through `call`:

- an `async def` handler runs on the loop, noted as what its task is running, so that the loop
  watch (`bot.runtime.loop_watch`) can name the feature and the command, button, event, job or route
  that holds the loop when it stops turning;
- a plain `def` handler runs in a thread (as `asyncio.to_thread` would, but in a pool of its
  own, so that features' handlers never hold up the threads Sloth itself uses), where
  `time.sleep`, a synchronous HTTP client or a long computation holds up no one else. It must
  not use the async Slack client or store directly (they belong to the loop): `run_on_loop`
  (`ctx.sync(...)`) runs such a coroutine on the loop and waits for its result.

The context variables the request carries (the guard's scope, whose request it is) go with the
handler into its thread and back onto the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
HANDLER_THREADS = 32  # plain `def` handlers running at once; more wait for a thread
_threads: ThreadPoolExecutor | None = None  # made on first use, for the whole process


@dataclass(frozen=True)
class Label:
    """What a task is running: `feature` and `what` ("command help", "button game", "job sweep")."""

    feature: str
    what: str


# The handler each task is running now. The loop watch reads it from its own thread, for the task
# that holds the loop; a dict read is atomic, and entries go as soon as their handler returns.
RUNNING: dict[asyncio.Task[Any], Label] = {}
_label: ContextVar[Label | None] = ContextVar("sloth_handler", default=None)
_loop: ContextVar[asyncio.AbstractEventLoop | None] = ContextVar("sloth_loop", default=None)


@contextlib.contextmanager
def running(feature: str, what: str) -> Iterator[None]:
    """Note that the current task runs `feature`'s `what` until the block ends (nests)."""
    label = Label(feature, what)
    task = asyncio.current_task()
    before = RUNNING.get(task) if task is not None else None
    token = _label.set(label)
    if task is not None:
        RUNNING[task] = label
    try:
        yield
    finally:
        _label.reset(token)
        if task is not None:
            if before is None:
                RUNNING.pop(task, None)
            else:
                RUNNING[task] = before


def is_async(handler: Callable[..., Any]) -> bool:
    if inspect.iscoroutinefunction(handler):
        return True
    # An object whose __call__ is `async def`.
    return not inspect.isroutine(handler) and inspect.iscoroutinefunction(type(handler).__call__)


async def call(feature: str, what: str, handler: Callable[..., Any], *args: Any) -> Any:
    """Run a feature's handler: an `async def` one on the loop, a plain `def` one in a thread."""
    if is_async(handler):
        with running(feature, what):
            return await handler(*args)
    loop = asyncio.get_running_loop()
    token = _loop.set(loop)
    try:
        with running(feature, what):
            # The request's context variables go along, as with asyncio.to_thread.
            in_thread = functools.partial(contextvars.copy_context().run, handler, *args)
            result = await loop.run_in_executor(_pool(), in_thread)
            if inspect.isawaitable(result):  # a plain function that returns a coroutine (a lambda)
                result = await result
            return result
    finally:
        _loop.reset(token)


def _pool() -> ThreadPoolExecutor:
    global _threads
    if _threads is None:
        _threads = ThreadPoolExecutor(HANDLER_THREADS, thread_name_prefix="sloth-handler")
    return _threads


async def labelled(feature: str, what: str, work: Awaitable[T]) -> T:
    """`work`, noted as `feature`'s `what` while it runs (a feature's background task)."""
    with running(feature, what):
        return await work


def run_on_loop(coro: Coroutine[Any, Any, T]) -> T:
    """From a plain `def` handler (in its thread): run `coro` on Sloth's event loop, wait for it
    and return its result (or raise its exception)."""
    loop = _loop.get()
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if loop is None or here is not None:
        coro.close()  # never started: no "never awaited" warning on top of the error
        if here is not None:
            raise RuntimeError("ctx.sync() is for plain `def` handlers; in an `async def` handler, await it")
        raise RuntimeError("ctx.sync() works only while a plain `def` handler of a feature runs")
    label = _label.get()
    work = labelled(label.feature, label.what, coro) if label is not None else coro
    return asyncio.run_coroutine_threadsafe(work, loop).result()
