"""Ack latency of light commands while charts and exports of a 10,000-message channel are made.

    python bench/ack_under_load.py [--rate 100] [--rounds 3] [--messages 10000] [--figure PNG]

Sloth runs as its own process against the emulator, which runs here with a #busy channel of
`--messages` messages. Three runs, each sending `/sloth help` open-loop at `--rate` a second:
idle; while four `plot activity #busy 30` are made; while four `export #busy 30` are made (each
reads every page of the history, the exports also every thread; four members ask one each),
`--rounds` batches of four one after another. Latency is measured at the
emulator, from writing an envelope to reading its ack; "lost" counts commands not acked within
3 s. Prints a table and draws a side-by-side figure. Not a test.

The emulator stands in for Slack's servers, so its own pauses must not be counted against the
bot: its workspace is frozen out of the garbage collector and collection is off while measuring.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sloth_emulator import Emulator, Workspace  # noqa: E402
from sloth_emulator.delivery import Delivery  # noqa: E402
from sloth_emulator.generated import add_history  # noqa: E402

GOAL_MS = 50.0
SCENARIOS = {"idle": [], "4 plots": ["plot activity #busy 30"] * 4, "4 exports": ["export #busy 30"] * 4}


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)  # ms, acked commands only
    sent: int = 0
    lost: int = 0
    answered: int = 0
    heavy_seconds: list[float] = field(default_factory=list)  # per round: until all four files were posted
    seconds: float = 0.0
    emulator_stall_ms: float = 0.0  # the longest the emulator's own loop was held up (it measures acks)
    bot_lag_ms: float = 0.0  # the bot's own longest event-loop lag, from its metrics (a bucket's edge)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def busy_workspace(messages: int) -> Workspace:
    ws = Workspace.default()
    busy = ws.create_channel("busy", ws.first_human().id)
    busy.members.update(dict.fromkeys(u.id for u in ws.users.values() if u.is_human or u.id == ws.bot_user_id))
    add_history(ws, busy.id, messages=messages, days=30, seed=1)
    return ws


def files_done(emu: Emulator) -> int:
    return sum(1 for f in emu.workspace.files.values() if f.user == emu.bot_user_id and f.complete)


async def watch_loop(run: Run) -> None:
    """How late a 5 ms sleep wakes up: this process's own stalls, which delay reading acks too."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(0.005)
        run.emulator_stall_ms = max(run.emulator_stall_ms, (loop.time() - before - 0.005) * 1000)


async def lag_buckets(metrics_url: str) -> dict[float, float]:
    """The bot's sloth_event_loop_lag_seconds histogram: upper edge -> cumulative count."""
    async with aiohttp.ClientSession() as http, http.get(metrics_url) as response:
        text = await response.text()
    buckets = {}
    for match in re.finditer(r'^sloth_event_loop_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$', text, re.M):
        buckets[float(match.group(1))] = float(match.group(2))
    return buckets


def worst_lag_ms(before: dict[float, float], after: dict[float, float]) -> float:
    """The smallest bucket edge that holds every lag sampled between two scrapes."""
    total = after[float("inf")] - before[float("inf")]
    for edge in sorted(after):
        if after[edge] - before.get(edge, 0) >= total:
            return edge * 1000
    return float("inf")


async def measure(emu: Emulator, name: str, heavy: list[str], args: argparse.Namespace) -> Run:
    run = Run(name)
    watcher = asyncio.create_task(watch_loop(run))
    before = await lag_buckets(args.metrics_url)
    try:
        return await _measure(emu, run, heavy, args.rate, args.idle_seconds, args.rounds)
    finally:
        watcher.cancel()
        run.bot_lag_ms = worst_lag_ms(before, await lag_buckets(args.metrics_url))


async def _measure(emu: Emulator, run: Run, heavy: list[str], rate: float, idle_seconds: float,
                   rounds: int) -> Run:
    started = time.perf_counter()
    deliveries: list[Delivery] = []
    jobs: list[Delivery] = []

    async def light_until(done: Callable[[], bool]) -> None:
        # Open loop: each command leaves at its scheduled time, whatever the bot is doing.
        while not done():
            delay = started + len(deliveries) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            deliveries.append(await emu.slash_command(text="help"))
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"{run.name}: the heavy work did not finish in 5 minutes")

    if not heavy:
        await light_until(lambda: time.perf_counter() - started >= idle_seconds)
    for _ in range(rounds if heavy else 0):
        before, begun = files_done(emu), time.perf_counter()
        # Four members, one each: a member may have only one export (and two charts) in the making.
        members = [u.id for u in emu.workspace.users.values() if u.is_human and not u.deleted]
        jobs += [await emu.slash_command(text=text, user=members[i % len(members)]) for i, text in enumerate(heavy)]
        await light_until(lambda: files_done(emu) - before >= len(heavy))  # noqa: B023 - used at once
        run.heavy_seconds.append(time.perf_counter() - begun)
    run.seconds = time.perf_counter() - started
    await asyncio.gather(*(d.acked(timeout=3.0) for d in [*deliveries, *jobs]), return_exceptions=True)
    run.sent = len(deliveries)
    run.latencies = [d.ack_latency * 1000 for d in deliveries if d.ack_latency is not None and d.ack_latency <= 3]
    run.lost = run.sent - len(run.latencies)
    urls = {d.payload["response_url"] for d in deliveries}

    def answered() -> int:
        return len(urls & {p.url for p in emu.responses})

    with contextlib.suppress(TimeoutError):
        await emu.wait_for(lambda: answered() >= run.sent, timeout=10)
    run.answered = answered()
    return run


async def bench(args: argparse.Namespace) -> list[Run]:
    workspace = busy_workspace(args.messages)
    gc.collect()
    gc.freeze()  # the emulator's workspace: long-lived, never garbage, not worth scanning
    runs = []
    async with Emulator(workspace) as emu:
        with tempfile.TemporaryDirectory() as data:
            env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
            port = free_port()
            args.metrics_url = f"http://127.0.0.1:{port}/metrics"
            env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                       SLOTH_HTTP_PORT=str(port), SLOTH_DATA_DIR=data, LOG_LEVEL="WARNING",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
            process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=data,
                                                           stdout=asyncio.subprocess.DEVNULL)
            try:
                await emu.wait_connected(1, timeout=30)
                await measure(emu, "warm-up", ["plot activity #busy 7"], argparse.Namespace(
                    rate=args.rate, idle_seconds=1.0, rounds=1, metrics_url=args.metrics_url))
                gc.disable()
                for name, heavy in SCENARIOS.items():
                    runs.append(await measure(emu, name, heavy, args))
                    gc.collect()  # between runs, not during them
            finally:
                gc.enable()
                process.terminate()
                await process.wait()
    return runs


def report(runs: list[Run], args: argparse.Namespace) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nAck latency of /sloth help, open loop at {args.rate:g}/s, while heavy work runs "
          f"(#busy: {args.messages:,} messages; {os.cpu_count()} CPUs, load average {load} before the "
          "runs; measured at the emulator)\n")
    print("| while | sent | p50 ms | p99 ms | max ms | lost | answered | all four done after (s) "
          "| Sloth's loop lag ≤ ms | emulator stall ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for run in runs:
        heavy = ", ".join(f"{s:.1f}" for s in run.heavy_seconds) or "—"
        print(f"| {run.name} | {run.sent} | {run.percentile(0.5):.2f} | {run.percentile(0.99):.2f} | "
              f"{max(run.latencies, default=float('nan')):.1f} | {run.lost} | {run.answered} | {heavy} | "
              f"{run.bot_lag_ms:g} | {run.emulator_stall_ms:.0f} |")
    print()


def figure(runs: list[Run], path: Path, args: argparse.Namespace) -> None:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from handlers.charts import AUBERGINE, DPI, GREEN, LIGHT, MUTED, SIZE, STYLE, TEAL

    with rc_context(STYLE):
        fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        bars, spread = fig.subplots(1, 2, width_ratios=[1, 1.3])
        names = [r.name for r in runs]
        x = range(len(runs))
        bars.bar([i - 0.2 for i in x], [r.percentile(0.5) for r in runs], width=0.4, color=LIGHT, label="p50")
        bars.bar([i + 0.2 for i in x], [r.percentile(0.99) for r in runs], width=0.4, color=AUBERGINE, label="p99")
        for i, run in enumerate(runs):
            bars.text(i + 0.2, run.percentile(0.99), f"{run.percentile(0.99):.1f}", ha="center", va="bottom",
                      fontsize=14)
        bars.axhline(GOAL_MS, color=TEAL, linewidth=2.5, linestyle="--", label=f"goal: {GOAL_MS:g} ms")
        bars.set_xticks(list(x), names)
        bars.set_ylabel("ack latency (ms)")
        bars.set_ylim(0, max(GOAL_MS, *(r.percentile(0.99) for r in runs)) * 1.25)
        bars.set_title("p50 and p99", loc="left")
        bars.legend(loc="upper left", frameon=False)
        for run, colour in zip(runs, (GREEN, AUBERGINE, TEAL), strict=False):
            ordered = sorted(run.latencies)
            spread.plot(ordered, [100 * (i + 1) / len(ordered) for i in range(len(ordered))], color=colour,
                        linewidth=3, label=f"{run.name} ({run.sent} commands)")
        spread.axvline(GOAL_MS, color=MUTED, linewidth=1.5, linestyle="--")
        spread.text(GOAL_MS, 3, " goal", color=MUTED, fontsize=13, va="bottom")
        spread.set_xscale("log")
        ticks = [t for t in (0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000)
                 if t <= max(GOAL_MS * 2, max(max(r.latencies, default=1) for r in runs) * 1.5)]
        spread.set_xticks(ticks, [f"{t:g}" for t in ticks])
        spread.set_xlim(0.1, max(GOAL_MS * 2, max(max(r.latencies, default=1) for r in runs) * 1.5))
        spread.minorticks_off()
        spread.set_xlabel("ack latency (ms, log scale)")
        spread.set_ylabel("% of commands acked within")
        spread.set_title("Every command", loc="left")
        spread.legend(loc="upper left", frameon=False)
        fig.suptitle(f"Acks while 4 charts or exports of {args.messages:,} messages are made", fontsize=22,
                     fontweight="bold", x=0.02, ha="left")
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, facecolor="white")
    print(f"Figure: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="light commands per second")
    parser.add_argument("--messages", type=int, default=10_000, help="messages in #busy")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="how long the idle run lasts")
    parser.add_argument("--rounds", type=int, default=3, help="batches of four heavy commands, one after another")
    parser.add_argument("--figure", type=Path, default=ROOT / "bench" / "results" / "ack_under_load.png")
    args = parser.parse_args()
    runs = asyncio.run(bench(args))
    report(runs, args)
    figure(runs, args.figure, args)


if __name__ == "__main__":
    main()
