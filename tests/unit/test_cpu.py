"""The worker-process pool for heavy work: results, priority, bounds, and recovery from a dead worker."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot.cpu import NICENESS, Busy, CpuPool
from handlers.tally import rolling_mean


async def test_work_runs_in_another_process_at_lower_priority() -> None:
    pool = CpuPool(workers=1)
    try:
        assert await pool.run(rolling_mean, [2, 4, 6], 2) == [2.0, 3.0, 5.0]
        assert await pool.run(os.getpid) != os.getpid()
        assert await pool.run(os.nice, 0) >= min(19, os.nice(0) + NICENESS)
        assert (pool.running, pool.done) == (0, 3)
    finally:
        await pool.close()


async def test_a_dead_worker_fails_one_call_and_the_pool_recovers() -> None:
    pool = CpuPool(workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            await pool.run(os._exit, 3)
        assert await pool.run(rolling_mean, [1]) == [1.0]
    finally:
        await pool.close()


async def test_heavy_jobs_beyond_the_bound_are_refused_politely() -> None:
    pool = CpuPool(workers=1, max_jobs=2)
    async with pool.job(), pool.job():
        assert pool.jobs == 2
        with pytest.raises(Busy, match="busy with 2 charts and exports"):
            async with pool.job():
                pass
    assert pool.jobs == 0
    async with pool.job():
        assert pool.jobs == 1
    await pool.close()  # never started: nothing to stop
