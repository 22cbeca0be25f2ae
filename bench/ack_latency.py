"""Ack latency under open-loop load: Sloth vs a bare Bolt AsyncApp, over Socket Mode and over HTTP,
same emulator, same run.

    python bench/ack_latency.py [--rates 200,500] [--seconds 5] [--transports socket,http] [--store URL]

The emulator runs in this process and sends `/sloth help` at a fixed rate whatever the bot
does (open loop); each bot runs as its own process (this checkout's Sloth, journal included).
Latency is measured by the emulator, from writing an envelope (Socket Mode) or a request (HTTP,
signed, to the bot's /slack/events) to reading its ack (the ack frame, or the response).
"lost" counts commands not acked within 3 s (Slack's deadline). For Sloth, its own /metrics say
too how long, inside the process, each ack took from reading the envelope to sending the ack,
and how much of that the journal's write was (p50 of each, from the histograms' buckets over
that rate's run). Not a test: it prints a table.
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

import aiohttp

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


async def histogram(port: int, name: str) -> dict[float, float]:
    """A histogram of the bot's /metrics: upper bound -> cumulative count (empty without one)."""
    try:
        async with aiohttp.ClientSession(trust_env=False) as http, \
                http.get(f"http://127.0.0.1:{port}/metrics") as answer:
            text = await answer.text()
    except aiohttp.ClientError:
        return {}
    found = {}
    for line in text.splitlines():
        if line.startswith(f'{name}_bucket{{le="'):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            found[float(bound)] = float(line.rsplit(" ", 1)[1])
    return found


def median_of(before: dict[float, float], after: dict[float, float]) -> float:
    """The p50 in ms of what was observed between two readings, interpolated within its bucket."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    if not counts or counts[-1] <= 0:
        return float("nan")
    half, lower, below = counts[-1] / 2, 0.0, 0.0
    for bound, count in zip(bounds, counts, strict=True):
        if count >= half:
            inside = count - below
            return (lower + (bound - lower) * ((half - below) / inside if inside else 0.0)) * 1000
        lower, below = bound, count
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(name: str, argv: list[str], transport: str, rates: list[float], seconds: float,
                  store: str | None) -> list[tuple]:
    rows = []
    async with Emulator(Workspace.default()) as emu:
        with tempfile.TemporaryDirectory() as data:
            port = free_port()
            env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and not k.startswith("SLOTH_")}
            env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                       SLOTH_HTTP_PORT=str(port), SLOTH_DATA_DIR=data, LOG_LEVEL="WARNING", PORT=str(port),
                       PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])]))
            if store:
                env["SLOTH_STORE_URL"] = store
            if transport == "http":
                # The emulator is one address standing for Slack's many: no per-address connection cap.
                env.update(SLOTH_TRANSPORT="http", BOLT_TRANSPORT="http", SLACK_SIGNING_SECRET=emu.signing_secret,
                           SLOTH_HTTP_MAX_PER_CLIENT="0")
            process = await asyncio.create_subprocess_exec(*argv, env=env, cwd=data,
                                                           stdout=asyncio.subprocess.DEVNULL,
                                                           stderr=asyncio.subprocess.DEVNULL)
            try:
                await reach(emu, transport, port)
                await load(emu, 50, 1.0)  # warm-up: imports, first auth, connection pools
                for rate in rates:
                    acks, journal = (await histogram(port, "sloth_ack_latency_seconds"),
                                     await histogram(port, "sloth_journal_append_seconds"))
                    latencies, sent, lost, answered = await load(emu, rate, seconds)
                    p50 = statistics.median(latencies) if latencies else float("nan")
                    inside = (median_of(acks, await histogram(port, "sloth_ack_latency_seconds")),
                              median_of(journal, await histogram(port, "sloth_journal_append_seconds")))
                    rows.append((name, transport, rate, sent, p50, percentile(latencies, 0.99), lost, answered,
                                 *inside))
            finally:
                process.terminate()
                await process.wait()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="200,500", help="commands per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each rate runs")
    parser.add_argument("--transports", default="socket,http", help="socket, http or both, comma-separated")
    parser.add_argument("--store", default=None, help="Sloth's SLOTH_STORE_URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    transports = [t.strip() for t in args.transports.split(",")]
    rows = []
    for transport in transports:
        for name, argv in BOTS.items():
            rows += asyncio.run(measure(name, argv, transport, rates, args.seconds, args.store))
    where = f"Sloth's store {args.store}" if args.store else "Sloth's store: SQLite"
    print(f"\nAck latency, open-loop /sloth help for {args.seconds:g} s per rate (measured at the emulator; {where})\n")
    print("| bot | transport | rate/s | sent | p50 ms | p99 ms | lost | answered | in the bot: ack p50 ms | "
          "of which journal |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, transport, rate, sent, p50, p99, lost, answered, ack, journal in sorted(
            rows, key=lambda r: (transports.index(r[1]), r[2], r[0] != "Sloth")):
        own = f"{ack:.3f} | {journal:.3f}" if ack == ack else "— | —"  # NaN: the bot has no such metrics
        print(f"| {name} | {transport} | {rate:g} | {sent} | {p50:.2f} | {p99:.2f} | {lost} | {answered} | {own} |")
    for transport in transports:
        for rate in rates:
            sloth = next(r for r in rows if r[0] == "Sloth" and r[1] == transport and r[2] == rate)
            bolt = next(r for r in rows if r[0] != "Sloth" and r[1] == transport and r[2] == rate)
            print(f"\n{transport} at {rate:g}/s: Sloth p50 = {sloth[4] / bolt[4]:.2f}× bare Bolt's; "
                  f"p99 {sloth[5]:.2f} vs {bolt[5]:.2f} ms; lost {sloth[6]} vs {bolt[6]}.", end="")
    print()


if __name__ == "__main__":
    main()
