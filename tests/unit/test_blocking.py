"""Running handlers (`bot.work.blocking`): plain `def` ones in a thread, `async def` ones on the loop,
each noted as what its task runs; `ctx.sync` only where it can work; the watch's threshold."""

from __future__ import annotations

import asyncio
import threading
import warnings

import pytest

from bot.config.problems import Problems
from bot.config.settings import load_settings
from bot.work import blocking

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}


async def test_a_plain_function_runs_in_a_thread_and_reaches_the_loop_with_run_on_loop() -> None:
    main = threading.current_thread()

    async def on_loop() -> tuple[bool, blocking.Label | None]:
        task = asyncio.current_task()
        assert task is not None
        return threading.current_thread() is main, blocking.RUNNING.get(task)

    def handler(x: int) -> tuple[int, str, tuple[bool, blocking.Label | None]]:
        return x * 2, threading.current_thread().name, blocking.run_on_loop(on_loop())

    doubled, thread, (back_on_loop, label) = await blocking.call("demo", "command twice", handler, 21)
    # Sloth's handler threads, not the loop's default executor that Sloth's own work uses.
    assert (doubled, thread.startswith("sloth-handler"), back_on_loop) == (42, True, True)
    assert label == blocking.Label("demo", "command twice")  # a block there is still blamed on it


async def test_an_async_handler_runs_on_the_loop_noted_as_its_tasks_handler_until_it_returns() -> None:
    async def handler() -> blocking.Label | None:
        task = asyncio.current_task()
        assert task is not None
        with blocking.running("other", "command inner"):
            assert blocking.RUNNING[task] == blocking.Label("other", "command inner")
        return blocking.RUNNING.get(task)

    assert await blocking.call("demo", "command outer", handler) == blocking.Label("demo", "command outer")
    assert asyncio.current_task() not in blocking.RUNNING


async def test_a_plain_function_that_returns_a_coroutine_has_it_awaited() -> None:
    async def answer() -> str:
        return "awaited"

    assert await blocking.call("demo", "job lambda", lambda: answer()) == "awaited"


async def test_run_on_loop_refuses_on_the_loop_itself_without_a_never_awaited_warning() -> None:
    async def nothing() -> None:
        return None

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="await it"):
            blocking.run_on_loop(nothing())


def test_run_on_loop_refuses_outside_a_plain_handler() -> None:
    async def nothing() -> None:
        return None

    with pytest.raises(RuntimeError, match="only while a plain `def` handler"):
        blocking.run_on_loop(nothing())


def test_the_loop_block_threshold_is_a_number_of_seconds() -> None:
    assert load_settings(GOOD).loop_block_seconds == 0.5
    assert load_settings({**GOOD, "SLOTH_LOOP_BLOCK_SECONDS": "0.2"}).loop_block_seconds == 0.2
    for bad in ("0", "-1", "soon", "nan", "inf", "61"):
        with pytest.raises(Problems) as caught:
            load_settings({**GOOD, "SLOTH_LOOP_BLOCK_SECONDS": bad})
        assert caught.value.problems == [
            f"SLOTH_LOOP_BLOCK_SECONDS must be a number of seconds from 0.05 to 60, not {bad!r}."]
