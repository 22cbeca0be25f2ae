"""Sloth's HTTP side under 1,100 slow connections, against a plain aiohttp server of the same routes.

    python bench/http_pressure.py [--connections 1100] [--seconds 25]

Each server runs in a process of its own whose open-file limit is 1,024, logging as `sloth run`
does (text, INFO) into a file. The servers:

- plain aiohttp: `web.AppRunner(app, access_log=None)` and a `TCPSite`, aiohttp's defaults, as
  Sloth's HTTP side was before it had deadlines and caps;
- Sloth: `bot.http.server.serve` with the default `HttpLimits` (10 s for headers, 64 connections per
  address, 256 in all).

Both serve `bot.http.server.make_web_app`: /healthz, /metrics and a stand-in for training ingest
(`POST /monitor/v1/runs/{run_id}/events`: bearer token, then the JSON body).

The attack opens the connections at once and sends each the start of a request, then one more
header byte a second, never finishing (slow loris), from one address (127.0.0.2) or spread over
110 addresses (127.0.1.x, 10 each). Meanwhile a probe from 127.0.0.1 asks for /healthz and
posts to ingest, in turn, on a new connection every 0.25 s (2 s to answer). Reported: how
many probes were answered and how fast, what became of the attack's connections, and the bytes
of log written. Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FILE_LIMIT = 1024
TOKEN = "bench-token"
HEADER_SECONDS = 10.0  # HttpLimits' default, which the Sloth server runs with
HEAD = b"GET /healthz HTTP/1.1\r\nHost: sloth\r\nUser-Agent: slow\r\n"
INGEST = (b"POST /monitor/v1/runs/bench/events HTTP/1.1\r\nHost: sloth\r\nAuthorization: Bearer " + TOKEN.encode()
          + b"\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")


def run_server(kind: str, log_path: str, ports: multiprocessing.Queue[int]) -> None:
    """The server process: a 1,024-file limit, Sloth's logging into `log_path`, one of the two servers."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log_fd, 2)  # everything logged (and anything printed to stderr) lands in the file
    from bot.runtime import logs

    logs.configure("INFO", "text")
    asyncio.run(serve_until_killed(kind, ports))


async def serve_until_killed(kind: str, ports: multiprocessing.Queue[int]) -> None:
    from aiohttp import web

    from bot.config.settings import HttpLimits
    from bot.http.server import make_web_app, serve
    from bot.work.metrics import Metrics

    async def connected() -> bool:
        return True

    async def ingest(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"ok": False}, status=401)
        json.loads(await request.read())
        return web.json_response({"ok": True, "stop": False})

    metrics = Metrics()
    app = make_web_app(metrics, connected, {("POST", "/monitor/v1/runs/{run_id}/events"): ingest})
    if kind == "sloth":
        _, port = await serve(app, "127.0.0.1", 0, HttpLimits(), metrics)
    else:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site.port
    ports.put(port)
    await asyncio.Event().wait()


@dataclass
class Outcome:
    health: list[float | None]  # each /healthz probe: seconds to its 200, or None
    ingest: list[float | None]
    made: int
    failed: int
    answered_503: int
    closed_early: int
    header_timeout: int
    still_open: int
    log_bytes: int = 0


@dataclass
class Attack:
    opened: list[float] = field(default_factory=list)  # when each connection was established
    closed: list[float] = field(default_factory=list)  # how long after opening the server closed one
    answered_503: int = 0  # closed by the server after a 503
    failed: int = 0  # never established (the server was not accepting)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)


async def slow_connection(port: int, source: str, attack: Attack) -> None:
    started = time.monotonic()  # the server cannot start its clock before this
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 10)
    except (TimeoutError, OSError):
        attack.failed += 1
        return
    attack.opened.append(started)
    writer.write(HEAD)
    attack.writers.append(writer)
    try:
        said = await reader.read()
    except OSError:
        said = b""
    attack.closed.append(time.monotonic() - started)
    attack.answered_503 += said.startswith(b"HTTP/1.1 503")  # the plain server never answers one
    attack.writers.remove(writer)
    writer.close()


async def drip(attack: Attack) -> None:
    """One more header byte a second on every open attack connection."""
    while True:
        await asyncio.sleep(1.0)
        for writer in list(attack.writers):
            if not writer.is_closing():
                writer.write(b"X")


async def probe(port: int, request: bytes) -> float | None:
    """Seconds to a 200 on a new connection, or None (refused, reset, or no answer within 2 s)."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(2.0):
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.1", 0))
            writer.write(request)
            status = await reader.readline()
            writer.close()
    except (OSError, TimeoutError):
        return None
    return time.monotonic() - started if status.startswith(b"HTTP/1.1 200") else None


def sources(spread: bool, connections: int) -> list[str]:
    if not spread:
        return ["127.0.0.2"] * connections
    return [f"127.0.1.{1 + i // 10}" for i in range(connections)]


async def attack_and_probe(port: int, spread: bool, connections: int, seconds: float) -> Outcome:
    attack = Attack()
    tasks = [asyncio.create_task(slow_connection(port, source, attack)) for source in sources(spread, connections)]
    dripping = asyncio.create_task(drip(attack))
    health: list[float | None] = []
    ingest: list[float | None] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health.append(await probe(port, b"GET /healthz HTTP/1.1\r\nHost: sloth\r\nConnection: close\r\n\r\n"))
        ingest.append(await probe(port, INGEST))
        await asyncio.sleep(0.25)
    still_open = len(attack.writers)
    dripping.cancel()
    for writer in list(attack.writers):
        writer.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, dripping, return_exceptions=True)
    return Outcome(health=health, ingest=ingest, made=len(attack.opened), failed=attack.failed,
                   answered_503=attack.answered_503,
                   closed_early=sum(1 for t in attack.closed if t < HEADER_SECONDS) - attack.answered_503,
                   header_timeout=sum(1 for t in attack.closed if HEADER_SECONDS <= t < HEADER_SECONDS + 3),
                   still_open=still_open)


def against(kind: str, spread: bool, connections: int, seconds: float) -> Outcome:
    context = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = context.Queue()
    with tempfile.TemporaryDirectory() as folder:
        log_path = os.path.join(folder, "server.log")
        server = context.Process(target=run_server, args=(kind, log_path, ports), daemon=True)
        server.start()
        try:
            result = asyncio.run(attack_and_probe(ports.get(True, 60), spread, connections, seconds))
        finally:
            server.kill()
            server.join()
        result.log_bytes = os.path.getsize(log_path)
    return result


def cells(result: Outcome) -> dict[str, str]:
    def ms(value: float | None) -> str:
        return f"{1000 * value:.0f} ms" if value is not None else "—"

    answered = [t for t in result.health if t is not None]
    median = statistics.median(answered) if answered else None
    return {
        "/healthz answered 200 (of probes)": f"{len(answered)} of {len(result.health)}",
        "/healthz latency, median / max": f"{ms(median)} / {ms(max(answered) if answered else None)}",
        "ingest answered 200 (of probes)": f"{sum(t is not None for t in result.ingest)} of {len(result.ingest)}",
        "attack connections made (client's view)": f"{result.made} (+{result.failed} failed)",
        "… answered 503 (Retry-After)": str(result.answered_503),
        "… closed unanswered before the header timeout": str(result.closed_early),
        f"… closed by the header timeout ({HEADER_SECONDS:g}–{HEADER_SECONDS + 3:g} s)": str(result.header_timeout),
        "… still open at the end": str(result.still_open),
        "log written": f"{result.log_bytes:,} bytes",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--seconds", type=float, default=25.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.connections)), hard))
    for spread in (False, True):
        where = "110 addresses (127.0.1.x)" if spread else "one address (127.0.0.2)"
        plain = against("plain", spread, args.connections, args.seconds)
        sloth = against("sloth", spread, args.connections, args.seconds)
        print(f"\n{args.connections} slow connections from {where} for {args.seconds:g} s; server file limit "
              f"{FILE_LIMIT}\n")
        print("| | plain aiohttp (before) | Sloth's HTTP side |")
        print("|---|---:|---:|")
        before, after = cells(plain), cells(sloth)
        for row in before:
            print(f"| {row} | {before[row]} | {after[row]} |")


if __name__ == "__main__":
    main()
