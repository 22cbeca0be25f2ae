"""Acks for everyone while one feature's handler blocks the event loop: Sloth vs a bare Bolt AsyncApp.

    python bench/ack_blocking.py [--rate 50] [--seconds 10] [--nap 3]

Each bot runs as its own process against the emulator, which runs here and measures, from
writing each envelope to reading its ack. Each bot has one command handler that calls
`time.sleep(--nap)` on its event loop (Sloth: the `napper` feature of bench/napper.py; Bolt:
`/sloth nap` in bench/bare_bolt.py, after its ack). One member sends `/sloth nap` once a second
while the other members send `/sloth help` open loop at `--rate` a second, for `--seconds`.
"lost" counts help commands not acked within 3 s (Slack's deadline: the member sees an error);
"answered" those whose answer reached their response_url by the end (the answers themselves
wait for the naps: nothing but a thread of its own can help a blocked loop). For Sloth it also
reads what its /metrics counted and how often its log named the handler. Not a test: it prints
a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sloth_emulator import Emulator, Workspace  # noqa: E402
from sloth_emulator.delivery import Delivery  # noqa: E402

DEADLINE = 3.0
BOTS = {
    "Sloth": [sys.executable, "-m", "bot", "run"],
    "bare Bolt AsyncApp": [sys.executable, str(ROOT / "bench" / "bare_bolt.py")],
}


@dataclass
class Result:
    bot: str
    helps: list[Delivery] = field(default_factory=list)
    naps: list[Delivery] = field(default_factory=list)
    answered: int = 0
    blocked_counted: str = "—"  # Sloth's sloth_loop_blocked_total for the nap command
    logged: str = "—"  # how many log lines named the nap command

    def latencies(self) -> list[float]:
        """Every help command's ack latency in ms; one never acked counts as infinite."""
        return [d.ack_latency * 1000 if d.ack_latency is not None else float("inf") for d in self.helps]

    @property
    def lost(self) -> int:
        return sum(1 for ms in self.latencies() if ms > DEADLINE * 1000)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def open_loop(rate: float, seconds: float, send: object) -> None:
    """Call `send(i)` at `rate` a second for `seconds`, each at its time whatever the bot does."""
    started = time.perf_counter()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        await send(i)  # type: ignore[operator]


async def load(emu: Emulator, result: Result, rate: float, seconds: float, nap: float) -> None:
    humans = [u.id for u in emu.workspace.users.values() if u.is_human]
    napper, others = humans[0], humans[1:]

    async def nap_once(_: int) -> None:
        result.naps.append(await emu.slash_command(text="nap", user=napper))

    async def help_once(i: int) -> None:
        result.helps.append(await emu.slash_command(text="help", user=others[i % len(others)]))

    await asyncio.gather(open_loop(1.0, seconds, nap_once), open_loop(rate, seconds, help_once))
    # Late acks are still measured (how late), up to the time every nap takes.
    waits = [d.acked(timeout=len(result.naps) * nap + 10) for d in [*result.helps, *result.naps]]
    await asyncio.gather(*waits, return_exceptions=True)
    urls = {d.payload["response_url"] for d in result.helps}

    def answered() -> int:
        return len(urls & {p.url for p in emu.responses})

    with contextlib.suppress(TimeoutError):
        await emu.wait_for(lambda: answered() >= len(urls), timeout=len(result.naps) * nap + 30)
    result.answered = answered()


async def warm_up(emu: Emulator) -> None:
    deliveries = [await emu.slash_command(text="help") for _ in range(20)]
    await asyncio.gather(*(d.acked(timeout=10) for d in deliveries), return_exceptions=True)


async def measure(bot: str, argv: list[str], args: argparse.Namespace) -> Result:
    result = Result(bot)
    async with Emulator(Workspace.default()) as emu:
        with tempfile.TemporaryDirectory() as data:
            port = free_port()
            env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
            env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                       SLOTH_HTTP_PORT=str(port), SLOTH_DATA_DIR=data, LOG_LEVEL="WARNING",
                       SLOTH_FEATURES="bench.napper", NAP_SECONDS=str(args.nap),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
            log_path = Path(data) / "stderr.log"
            with log_path.open("wb") as log:
                process = await asyncio.create_subprocess_exec(*argv, env=env, cwd=data,
                                                               stdout=asyncio.subprocess.DEVNULL, stderr=log)
                try:
                    await emu.wait_connected(1, timeout=30)
                    await warm_up(emu)
                    await load(emu, result, args.rate, args.seconds, args.nap)
                    if bot == "Sloth":
                        result.blocked_counted = await blocked_total(f"http://127.0.0.1:{port}/metrics")
                finally:
                    process.terminate()
                    await process.wait()
            if bot == "Sloth":
                result.logged = str(log_path.read_text(errors="replace").count("feature's command nap held"))
    return result


async def blocked_total(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        text = await response.text()
    found = re.search(r'^sloth_loop_blocked_total\{feature="napper",what="command nap"\} (\S+)$', text, re.M)
    return found.group(1) if found else "0"


def report(results: list[Result], args: argparse.Namespace) -> None:
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nAcks of other members' /sloth help ({args.rate:g}/s open loop, {args.seconds:g} s) while one "
          f"member's /sloth nap, a handler that calls time.sleep({args.nap:g}) on the event loop, runs once a "
          f"second ({os.cpu_count()} CPUs, load average {load_avg} at the end; measured at the emulator)\n")
    print("| bot | help sent | ack p50 ms | ack p99 ms | ack max ms | lost (> 3 s) | answered | naps sent "
          "| naps acked < 3 s | loop blocks counted | log lines |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ms = r.latencies()
        naps_in_time = sum(1 for d in r.naps if d.ack_latency is not None and d.ack_latency <= DEADLINE)
        print(f"| {r.bot} | {len(r.helps)} | {statistics.median(ms):.2f} | {percentile(ms, 0.99):.2f} | "
              f"{max(ms):.1f} | {r.lost} | {r.answered} | {len(r.naps)} | {naps_in_time} | "
              f"{r.blocked_counted} | {r.logged} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="help commands per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the load runs")
    parser.add_argument("--nap", type=float, default=3.0, help="seconds the blocking handler sleeps")
    args = parser.parse_args()
    results = [asyncio.run(measure(bot, argv, args)) for bot, argv in BOTS.items()]
    report(results, args)


if __name__ == "__main__":
    main()
