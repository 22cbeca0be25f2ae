"""The worker-process pool for heavy work: results, priority, bounds, recovery from a dead worker,
tasks named by import path, and the modules its fork server preloads."""

from __future__ import annotations

import importlib
import os
import select
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bot.work.cpu import NICENESS, Busy, CpuPool, Task, findable
from handlers import charts, plots
from handlers.tally import rolling_mean
from handlers.training import follow, render

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter (its own fork server, nothing imported by other tests)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, [ROOT, *paths]))}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


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


async def test_a_task_named_by_its_import_path_runs_in_a_worker() -> None:
    mean: Task[[list[int], int], list[float]] = Task("handlers.tally:rolling_mean")
    pid: Task[[], int] = Task("os:getpid")
    pool = CpuPool(workers=1)
    try:
        assert await pool.run(mean, [2, 4, 6], 2) == [2.0, 3.0, 5.0]
        assert await pool.run(pid) != os.getpid()
        with pytest.raises(AttributeError, match="no_such_function"):
            await pool.run(Task("handlers.tally:no_such_function"))
    finally:
        await pool.close()


@pytest.mark.parametrize("path", ["handlers.tally", "handlers.tally:", ":rolling_mean", "handlers.tally:a b"])
def test_a_task_name_says_module_and_function(path: str) -> None:
    with pytest.raises(ValueError, match=r"package\.module:function"):
        Task(path)


@pytest.mark.parametrize(("task", "function"), [
    (plots.ACTIVITY_PNG, charts.activity_png), (plots.MEMBERS_PNG, charts.members_png),
    (follow.CURVES_PNG, render.curves_png), (follow.PREDICTIONS_PNG, render.predictions_png),
])
def test_each_task_names_the_function_mypy_checks_its_types_against(task: Task, function: object) -> None:
    module, _, name = task.path.partition(":")
    assert getattr(importlib.import_module(module), name) is function


def test_preloaded_modules_are_checked_at_construction_without_being_imported() -> None:
    result = run_python("""
        import sys
        from bot.work.cpu import CpuPool
        CpuPool(preload=["handlers.charts", "handlers.training.render"])
        print(sorted(m for m in ("handlers.charts", "handlers.training", "matplotlib") if m in sys.modules))
        try:
            CpuPool(preload=["handlers.chart"])
        except ModuleNotFoundError as e:
            print(e.name, "|", e)
    """)
    assert result.returncode == 0, result.stderr
    imported, refused = result.stdout.splitlines()
    assert imported == "[]"  # not even the package handlers.training
    assert refused == "handlers.chart | the worker processes cannot preload 'handlers.chart': there is no such module"


def test_findable_follows_packages_without_importing_them() -> None:
    assert findable("handlers.training.render") and findable("os.path") and findable("json.decoder")
    assert not findable("handlers.training.nothing") and not findable("handlers.tally.Post")
    assert not findable("no_such_package.module")


def test_a_module_the_fork_server_cannot_import_is_logged_once_by_name(tmp_path: Path) -> None:
    # Found on the path, so construction accepts it; importing it fails in the fork server.
    (tmp_path / "broken_for_preload.py").write_text("import no_such_dependency_xyz\n")
    result = run_python("""
        import asyncio, logging
        from bot.work.cpu import CpuPool
        logging.basicConfig(format="%(levelname)s %(message)s")

        async def main():
            pool = CpuPool(workers=1, preload=["handlers.tally", "broken_for_preload"])
            try:
                await pool.prepare()
                print(await pool.run(sum, [1, 2]))  # the pool still works for everything else
            finally:
                await pool.close()

        asyncio.run(main())
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == ["ERROR the worker processes could not preload broken_for_preload (ModuleNotFoundError: "
                      "No module named 'no_such_dependency_xyz'); what needs it will fail"]


def test_a_pool_sharing_a_fork_server_started_without_its_modules_says_so() -> None:
    # One fork server per process: the first pool starts it, so a second pool's list comes too late.
    result = run_python("""
        import asyncio, logging
        from bot.work.cpu import CpuPool
        logging.basicConfig(format="%(levelname)s %(message)s")

        async def main():
            first, second = CpuPool(workers=1), CpuPool(workers=1, preload=["handlers.tally"])
            try:
                await first.prepare()
                await second.prepare()
            finally:
                await first.close()
                await second.close()

        asyncio.run(main())
    """)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))] == [
        "WARNING the fork server was started without handlers.tally; each worker imports it on first use"]


def test_workers_fork_server_and_tracker_end_when_the_owner_is_killed() -> None:
    # Killed without a word (SIGKILL, out of memory), the owner cannot shut its pool down.
    owner = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import asyncio, os
        from multiprocessing import forkserver, resource_tracker
        from bot.work.cpu import CpuPool

        async def main():
            pool = CpuPool(workers=1)
            worker = await pool.run(os.getpid)
            print(worker, forkserver._forkserver._forkserver_pid, resource_tracker._resource_tracker._pid, flush=True)
            await asyncio.Event().wait()

        asyncio.run(main())
    """)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert owner.stdout is not None
        helpers = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(helpers) == 3
        watched = running = [os.pidfd_open(pid) for pid in helpers]
        owner.kill()
        owner.wait(30)
        deadline = time.monotonic() + 30
        while running and time.monotonic() < deadline:
            # A pidfd is readable once its process has exited.
            ended, _, _ = select.select(running, [], [], deadline - time.monotonic())
            running = [fd for fd in running if fd not in ended]
        assert running == [], "a helper process outlived its owner"
        for fd in watched:
            os.close(fd)
    finally:
        if owner.poll() is None:
            owner.kill()
