"""The loop watch (`bot.runtime.loop_watch`) on a real event loop: a task that holds the loop is blamed on
the handler it runs (or on no feature), a loop busy with many short steps on nobody. The holding
is real (`time.sleep` on the loop): that is the behaviour under watch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.runtime.loop_watch import LoopWatch
from bot.work.blocking import running
from bot.work.metrics import Metrics


@pytest.fixture
async def watch() -> AsyncIterator[LoopWatch]:
    watching = LoopWatch(asyncio.get_running_loop(), 0.1, Metrics())
    watching.start()
    yield watching
    await watching.stop()


def count(watch: LoopWatch, feature: str, what: str) -> float:
    return float(watch.metrics.loop_blocked.labels(feature, what)._value.get())


async def hold(seconds: float) -> None:
    time.sleep(seconds)  # noqa: ASYNC251 - holding the loop is what is watched


async def test_a_handler_holding_the_loop_is_blamed_on_its_feature_and_name(watch: LoopWatch) -> None:
    async def handler() -> None:
        with running("demo", "command nap"):
            await hold(0.3)

    await asyncio.create_task(handler())
    await watch.caught_up()
    [blocked] = watch.blocked
    assert (blocked.feature, blocked.what) == ("demo", "command nap") and 0.2 <= blocked.seconds < 1.0
    assert count(watch, "demo", "command nap") == 1
    assert watch.metrics.loop_blocked_seconds.labels("demo", "command nap")._value.get() == blocked.seconds


async def test_a_task_no_handler_runs_is_counted_as_unknown_and_not_blamed_on_a_feature(watch: LoopWatch) -> None:
    await asyncio.create_task(hold(0.3))
    await watch.caught_up()
    assert watch.blocked == [] and count(watch, "unknown", "unknown") == 1


async def test_many_short_steps_are_blamed_on_nobody(watch: LoopWatch) -> None:
    async def step() -> None:
        with running("demo", "command step"):
            await hold(0.01)

    # Forty tasks started at once take their steps in one turn of the loop: 0.4 s without the
    # watch's callback running, but no one task holds it.
    await asyncio.gather(*(asyncio.create_task(step()) for _ in range(40)))
    await watch.caught_up()
    assert watch.blocked == [] and count(watch, "demo", "command step") == 0
