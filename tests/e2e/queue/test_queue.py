"""The job queue end to end: Sloth in this process, `sloth worker` as real processes, a real
redis-server, the emulator. Files are made and uploaded by the worker; a worker killed with
SIGKILL mid-job loses nothing and the file still arrives once; a job that fails every attempt
is reported to the member, whose error id finds the worker's log lines of it."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config.limits import Limit
from bot.pure.errors import UserError
from bot.pure.tasks import Made, Task
from bot.work.lanes import HEAVY, FileTo, open_queue
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import WILL, click, payload, start
from tests.e2e.harness import ask, running_bot, settle, visible_text
from tests.e2e.queue.workers import sloth_worker

FEATURE = "tests.e2e.queue.slow_feature"


async def until(found: Callable[[], Any], what: str, timeout: float = 60) -> Any:  # noqa: ASYNC109
    """Poll `found` (a file appearing, a line in a log) until it is truthy."""
    deadline = time.monotonic() + timeout
    while not (value := found()):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        await asyncio.sleep(0.05)
    return value


def started(folder: Path) -> list[Path]:
    """The attempts at the slow picture so far (each notes its process)."""
    return list(folder.glob("started-*"))


def counted(runtime: Any, outcome: str, lane: str = "heavy") -> float:
    return float(runtime.metrics.jobs_done.labels(lane, outcome)._value.get())


async def test_a_file_arrives_once_when_its_worker_is_killed_mid_job(
        emulator: Emulator, tmp_path: Path, queue_url: str, folder: Path) -> None:
    env = {"SLOWFILES_FOLDER": str(folder)}
    async with running_bot(emulator, tmp_path / "sloth", features=[FEATURE], env=env, store_url=queue_url) as bot:
        async with sloth_worker(emulator, tmp_path / "first", queue_url, SLOTH_FEATURES=FEATURE, **env) as first:
            delivery = await emulator.slash_command(text="slowfile")
            await delivery.acked()
            await until(lambda: started(folder), "picture started by the first worker")
            first.kill()  # SIGKILL: no goodbye, its job is left active on the queue
            await first.process.wait()
        async with sloth_worker(emulator, tmp_path / "second", queue_url, SLOTH_FEATURES=FEATURE, **env):
            (folder / "go").touch()
            await settle(bot)
        [reply] = [p for p in emulator.responses if p.url == delivery.payload["response_url"]]
        assert "Posted" in visible_text(reply.body)
        uploads = [c for c in emulator.calls_to("files.completeUploadExternal") if c.ok]
        assert len(uploads) == 1  # once: the first attempt died before uploading, the second uploaded
        assert len(started(folder)) == 2  # two attempts, in two workers' processes
        assert bot.metrics.job_retries.labels("heavy")._value.get() == 1
        assert counted(bot, "done") == 1 and counted(bot, "local") == 0


async def test_the_worker_draws_and_uploads_sloths_own_charts(
        emulator: Emulator, tmp_path: Path, queue_url: str) -> None:
    async with running_bot(emulator, tmp_path / "sloth", store_url=queue_url) as bot, \
            sloth_worker(emulator, tmp_path / "worker", queue_url) as worker:
        text = visible_text(await ask(emulator, bot, "plot members"))
        assert "Posted the time-zone chart" in text
        [upload] = [c for c in emulator.calls_to("files.completeUploadExternal") if c.ok]
        assert "asked for by" in str(upload.args)
        assert counted(bot, "done") == 1
        # This replica never started worker processes of its own: the worker drew it.
        assert bot.ctx.cpu.local._executor is None  # type: ignore[attr-defined]
        # A job naming another workspace: this worker uploads into its own (SLACK_BOT_TOKEN's) only.
        elsewhere = FileTo(requester=WILL, channel="C01GENERAL", thread=None, filename="x.png", title="x",
                           initial_comment="", team="T0ELSEWHERE")
        with pytest.raises(UserError, match="can't upload into this workspace"):
            await bot.ctx.cpu.remote_upload(Made(Task("handlers.charts:members_png")), elsewhere)
        await worker.stop()
        assert "handlers.charts:members_png, attempt 1" in worker.log() and ": file in " in worker.log()
        assert "names workspace T0ELSEWHERE, but this worker uploads into T" in worker.log()
        assert len([c for c in emulator.calls_to("files.completeUploadExternal") if c.ok]) == 1


async def test_a_job_failing_every_attempt_is_reported_with_an_id_that_finds_the_workers_lines(
        emulator: Emulator, tmp_path: Path, queue_url: str, folder: Path) -> None:
    env = {"SLOWFILES_FOLDER": str(folder)}
    async with running_bot(emulator, tmp_path / "sloth", features=[FEATURE], env=env, store_url=queue_url) as bot, \
            sloth_worker(emulator, tmp_path / "worker", queue_url, SLOTH_FEATURES=FEATURE, **env) as worker:
        text = visible_text(await ask(emulator, bot, "brokenfile"))
        assert "couldn't finish that: the worker making it failed 3 times" in text
        found = re.search(r"error id `([0-9a-f]{8})`", text)
        assert found is not None, text
        await worker.stop()
        attempts = [line for line in worker.lines if f"[{found[1]}]" in line and "broken_png, attempt" in line]
        assert len(attempts) == 3, worker.log()
        assert counted(bot, "failed") == 1
        assert not [c for c in emulator.calls_to("files.completeUploadExternal") if c.ok]


async def test_sloths_connect_four_moves_come_from_the_quick_lane(
        emulator: Emulator, tmp_path: Path, queue_url: str) -> None:
    async with running_bot(emulator, tmp_path / "sloth", store_url=queue_url) as bot, \
            sloth_worker(emulator, tmp_path / "worker", queue_url):
        game = await start(emulator, bot, "play connect4")
        game = await click(emulator, bot, game, "game:move:3", WILL)
        board = payload(game)["board"]
        assert sum(cell != "" for row in board for cell in row) == 2  # Will's piece and Sloth's
        assert payload(game)["turn"] == WILL
        assert counted(bot, "done", "quick") == 1


async def test_without_a_live_worker_the_replica_makes_the_file_itself(
        emulator: Emulator, tmp_path: Path, queue_url: str, folder: Path) -> None:
    (folder / "go").touch()
    env = {"SLOWFILES_FOLDER": str(folder)}
    async with running_bot(emulator, tmp_path / "sloth", features=[FEATURE], env=env, store_url=queue_url) as bot:
        assert "Posted" in visible_text(await ask(emulator, bot, "slowfile"))
        assert counted(bot, "local") == 1 and counted(bot, "done") == 0


async def test_a_worker_runs_only_functions_of_modules_features_declared(
        emulator: Emulator, tmp_path: Path, queue_url: str, folder: Path) -> None:
    marker = folder / "ran"
    queue = open_queue(queue_url, HEAVY)
    await queue.connect()
    try:
        async with sloth_worker(emulator, tmp_path / "worker", queue_url):
            # Whoever can write to the Redis could put this there; the worker must not run it.
            job = await queue.enqueue("make", task="os:system", args=[f"touch {marker}"], keywords={}, request="",
                                      file=None, timeout=30)
            assert job is not None
            await job.refresh(until_complete=30)
        assert job.result == {"refused": "I can't do that here."}
        assert not await asyncio.to_thread(marker.exists)
    finally:
        await queue.disconnect()



async def test_with_a_worker_alive_a_burst_past_the_replicas_own_pool_is_queued_not_refused(
        emulator: Emulator, tmp_path: Path, queue_url: str) -> None:
    one_member_may = (("plot", Limit(at_once=20, per_hour=100, per_day=100)),)
    async with running_bot(emulator, tmp_path / "sloth", store_url=queue_url, member_limits=one_member_may) as bot, \
            sloth_worker(emulator, tmp_path / "worker", queue_url):
        burst = 20  # the replica's own pool takes 8 at once; charts wait on the worker for seconds here
        deliveries = [await emulator.slash_command(text="plot members") for _ in range(burst)]
        for delivery in deliveries:
            await delivery.acked()
        await settle(bot)
        replies = [p for d in deliveries for p in emulator.responses if p.url == d.payload["response_url"]]
        assert len(replies) == burst
        texts = [visible_text(r.body) for r in replies]
        assert all("Posted the time-zone chart" in t for t in texts), [t for t in texts if "Posted" not in t]
        assert counted(bot, "done") == burst and counted(bot, "local") == 0
