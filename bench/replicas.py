"""Commands a second held by one Sloth replica and by two (with a `sloth worker`, as deployed)
sharing one Redis, over Socket Mode (one connection each; Slack spreads envelopes over them) and
over HTTP (behind a round-robin load balancer, the tests' own), side by side in one run.

    python bench/replicas.py [--rates 100,200,400,800] [--seconds 5] [--redis redis://127.0.0.1:6379/15]

A rate is held when every `/sloth help` sent open-loop for `--seconds` is acked within Slack's
3 s and answered, with the ack's p99 (at the emulator) at most 100 ms. Each replica is
`python -m bot run` of this checkout; Redis is started on a free port unless a URL is given (its
database is emptied first: use a spare one). On one machine the replicas share its cores with
each other, the emulator and Redis: what two replicas add here is a floor, not what two machines
would give. Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "emulator")]

from bench.ack_latency import free_port, load, percentile  # noqa: E402
from sloth_emulator import Emulator, Workspace  # noqa: E402
from tests.e2e.balancer import balancing  # noqa: E402

HELD_P99_MS = 100.0


@contextlib.contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                                   "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
                                  stdout=subprocess.DEVNULL)
        try:
            asyncio.run(listening([port]))
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait()


@contextlib.asynccontextmanager
async def replicas(emu: Emulator, count: int, transport: str, store: str, workers: int = 0,
                   extra: dict[str, str] | None = None) -> AsyncIterator[None]:
    """`count` Sloth processes and `workers` `sloth worker` processes on `store`, the replicas
    reachable by the emulator over `transport`; `extra`: more settings for all of them."""
    flushed = aioredis.from_url(store)
    await flushed.flushdb()
    await flushed.aclose()
    ports = [free_port() for _ in range(count + workers)]
    processes = []
    with tempfile.TemporaryDirectory() as data:
        try:
            for i, port in enumerate(ports):
                env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and not k.startswith("SLOTH_")}
                env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                           SLOTH_HTTP_PORT=str(port), SLOTH_DATA_DIR=f"{data}/{i}", SLOTH_STORE_URL=store,
                           LOG_LEVEL="WARNING", SLOTH_HTTP_MAX_PER_CLIENT="0", PYTHONPATH=str(ROOT), **(extra or {}))
                if transport == "http":
                    env.update(SLOTH_TRANSPORT="http", SLACK_SIGNING_SECRET=emu.signing_secret)
                processes.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run" if i < count else "worker", env=env, cwd=data,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL))
            await ready(ports[count:])
            if transport == "socket":
                await emu.wait_connected(count, timeout=60)
                yield
                return
            async with balancing([f"http://127.0.0.1:{port}" for port in ports[:count]]) as (_, url):
                await listening(ports[:count])
                await emu.use_request_url(url)
                yield
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                await process.wait()
            emu.use_socket_mode()


async def ready(ports: list[int]) -> None:
    """Until each process at `ports` (workers) says it is ready: taking jobs, the store answering."""
    await listening(ports)
    async with aiohttp.ClientSession(trust_env=False) as http:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as answer:
                    if answer.status == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the process on port {port} never became ready")
                await asyncio.sleep(0.2)


async def listening(ports: list[int]) -> None:
    """Until every replica's HTTP side takes connections (a bench polling processes that start)."""
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)


async def measure(transport: str, count: int, rates: list[float], seconds: float, store: str) -> list[tuple]:
    rows = []
    # Two replicas come with a worker, as deployed (deploy/); `help` itself never reaches it.
    async with Emulator(Workspace.default()) as emu, replicas(emu, count, transport, store, workers=count - 1):
        await load(emu, 50, 1.0)  # warm-up
        for rate in rates:
            latencies, sent, lost, answered = await load(emu, rate, seconds)
            p99 = percentile(latencies, 0.99)
            held = lost == 0 and answered == sent and p99 <= HELD_P99_MS
            rows.append((transport, count, rate, statistics.median(latencies) if latencies else float("nan"), p99,
                         answered, sent, held))
            if not held:
                break  # higher rates would not be held either
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="100,200,400,800", help="commands per second, comma-separated, rising")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--transports", default="socket,http")
    parser.add_argument("--redis", default=None, help="a Redis URL whose database may be emptied")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    rows = []
    with redis_server(args.redis) as store:
        for transport in args.transports.split(","):
            for count in (1, 2):
                rows += asyncio.run(measure(transport, count, rates, args.seconds, store))
    print(f"\nOpen-loop /sloth help, {args.seconds:g} s per rate, replicas on one Redis; held: all acked and "
          f"answered, ack p99 ≤ {HELD_P99_MS:g} ms\n")
    print("| transport | replicas | rate/s | ack p50 ms | ack p99 ms | answered | held |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for transport, count, rate, p50, p99, answered, sent, held in rows:
        print(f"| {transport} | {count} | {rate:g} | {p50:.2f} | {p99:.2f} | {answered}/{sent} | "
              f"{'yes' if held else 'no'} |")
    print()
    for transport in args.transports.split(","):
        for count in (1, 2):
            best = max((r[2] for r in rows if r[0] == transport and r[1] == count and r[7]), default=0)
            print(f"{transport}, {count} replica(s): {best:g} commands/s held")


if __name__ == "__main__":
    main()
