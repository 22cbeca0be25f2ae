"""The probes an orchestrator asks: /livez (restart the process when it fails) and /readyz (send
Slack's requests elsewhere while it fails). Readiness follows the link to Slack and a store that
answers, found out by asking it: a redis-server stopped under a running Sloth makes it unready
(while it stays alive) and started again makes it ready again, with nothing else touching Redis."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.conftest import free_port
from tests.e2e.harness import running_bot


class RedisServer:
    """A redis-server of this test's own, on a port that stays the same across stop and start."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(trust_env=False) as session:
        yield session


async def probe(http: aiohttp.ClientSession, runtime: Runtime, path: str) -> tuple[int, dict[str, Any]]:
    async with http.get(f"http://127.0.0.1:{runtime.http_port}{path}") as answer:
        return answer.status, await answer.json()


async def test_readiness_fails_while_redis_is_gone_and_liveness_holds(
        emulator: Emulator, tmp_path: Path, redis_server: RedisServer, http: aiohttp.ClientSession) -> None:
    async with running_bot(emulator, tmp_path / "sloth", store_url=redis_server.url, queue="off") as runtime:
        assert await probe(http, runtime, "/readyz") == (200, {"status": "ok", "socket": "connected", "store": "ok"})
        assert await probe(http, runtime, "/livez") == (200, {"status": "alive"})
        await asyncio.to_thread(redis_server.stop)
        assert await probe(http, runtime, "/readyz") == (
            503, {"status": "unavailable", "socket": "connected", "store": "failing"})
        assert (await probe(http, runtime, "/healthz"))[0] == 503
        assert await probe(http, runtime, "/livez") == (200, {"status": "alive"})  # a restart would not mend it
        await asyncio.to_thread(redis_server.start)
        assert await probe(http, runtime, "/readyz") == (200, {"status": "ok", "socket": "connected", "store": "ok"})


async def test_readiness_follows_the_socket_and_liveness_ends_with_a_fatal_error(
        emulator: Emulator, tmp_path: Path, http: aiohttp.ClientSession) -> None:
    async with running_bot(emulator, tmp_path) as runtime:
        assert (await probe(http, runtime, "/readyz"))[0] == 200
        await emulator.disconnect_all("link_disabled")  # Slack switched Socket Mode off: nothing to retry
        assert await asyncio.wait_for(runtime.wait(), 10) == 1
        status, body = await probe(http, runtime, "/readyz")
        assert status == 503 and body["socket"] == "disconnected"
        status, body = await probe(http, runtime, "/livez")
        assert status == 503 and body["status"] == "dead" and "link_disabled" in body["why"]


async def test_in_http_mode_readiness_is_the_server_serving_and_the_store_answering(
        emulator: Emulator, tmp_path: Path, redis_server: RedisServer, http: aiohttp.ClientSession) -> None:
    async with running_bot(emulator, tmp_path, transport="http", store_url=redis_server.url, queue="off") as runtime:
        assert await probe(http, runtime, "/readyz") == (200, {"status": "ok", "http": "serving", "store": "ok"})
        await asyncio.to_thread(redis_server.stop)
        assert await probe(http, runtime, "/readyz") == (
            503, {"status": "unavailable", "http": "serving", "store": "failing"})
        assert await probe(http, runtime, "/livez") == (200, {"status": "alive"})
