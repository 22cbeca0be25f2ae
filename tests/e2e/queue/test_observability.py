"""Following work across processes: one request's id on the replica's log lines and on the lines
of the `sloth worker` that drew its chart; the worker's own probes and /metrics (each job by task
and outcome, Web API calls by workspace) beside the replica's (the queue's depth, each job's wait
and run, jobs done and failed)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.runtime.logs import TextFormatter
from bot.work.requests import RequestIdFilter
from sloth_emulator import Emulator
from tests.e2e.harness import ask, running_bot, visible_text
from tests.e2e.queue.test_queue import FEATURE
from tests.e2e.queue.workers import sloth_worker

QUEUED = re.compile(r"\[([0-9a-f]{8})\]: queued handlers\.charts:members_png on the heavy lane as job (\S+)")


@pytest.fixture
def replica_log() -> Iterator[io.StringIO]:
    """This process's log lines (the replica runs here), formatted as `sloth run` writes them."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def page(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession(trust_env=False) as http, http.get(f"http://127.0.0.1:{port}{path}") as answer:
        return answer.status, await answer.text()


async def test_one_request_is_followed_from_the_replica_to_the_worker_by_its_id(
        emulator: Emulator, tmp_path: Path, queue_url: str, replica_log: io.StringIO) -> None:
    async with running_bot(emulator, tmp_path / "sloth", store_url=queue_url) as bot, \
            sloth_worker(emulator, tmp_path / "worker", queue_url) as worker:
        for _ in range(2):
            assert "Posted the time-zone chart" in visible_text(await ask(emulator, bot, "plot members"))
        await worker.stop()
    queued = QUEUED.findall(replica_log.getvalue())
    assert len(queued) == 2 and queued[0][0] != queued[1][0], replica_log.getvalue()  # an id of each request's own
    for request, job in queued:
        followed = [line for line in worker.lines if f"[{request}]" in line]
        assert any(f"job {job}: handlers.charts:members_png, attempt 1" in line for line in followed), worker.log()
        assert any(f"job {job}: file in " in line for line in followed), worker.log()
        assert not [line for line in followed if job not in line and "members_png" in line]


async def test_the_worker_and_the_replica_show_the_jobs_on_their_metrics(
        emulator: Emulator, tmp_path: Path, queue_url: str, folder: Path) -> None:
    env = {"SLOWFILES_FOLDER": str(folder)}
    async with running_bot(emulator, tmp_path / "sloth", features=[FEATURE], env=env, store_url=queue_url) as bot, \
            sloth_worker(emulator, tmp_path / "worker", queue_url, SLOTH_FEATURES=FEATURE, **env) as worker:
        assert await page(worker.port, "/livez") == (200, '{"status": "alive"}')
        assert await page(worker.port, "/readyz") == (200, '{"status": "ok", "jobs": "taking", "store": "ok"}')
        assert "Posted the time-zone chart" in visible_text(await ask(emulator, bot, "plot members"))
        assert "couldn't finish that" in visible_text(await ask(emulator, bot, "brokenfile"))
        _, made = await page(worker.port, "/metrics")
        _, asked = await page(bot.http_port, "/metrics")
    team = emulator.team_id
    assert 'sloth_worker_job_seconds_count{outcome="file",task="handlers.charts:members_png"} 1.0' in made
    assert 'sloth_worker_job_seconds_count{outcome="failed",task="tests.e2e.queue.slow_files:broken_png"} 3.0' in made
    uploads = re.search(rf'sloth_team_web_api_calls_total{{outcome="ok",team="{team}"}} (\S+)', made)
    assert uploads is not None and float(uploads[1]) >= 3  # the upload's three calls, at least
    assert 'sloth_queue_jobs_total{lane="heavy",outcome="done"} 1.0' in asked
    assert 'sloth_queue_jobs_total{lane="heavy",outcome="failed"} 1.0' in asked
    assert 'sloth_queue_wait_seconds_count{lane="heavy"} 2.0' in asked
    assert 'sloth_queue_run_seconds_count{lane="heavy"} 2.0' in asked
    assert 'sloth_queue_retries_total{lane="heavy"} 2.0' in asked
    assert 'sloth_queue_depth{lane="heavy",state="queued"} 0.0' in asked
    assert re.search(rf'sloth_team_web_api_calls_total{{outcome="ok",team="{team}"}} [1-9]', asked)
