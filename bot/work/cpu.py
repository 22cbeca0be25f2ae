"""CPU-heavy work (charts, CSV files) in a small pool of worker processes.

Rendering a chart or building a CSV of ten thousand messages takes from tenths of a second to
seconds of pure Python. Run on the event loop, that would hold up every ack behind it; run in a
thread, it would still compete for the GIL. Worker processes keep the loop free. They run at a
lower CPU priority, so on a small machine the loop still gets a core the moment it needs one.

Two bounds: at most `workers` calls run at once (the rest wait in the executor's queue), and
at most `max_jobs` heavy commands are in progress at all (fetching or rendering); past that,
`job()` refuses with a friendly "busy" so a burst of requests cannot tie up every worker.

The workers are forked from one fork server that imports the `preload` modules once (the chart
module, and with it matplotlib and numpy), so every worker starts with them loaded. The process
that asks for the work never imports them: it names the function by its import path (a `Task`,
`bot.pure.tasks`), and only the worker resolves it. A `quick` task (Sloth's move in a game) runs
in a thread instead, never behind charts.

With a Redis store, `ctx.cpu` is the job queue instead (`bot.work.queue.QueuedWork`, the same
shape: `Work`), and this pool runs inside each `sloth worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import select
import sys
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from bot.pure.errors import UserError
from bot.pure.tasks import Made, Task

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    from bot.work.lanes import FileTo

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

# Imported by the fork server before anything else: Sloth's own `bot` and `handlers`, whatever the
# working directory holds (the fork server puts it first on its import path).
OWN_MODULE = "sloth_bot.own"
# Then this, so that the fork server, and every worker it forks, runs at a lower priority while it
# imports the preloaded modules.
PRIORITY_MODULE = "bot.work.cpu_priority"
NICENESS = 10  # as in bot.work.cpu_priority, which must not be imported here: it would slow this process


def _call(path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # In the worker: the module is usually preloaded already, so this is a dictionary lookup.
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def call_job(path: str, args: Any, kwargs: Any, encode: bool) -> Any:
    """A job of the queue, in a worker process: its arguments as `bot.work.codec` sent them, read
    once the task's module is imported (so its records can be rebuilt); the result encoded too
    unless `encode` is False (a file's bytes, uploaded by the worker itself)."""
    from bot.work import codec

    module, _, name = path.partition(":")
    function = getattr(importlib.import_module(module), name)
    result = function(*codec.load(args), **codec.load(kwargs))
    return codec.dump(result) if encode else result


def findable(name: str) -> bool:
    """Whether `import name` would find a module, without running any module's code.

    importlib.util.find_spec("a.b") imports the package `a` to read its __path__, and a package's
    __init__ may import a lot; here each level is looked up with the import system's finders.
    """
    path: Sequence[str] | None = None
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        fullname = ".".join(parts[:depth])
        if fullname in sys.modules:
            path = getattr(sys.modules[fullname], "__path__", None)
            continue
        if depth > 1 and path is None:
            return False  # its parent is a module, not a package: it has no submodules
        spec = _find_spec(fullname, path)
        if spec is None:
            return False
        path = spec.submodule_search_locations
    return True


def _find_spec(fullname: str, path: Sequence[str] | None) -> ModuleSpec | None:
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec: ModuleSpec | None = find(fullname, path) if find is not None else None
        if spec is not None:
            return spec
    return None


def _not_preloaded(names: list[str]) -> list[tuple[str, str]]:
    """In a worker: the preloaded modules its fork server lacks, each with why ("" if it imports)."""
    missing = []
    for name in names:
        if name in sys.modules:
            continue
        try:  # the fork server swallows ImportError; importing again here shows what it was
            importlib.import_module(name)
            missing.append((name, ""))  # the fork server was started without it, by another pool
        except Exception as e:
            missing.append((name, f"{type(e).__name__}: {e}"))
    return missing


def default_workers() -> int:
    # Leave one core to the event loop (and whatever else runs on the machine).
    return max(1, (os.cpu_count() or 2) - 1)


def _start_worker(niceness: int, owner: int) -> None:
    # Normally inherited from the fork server already; this covers a server started without it.
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, 0) < niceness:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
    _end_with(owner)


def _end_with(owner: int) -> None:
    """End this worker when the process that owns the pool ends, even killed without a word.

    A worker waits for work on a pipe it holds both ends of, so it would wait forever, and keep
    the fork server and the resource tracker alive with it.
    """
    try:
        watched = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(1)  # already gone
    except (AttributeError, OSError):
        return  # no pidfd here (not Linux): only a clean shutdown ends the workers

    def wait() -> None:
        select.select([watched], [], [])  # readable once the owner has exited
        os._exit(1)

    threading.Thread(target=wait, name="owner-watch", daemon=True).start()


def _context(preload: Sequence[str]) -> Any:
    # The fork server is a clean process: forking it is safe, unlike forking this process with
    # its threads and event loop, and cheaper than spawning and importing afresh. There is one
    # fork server per process: the first pool to start it decides what it preloads.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([OWN_MODULE, PRIORITY_MODULE, *preload])
    return context


class Busy(UserError):
    """Too many heavy commands are in progress."""


class Work(Protocol):
    """`ctx.cpu`: this process's pool (`CpuPool`) or the job queue (`bot.work.queue.QueuedWork`)."""

    queued: bool  # True: the job queue, whose workers upload the files they make

    def job(self) -> AbstractAsyncContextManager[None]: ...

    async def run(self, function: Callable[P, T] | Task[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...

    async def remote_upload(self, made: Made, file: FileTo) -> dict[str, Any] | None: ...

    async def prepare(self) -> None: ...

    async def close(self) -> None: ...


class CpuPool:
    queued = False

    def __init__(self, workers: int | None = None, max_jobs: int = 8, preload: Sequence[str] = ()) -> None:
        """`preload`: modules the fork server imports once for every worker (checked here, not imported)."""
        for name in preload:
            if not findable(name):
                raise ModuleNotFoundError(f"the worker processes cannot preload {name!r}: there is no such module",
                                          name=name)
        self.workers = workers or default_workers()
        self.max_jobs = max_jobs
        self.preload = list(preload)
        self.jobs = 0  # heavy commands admitted and not yet finished
        self.running = 0  # calls handed to the worker processes and not yet returned
        self.done = 0  # calls that returned (or failed), for tests and metrics
        self._executor: ProcessPoolExecutor | None = None

    @contextlib.asynccontextmanager
    async def job(self) -> AsyncIterator[None]:
        """Admit one heavy command, or refuse with Busy when `max_jobs` are in progress."""
        if self.jobs >= self.max_jobs:
            raise Busy(f"I'm busy with {self.jobs} charts and exports right now; try again in a minute.")
        self.jobs += 1
        try:
            yield
        finally:
            self.jobs -= 1

    async def run(self, function: Callable[P, T] | Task[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`function(*args, **kwargs)` in a worker process.

        `function` is a Task, or a module-level function of a module this process has imported
        anyway; the arguments and the result must be picklable.
        """
        if isinstance(function, Task) and function.quick:
            return await self._in_thread(function, *args, **kwargs)
        executor = self._ensure()
        self.running += 1
        try:
            # Submitting may start a worker process, which waits for the fork server (the first
            # time, for it to import the preloaded modules): do that in a thread, never on the loop.
            if isinstance(function, Task):
                future = await asyncio.to_thread(executor.submit, _call, function.path, args, kwargs)
            else:
                future = await asyncio.to_thread(executor.submit, function, *args, **kwargs)
            result: T = await asyncio.wrap_future(future)
            return result
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start afresh next time instead of failing forever.
            log.error("a worker process died; the pool will be restarted")
            self._discard(executor)
            raise
        finally:
            self.running -= 1
            self.done += 1

    async def _in_thread(self, task: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        self.running += 1
        try:
            result: T = await asyncio.to_thread(_call, task.path, args, kwargs)
            return result
        finally:
            self.running -= 1
            self.done += 1

    async def remote_upload(self, made: Made, file: FileTo) -> dict[str, Any] | None:
        return None  # made here and uploaded by the caller

    async def prepare(self) -> None:
        """Start the fork server and a first worker now, so that the one-off import of the preloaded
        modules (about a second of CPU, at low priority) happens while Sloth is idle after
        connecting rather than when the first chart is asked for; and report, once, each module
        the fork server could not import (it would silently go without)."""
        for name, problem in await self.run(_not_preloaded, self.preload):
            if problem:
                log.error("the worker processes could not preload %s (%s); what needs it will fail", name, problem)
            else:
                log.warning("the fork server was started without %s; each worker imports it on first use", name)

    def _ensure(self) -> ProcessPoolExecutor:
        if self._executor is None:
            niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICENESS)
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=_context(self.preload), initializer=_start_worker,
                initargs=(niceness, os.getpid()),
            )
        return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        if self._executor is executor:
            self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
