"""Ack latency under open-loop load: Sloth vs a bare Bolt AsyncApp, over Socket Mode and over HTTP,
same emulator, same run.

    python bench/ack_latency.py [--rates 200,500] [--seconds 5] [--transports socket,http]

The emulator runs in this process and sends `/sloth help` at a fixed rate whatever the bot
does (open loop); each bot runs as its own process (this checkout's Sloth, journal included).
Latency is measured by the emulator, from writing an envelope (Socket Mode) or a request (HTTP,
signed, to the bot's /slack/events) to reading its ack (the ack frame, or the response).
"lost" counts commands not acked within 3 s (Slack's deadline). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sloth_emulator import Emulator, Workspace
from sloth_emulator.request_url import RequestUrlRefused

ROOT = Path(__file__).resolve().parent.parent
BOTS = {
    "Sloth": [sys.executable, "-m", "bot", "run"],
    "bare Bolt AsyncApp": [sys.executable, str(ROOT / "bench" / "bare_bolt.py")],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def reach(emu: Emulator, transport: str, port: int) -> None:
    """Until the bot listens: its socket connected, or its request URL answering url_verification."""
    if transport == "socket":
        await emu.wait_connected(1, timeout=30)
        return
    deadline = time.monotonic() + 30
    while True:
        try:
            await emu.use_request_url(f"http://127.0.0.1:{port}/slack/events")
            return
        except RequestUrlRefused:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)  # a bench polling for a process to start listening


async def load(emu: Emulator, rate: float, seconds: float) -> tuple[list[float], int, int, int]:
    """Send `rate` commands a second for `seconds`; returns (latencies in ms, sent, lost, answered)."""
    deliveries = []
    count = int(rate * seconds)
    started = time.perf_counter()
    for i in range(count):
        # Open loop: each send happens at its scheduled time, never waiting for acks.
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        deliveries.append(await emu.slash_command(text="help"))
    waits = [d.acked(timeout=3.0) for d in deliveries]
    await asyncio.gather(*waits, return_exceptions=True)
    latencies = [d.ack_latency * 1000 for d in deliveries if d.ack_latency is not None and d.ack_latency <= 3.0]
    # An ack without the answer would be cheating: count the replies that reached their response_url.
    urls = {d.payload["response_url"] for d in deliveries}

    def answered() -> int:
        return len(urls & {p.url for p in emu.responses})

    with contextlib.suppress(TimeoutError):
        await emu.wait_for(lambda: answered() >= count, timeout=10)
    return latencies, count, count - len(latencies), answered()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(name: str, argv: list[str], transport: str, rates: list[float], seconds: float) -> list[tuple]:
    rows = []
    async with Emulator(Workspace.default()) as emu:
        with tempfile.TemporaryDirectory() as data:
            port = free_port()
            env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and not k.startswith("SLOTH_")}
            env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                       SLOTH_HTTP_PORT=str(port), SLOTH_DATA_DIR=data, LOG_LEVEL="WARNING", PORT=str(port),
                       PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])]))
            if transport == "http":
                env.update(SLOTH_TRANSPORT="http", BOLT_TRANSPORT="http", SLACK_SIGNING_SECRET=emu.signing_secret)
            process = await asyncio.create_subprocess_exec(*argv, env=env, cwd=data,
                                                           stdout=asyncio.subprocess.DEVNULL,
                                                           stderr=asyncio.subprocess.DEVNULL)
            try:
                await reach(emu, transport, port)
                await load(emu, 50, 1.0)  # warm-up: imports, first auth, connection pools
                for rate in rates:
                    latencies, sent, lost, answered = await load(emu, rate, seconds)
                    p50 = statistics.median(latencies) if latencies else float("nan")
                    rows.append((name, transport, rate, sent, p50, percentile(latencies, 0.99), lost, answered))
            finally:
                process.terminate()
                await process.wait()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="200,500", help="commands per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each rate runs")
    parser.add_argument("--transports", default="socket,http", help="socket, http or both, comma-separated")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    transports = [t.strip() for t in args.transports.split(",")]
    rows = []
    for transport in transports:
        for name, argv in BOTS.items():
            rows += asyncio.run(measure(name, argv, transport, rates, args.seconds))
    print(f"\nAck latency, open-loop /sloth help for {args.seconds:g} s per rate (measured at the emulator)\n")
    print("| bot | transport | rate/s | sent | p50 ms | p99 ms | lost | answered |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, transport, rate, sent, p50, p99, lost, answered in sorted(
            rows, key=lambda r: (transports.index(r[1]), r[2], r[0] != "Sloth")):
        print(f"| {name} | {transport} | {rate:g} | {sent} | {p50:.2f} | {p99:.2f} | {lost} | {answered} |")
    for transport in transports:
        for rate in rates:
            sloth = next(r for r in rows if r[0] == "Sloth" and r[1] == transport and r[2] == rate)
            bolt = next(r for r in rows if r[0] != "Sloth" and r[1] == transport and r[2] == rate)
            print(f"\n{transport} at {rate:g}/s: Sloth p50 = {sloth[4] / bolt[4]:.2f}× bare Bolt's; "
                  f"p99 {sloth[5]:.2f} vs {bolt[5]:.2f} ms; lost {sloth[6]} vs {bolt[6]}.", end="")
    print()


if __name__ == "__main__":
    main()
