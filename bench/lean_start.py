"""Start-up time and idle memory of Sloth's main process vs a bare Bolt AsyncApp, same run.

    python bench/lean_start.py [--repeats 7] [--no-chart]

The emulator runs in this process on 127.0.0.1; each bot runs as its own process against it
(`python -m bot run` and `bench/bare_bolt.py`), the order alternating between repeats. For each
start it measures:

- start: from spawning the process to the emulator having written `hello` on the bot's socket
  and registered the connection (the moment envelopes can reach the bot). Same for both bots.
- CPU to connect: user + system CPU time the bot's process had used when it connected, a
  figure that other work on the machine does not inflate the way it does wall-clock time.
- idle RSS: VmRSS of the bot's own process (/proc/<pid>/status) once connected and idle: no
  process of its tree used more than 10 ms of CPU in the last second. Child processes (Sloth's
  fork server and multiprocessing's resource tracker) are not counted; they are listed apart.
- answers: `/sloth help` sent the moment the socket is connected (while Sloth's fork server
  starts beside it) and again once idle, each until its reply reached the response_url.

Sloth's own modules are byte-compiled first, as `pip install` does for an installed Sloth:
with PYTHONDONTWRITEBYTECODE set and no cache, every start would compile them from source
(about 0.15 s on a small machine), a cost no deployed Sloth pays.

For Sloth alone, two more starts per repeat measure the first chart (`plot activity #small`, a
channel of 300 messages): sent the moment the socket is connected, and sent once idle; each
until the PNG's upload is complete (files.completeUploadExternal). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from sloth_emulator import Emulator, Workspace
from sloth_emulator.generated import add_history

ROOT = Path(__file__).resolve().parent.parent
SLOTH, BOLT = "Sloth", "bare Bolt AsyncApp"
BOTS = {
    SLOTH: [sys.executable, "-m", "bot", "run"],
    BOLT: [sys.executable, str(ROOT / "bench" / "bare_bolt.py")],
}
CHART = "plot activity #small 30"
TICK = os.sysconf("SC_CLK_TCK")
QUIET_WINDOW = 1.0  # seconds without CPU use (beyond QUIET_CPU) that count as idle
QUIET_CPU = 0.010


@dataclass
class Samples:
    start_s: list[float] = field(default_factory=list)
    start_cpu_s: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    answer_at_connect_ms: list[float] = field(default_factory=list)
    answer_when_idle_ms: list[float] = field(default_factory=list)
    chart_at_connect_s: list[float] = field(default_factory=list)
    chart_when_idle_s: list[float] = field(default_factory=list)
    children_mb: dict[str, list[float]] = field(default_factory=dict)


# -- /proc -----------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                stat = (entry / "stat").read_text()
                parent = int(stat[stat.rindex(")") + 2:].split()[1])
                parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def role(pid: int) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    for marker, name in (("forkserver", "fork server"), ("resource_tracker", "resource tracker")):
        if marker in command:
            return name
    return "other child"


def tree_cpu(pid: int) -> float:
    total = 0.0
    for each in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):
            total += cpu_seconds(each)
    return total


async def wait_idle(pid: int, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Until the process tree used at most QUIET_CPU over the last QUIET_WINDOW seconds."""
    history: list[tuple[float, float]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = time.monotonic()
        history.append((now, tree_cpu(pid)))
        window = [cpu for at, cpu in history if at >= now - QUIET_WINDOW]
        if history[0][0] <= now - QUIET_WINDOW and history[-1][1] - window[0] <= QUIET_CPU:
            return
        await asyncio.sleep(0.1)  # sampling /proc: the measurement itself, not a synchronisation
    raise TimeoutError(f"process {pid} did not go idle within {timeout:g} s")


# -- one start -------------------------------------------------------------------------------


def workspace() -> Workspace:
    ws = Workspace.default()
    small = ws.create_channel("small", ws.first_human().id)
    small.members.update(dict.fromkeys(u.id for u in ws.users.values() if u.is_human or u.id == ws.bot_user_id))
    add_history(ws, small.id, messages=300, days=30, seed=1)
    return ws


def files_done(emu: Emulator) -> int:
    return sum(1 for f in emu.workspace.files.values() if f.user == emu.bot_user_id and f.complete)


@contextlib.asynccontextmanager
async def started(argv: list[str]) -> AsyncIterator[tuple[Emulator, asyncio.subprocess.Process, float]]:
    """A fresh emulator and the bot connected to it; yields them and the seconds to connect."""
    async with Emulator(workspace()) as emu:
        with tempfile.TemporaryDirectory() as data, tempfile.TemporaryFile() as errors:
            env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
            env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url,
                       SLOTH_HTTP_PORT="0", SLOTH_DATA_DIR=data, LOG_LEVEL="WARNING",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
            begun = time.perf_counter()
            process = await asyncio.create_subprocess_exec(*argv, env=env, cwd=data, stdout=asyncio.subprocess.DEVNULL,
                                                           stderr=errors)
            try:
                await emu.wait_connected(1, timeout=30)
                yield emu, process, time.perf_counter() - begun
            except BaseException:
                errors.seek(0)
                sys.stderr.write(errors.read().decode(errors="replace")[-3000:])
                raise
            finally:
                if process.returncode is None:
                    process.terminate()
                await process.wait()


async def answer_ms(emu: Emulator) -> float:
    begun = time.perf_counter()
    delivery = await emu.slash_command(text="help")
    url = delivery.payload["response_url"]
    await emu.wait_for(lambda: any(p.url == url for p in emu.responses), timeout=10)
    return (time.perf_counter() - begun) * 1000


async def chart_s(emu: Emulator) -> float:
    begun = time.perf_counter()
    await emu.slash_command(text=CHART)
    await emu.wait_for(lambda: files_done(emu) >= 1, timeout=30)
    return time.perf_counter() - begun


async def idle_start(name: str, samples: Samples) -> None:
    async with started(BOTS[name]) as (emu, process, seconds):
        samples.start_s.append(seconds)
        samples.start_cpu_s.append(cpu_seconds(process.pid))
        samples.answer_at_connect_ms.append(await answer_ms(emu))
        await wait_idle(process.pid)
        samples.rss_mb.append(rss_mb(process.pid))
        for child in descendants(process.pid):
            samples.children_mb.setdefault(role(child), []).append(rss_mb(child))
        samples.answer_when_idle_ms.append(await answer_ms(emu))


async def chart_starts(samples: Samples) -> None:
    async with started(BOTS[SLOTH]) as (emu, _, _):
        samples.chart_at_connect_s.append(await chart_s(emu))
    async with started(BOTS[SLOTH]) as (emu, process, _):
        await wait_idle(process.pid)
        samples.chart_when_idle_s.append(await chart_s(emu))


async def bench(repeats: int, charts: bool) -> dict[str, Samples]:
    results = {name: Samples() for name in BOTS}
    for i in range(repeats):
        order = list(BOTS) if i % 2 == 0 else list(reversed(BOTS))
        for name in order:
            await idle_start(name, results[name])
        if charts:
            await chart_starts(results[SLOTH])
        print(f"repeat {i + 1}/{repeats} done", file=sys.stderr)
    return results


# -- the table -------------------------------------------------------------------------------


def spread(values: list[float], digits: int) -> str:
    if not values:
        return "—"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def report(results: dict[str, Samples], repeats: int) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nStart-up and idle memory, {repeats} starts of each bot, median (min–max); "
          f"{os.cpu_count()} CPUs, load average {load} at the end\n")
    print("| bot | start → hello (s) | CPU to connect (s) | idle RSS, main process (MB) "
          "| `/sloth help` answered at connect (ms) | … once idle (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, s in results.items():
        print(f"| {name} | {spread(s.start_s, 2)} | {spread(s.start_cpu_s, 2)} | {spread(s.rss_mb, 1)} "
              f"| {spread(s.answer_at_connect_ms, 0)} | {spread(s.answer_when_idle_ms, 0)} |")
    sloth, bolt = results[SLOTH], results[BOLT]
    print(f"\nSloth / bare Bolt: idle RSS {statistics.median(sloth.rss_mb) / statistics.median(bolt.rss_mb):.2f}×, "
          f"start {statistics.median(sloth.start_s) / statistics.median(bolt.start_s):.2f}×, CPU to connect "
          f"{statistics.median(sloth.start_cpu_s) / statistics.median(bolt.start_cpu_s):.2f}× (medians).")
    for child, sizes in sorted(sloth.children_mb.items()):
        print(f"Not counted above: Sloth's {child}, {spread(sizes, 1)} MB.")
    if sloth.chart_at_connect_s:
        print(f"\nFirst chart (`{CHART}`, 300 messages), command → upload complete, seconds:")
        print(f"- sent the moment the socket is connected: {spread(sloth.chart_at_connect_s, 2)}")
        print(f"- sent once idle: {spread(sloth.chart_when_idle_s, 2)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="starts of each bot")
    parser.add_argument("--no-chart", action="store_true", help="skip the first-chart starts")
    args = parser.parse_args()
    for package in ("bot", "handlers"):
        compileall.compile_dir(ROOT / package, quiet=1)
    report(asyncio.run(bench(args.repeats, not args.no_chart)), args.repeats)


if __name__ == "__main__":
    main()
