"""Sloth's HTTP side under slow and greedy clients, over real sockets: header, body and keep-alive
deadlines, the per-address and total caps, and /healthz answering through all of it."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.api import Context, Router
from bot.config.settings import HttpLimits
from bot.features.registry import Feature
from bot.http import gate as http_gate
from bot.runtime.lifecycle import Runtime
from bot.testing import registry_for
from handlers.training.service import training
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]
SLOW = b"GET /healthz HTTP/1.1\r\nHost: sloth\r\nX-Slow: " + b"a" * 2000
MARGIN = 4.0  # how much later than its deadline a busy test machine may close a connection


async def connect(runtime: Runtime, source: str = "127.0.0.1") -> Stream:
    return await asyncio.open_connection("127.0.0.1", runtime.http_port, local_addr=(source, 0))


async def answer_of(stream: Stream) -> bytes:
    """Everything the server says until it closes the connection."""
    try:
        return await asyncio.wait_for(stream[0].read(), 30)
    except ConnectionResetError:
        return b""
    finally:
        stream[1].close()


async def trickle(runtime: Runtime, data: bytes, head: bytes = b"") -> tuple[bytes, float]:
    """Connect, send `head`, then `data` a byte every 50 ms until the server closes; its answer,
    and how long after connecting it closed."""
    started = time.monotonic()
    stream = await connect(runtime)
    stream[1].write(head)

    async def send() -> None:
        for byte in data:
            stream[1].write(bytes([byte]))
            await asyncio.sleep(0.05)  # the client's pace, which is what is under test

    sender = asyncio.create_task(send())
    try:
        answer = await answer_of(stream)
    finally:
        sender.cancel()
    return answer, time.monotonic() - started


def closed(runtime: Runtime, cause: str) -> float:
    return runtime.metrics.registry.get_sample_value("sloth_http_closed_total", {"cause": cause}) or 0.0


def lines_about(caplog: pytest.LogCaptureFixture, cause: str) -> list[str]:
    said = [r.getMessage() for r in caplog.records if r.name == "bot.http.gate"]
    return [line for line in said if f'cause="{cause}"' in line]


async def healthz(runtime: Runtime) -> int:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{runtime.http_port}/healthz") as response:
        return response.status


async def test_connections_that_trickle_or_withhold_their_headers_are_closed(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    limits = HttpLimits(header_seconds=0.5)
    async with running_bot(emulator, tmp_path, http_limits=limits) as runtime:
        slow = [trickle(runtime, SLOW) for _ in range(40)]
        silent = [trickle(runtime, b"") for _ in range(10)]
        results = await asyncio.gather(*slow, *silent)
        for answer, after in results[:40]:
            assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and b"within 0.5 s" in answer
            assert 0.5 <= after < 0.5 + MARGIN
        for answer, after in results[40:]:
            assert answer == b"" and 0.5 <= after < 0.5 + MARGIN  # nothing asked, nothing answered
        assert closed(runtime, "header_timeout") == 50
        assert len(lines_about(caplog, "header_timeout")) == 1  # fifty closes, one log line
        assert await healthz(runtime) == 200


async def test_a_trickling_body_is_cut_off_with_408(emulator: Emulator, tmp_path: Path) -> None:
    limits = HttpLimits(body_seconds=0.5)
    async with running_bot(emulator, tmp_path, http_limits=limits, env={"SLOTH_MONITOR_TOKEN": "m-token-1"}) as runtime:
        head = (b"POST /monitor/v1/runs/r1/events HTTP/1.1\r\nHost: sloth\r\nAuthorization: Bearer m-token-1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 400\r\n\r\n")
        answer, after = await trickle(runtime, b'{"run": ' + b" " * 390, head)
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer
        assert b"body did not arrive within 0.5 s" in answer and b"Connection: close" in answer
        assert 0.5 <= after < 0.5 + MARGIN
        assert closed(runtime, "body_timeout") == 1
        assert await training(runtime.ctx.of("training")).runs.get("r1") is None
        assert await healthz(runtime) == 200


async def test_a_kept_alive_connection_serves_requests_then_closes_when_idle(emulator: Emulator,
                                                                              tmp_path: Path) -> None:
    limits = HttpLimits(idle_seconds=0.6)
    async with running_bot(emulator, tmp_path, http_limits=limits) as runtime:
        reader, writer = await connect(runtime)
        for _ in range(2):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: sloth\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 OK")
            length = int(next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length")).split()[1])
            await reader.readexactly(length)
        started = time.monotonic()
        assert await answer_of((reader, writer)) == b""
        assert 0.6 <= time.monotonic() - started < 0.6 + MARGIN
        assert closed(runtime, "idle_timeout") == 1


async def test_the_per_address_cap_answers_503_while_healthz_answers_200(emulator: Emulator, tmp_path: Path,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    limits = HttpLimits(header_seconds=30, max_per_client=4)
    async with running_bot(emulator, tmp_path, http_limits=limits) as runtime:
        held = [await connect(runtime, "127.0.0.2") for _ in range(4)]
        over = [await connect(runtime, "127.0.0.2") for _ in range(3)]
        for stream in over:
            stream[1].write(b"POST /monitor/v1/runs/r1/events HTTP/1.1\r\nHost: sloth\r\nContent-Length: 2\r\n\r\n{}")
        for answer in [await answer_of(stream) for stream in over]:
            assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n") and b"\r\nRetry-After: 30\r\n" in answer
        assert await healthz(runtime) == 200  # another address is not held back
        assert closed(runtime, "client_cap") == 3 and len(lines_about(caplog, "client_cap")) == 1
        for stream in held:
            stream[1].close()


async def test_at_the_total_cap_the_longest_waiting_connection_makes_room(emulator: Emulator,
                                                                          tmp_path: Path) -> None:
    limits = HttpLimits(header_seconds=30, max_connections=6, max_per_client=0)
    async with running_bot(emulator, tmp_path, http_limits=limits) as runtime:
        waiting = [await connect(runtime, f"127.0.0.{10 + i}") for i in range(6)]
        assert await healthz(runtime) == 200
        assert await answer_of(waiting[0]) == b""  # the oldest, which never asked anything, went
        assert closed(runtime, "evicted") == 1
        for stream in waiting[1:]:
            stream[1].close()


async def test_when_every_connection_is_mid_request_a_newcomer_gets_503(emulator: Emulator, tmp_path: Path) -> None:
    feature, release = Router("slow"), asyncio.Event()
    arrived = asyncio.Semaphore(0)

    @feature.http("GET", "/slow")
    async def slow(ctx: Context, request: web.Request) -> web.Response:
        arrived.release()
        await release.wait()
        return web.Response(text="done")

    base = registry_for()
    registry = type(base)([*base.features, Feature(feature, "test", "test_http_guard")])
    limits = HttpLimits(max_connections=3, max_per_client=0)
    async with running_bot(emulator, tmp_path, registry=registry, http_limits=limits) as runtime:
        busy = [await connect(runtime, f"127.0.0.{20 + i}") for i in range(3)]
        for stream in busy:
            stream[1].write(b"GET /slow HTTP/1.1\r\nHost: sloth\r\nConnection: close\r\n\r\n")
        for _ in busy:
            await arrived.acquire()
        answer = await answer_of(await connect(runtime, "127.0.0.30"))
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        release.set()
        for stream in busy:
            assert (await answer_of(stream)).startswith(b"HTTP/1.1 200 OK")
        assert closed(runtime, "full") == 1


async def test_beyond_the_503s_it_can_afford_sloth_closes_at_once(emulator: Emulator, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_gate, "MAX_LINGERING", 3)
    limits = HttpLimits(header_seconds=30, max_per_client=1)
    async with running_bot(emulator, tmp_path, http_limits=limits) as runtime:
        held = await connect(runtime, "127.0.0.2")
        over = [await connect(runtime, "127.0.0.2") for _ in range(6)]
        answers = [await answer_of(stream) for stream in over]
        assert [a.startswith(b"HTTP/1.1 503") for a in answers] == [True] * 3 + [False] * 3
        assert answers[3:] == [b""] * 3
        assert closed(runtime, "client_cap") == 3 and closed(runtime, "shed") == 3
        held[1].close()


async def test_malformed_requests_are_counted_not_logged_each(emulator: Emulator, tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    async with running_bot(emulator, tmp_path) as runtime:
        for _ in range(20):
            stream = await connect(runtime)
            stream[1].write(b"GET /healthz HTTP/1.1\r\nHost: sloth\r\nthis is no header\r\n\r\n")
            assert (await answer_of(stream)).split(b"\r\n")[0].endswith(b" 400 Bad Request")
        assert closed(runtime, "malformed") == 20
        assert len(lines_about(caplog, "malformed")) == 1
        assert not [r for r in caplog.records if r.name.startswith("aiohttp") and r.levelno >= logging.WARNING]
        assert await healthz(runtime) == 200
