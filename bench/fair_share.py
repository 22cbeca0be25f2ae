"""Fair sharing, before and after: one member's burst of reminders, and game moves beside run cards.

    python bench/fair_share.py [--before main] [--window 60] [--runs 20]

Two measurements, each with the emulator and Sloth in one process over real sockets:

- **Reminders.** Member A sends 150 `remind in 20m …` at once, then member B sends one. B's
  answer time is measured at the emulator (the slash command written to the socket, to the
  answer posted to its `response_url`). The emulator applies Slack's tiers (chat.scheduleMessage
  and conversations.open are Tier 3, 50 a minute) in windows of `--window` seconds.
- **Game moves beside run cards.** `--runs` training runs report an epoch every 50 ms through the
  HTTP ingest while a member plays connect four against Sloth, a move 0.3 s after Sloth answers. Time runs ten
  times faster on both sides (Sloth paces 8 chat.update calls per 1.2 s, the emulator allows 50
  per 6 s): waits are shown in windows and in production seconds (× 10). A move's wait is from
  the click to the chat.update that first shows it; Sloth's answer, to the one that shows that
  (it includes Sloth's search, tens of milliseconds, which the scale multiplies too). The run
  cards' edits per window while the game is played are counted too.

`--before REF` also measures the code of a git ref (unpacked with `git archive` into a temporary
folder and run in a child process) and prints both side by side. Not a test: it prints tables.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(os.environ.get("SLOTH_BENCH_CODE", str(ROOT)))  # the checkout whose code is measured
sys.path[:0] = [str(CODE), str(CODE / "emulator")]  # its own emulator too, a distribution of its own

try:
    from sloth_emulator import Emulator, RateLimits, Workspace
    from sloth_emulator.ratelimit import SLACK_TIERS
except ImportError:  # a checkout from before the emulator was a distribution of its own
    from bot.emulator import Emulator, RateLimits, Workspace  # type: ignore[no-redef]
    from bot.emulator.ratelimit import SLACK_TIERS  # type: ignore[no-redef]
from bot.testing import FakeClock  # noqa: E402
from tests.e2e.games.gameplay import drawn_payload  # noqa: E402
from tests.e2e.harness import running_bot  # noqa: E402

A, B = "U01WJK68KS", "U01AMHART1"
BURST = 150
TOKEN = "bench-monitor-token"
SCALE = 10.0  # the moves scenario runs ten times faster than production
EDIT_WINDOW = 12.0 / SCALE


async def reminders(window: float) -> dict[str, Any]:
    """A's burst, then B's one reminder: B's answer time and what A's burst did."""
    limits = RateLimits(window=window, per_window=dict(SLACK_TIERS))
    with tempfile.TemporaryDirectory() as data:
        async with Emulator(Workspace.default(), rate_limits=limits) as emu, running_bot(emu, Path(data)):
            started = time.monotonic()
            burst = await asyncio.gather(*(emu.slash_command(text=f"remind in 20m stretch {n}", user=A)
                                           for n in range(BURST)))
            await asyncio.gather(*(d.acked() for d in burst))
            asked = time.monotonic()
            mine = await emu.slash_command(text="remind in 20m tea with Jonas", user=B)
            url = mine.payload["response_url"]
            await emu.wait_for(lambda: [p for p in emu.responses if p.url == url], timeout=30 * window)
            answered = time.monotonic() - asked
            scheduled = [c for c in emu.calls_to("chat.scheduleMessage") if c.ok]
            limiter = emu.api.limiter
            limited = sum(limiter.count(m) for m in ("chat.scheduleMessage", "conversations.open")) if limiter else 0
            # Leaving stops Sloth: whatever of A's burst still waits on Slack's limit is cancelled.
            return {"b_seconds": answered, "a_scheduled_before_b": len(scheduled) - 1,
                    "tier3_429s": limited, "burst_sent_seconds": asked - started}


async def report(http: aiohttp.ClientSession, url: str, run: int, channel: str, stop: asyncio.Event) -> None:
    """A fast training job: an epoch every 50 ms until told to stop."""
    info = {"name": f"run-{run}", "channel": channel, "owner": None, "total_epochs": 10_000, "config": {}}
    seq, began = 1, time.time()
    while not stop.is_set():
        event: dict[str, Any] = {"type": "start", "seq": 1, "time": began} if seq == 1 else {
            "type": "epoch", "seq": seq, "time": began + seq * 0.05, "epoch": seq - 2, "metrics": {"loss": 1.0 / seq}}
        body = json.dumps({"run": info, "events": [event], "dropped": 0})
        async with http.post(f"{url}/monitor/v1/runs/bench-run-{run:04d}/events", data=body,
                             headers={"Authorization": f"Bearer {TOKEN}"}) as answer:
            answer.raise_for_status()
        seq += 1
        await asyncio.sleep(0.05)


def drawn(emu: Emulator, ts: str, version: int) -> float | None:
    """When the emulator answered the first chat.update of the game `ts` drawing `version` or later."""
    for call in emu.calls_to("chat.update"):
        if call.ok and call.args.get("ts") == ts and drawn_payload(call)["version"] >= version:
            return call.time
    return None


def column(board: str, order: tuple[int, ...] = (3, 2, 4, 1, 5, 0, 6)) -> int:
    """A column that still has room, from the game's `board` metadata (rows top first)."""
    top = board.split("/")[0]
    return next(c for c in order if top[c] == ".")


async def moves(runs: int, max_moves: int) -> dict[str, Any]:
    ws = Workspace.generated(users=40, channels=runs + 10)
    player = next(u.id for u in ws.users.values() if u.is_human and not u.deleted)
    channels = [c.name for c in ws.channels.values() if not (c.is_private or c.is_archived) and c.name != "general"]
    limits = RateLimits(window=60.0 / SCALE, per_window=dict(SLACK_TIERS))
    env = {"SLOTH_MONITOR_TOKEN": TOKEN, "SLOTH_TRAINING_EDIT_SECONDS": str(2.0 / SCALE)}
    mine: list[float] = []
    sloths: list[float] = []
    played = 0.0
    with tempfile.TemporaryDirectory() as data:
        async with Emulator(ws, rate_limits=limits) as emu, running_bot(
                emu, Path(data), clock=FakeClock(time.time()), edits_per_window=8,
                edit_window_seconds=EDIT_WINDOW, env=env) as bot, aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{bot.http_port}"
            stop = asyncio.Event()
            jobs = [asyncio.create_task(report(http, url, run, channels[run % len(channels)], stop))
                    for run in range(runs)]
            await asyncio.sleep(2 * EDIT_WINDOW)  # the cards are posted and reporting
            await (await emu.slash_command(text="play connect4", user=player, channel="general")).acked()
            game = await emu.wait_for(lambda: next((m for m in emu.messages("general")
                                                    if (m.get("metadata") or {}).get("event_type") == "sloth_game"),
                                                   None), timeout=10)
            ts = game["ts"]
            began = time.time()
            for _ in range(max_moves):
                shown = next(m for m in emu.messages("general") if m["ts"] == ts)["metadata"]["event_payload"]
                if shown["status"] != "playing":
                    break
                version = int(shown["version"])
                clicked = time.time()
                await (await emu.click("general", ts, f"game:move:{column(shown['board'])}", user=player)).acked()
                at = await emu.wait_for(lambda v=version: drawn(emu, ts, v + 1), timeout=30)
                mine.append(at - clicked)
                answered = await emu.wait_for(lambda v=version, at=at: drawn(emu, ts, v + 2) or (
                    next(m for m in emu.messages("general") if m["ts"] == ts)["metadata"]["event_payload"]["status"]
                    != "playing" and at), timeout=30)
                sloths.append(answered - clicked)
                await asyncio.sleep(0.3)
            played = time.time() - began
            general = emu.workspace.channel("general")
            card_edits = sum(1 for c in emu.calls_to("chat.update")
                             if c.ok and general and c.args.get("channel") != general.id and began <= c.time)
            stop.set()
            await asyncio.gather(*jobs)  # a job the ingest refused would make this measure nothing
            limited = emu.api.limiter.count("chat.update") if emu.api.limiter else 0
    return {"move_waits": mine, "answer_waits": sloths, "update_429s": limited,
            "card_edits_per_window": card_edits / (played / EDIT_WINDOW)}


async def measure(window: float, runs: int, max_moves: int) -> dict[str, Any]:
    return {"reminders": await reminders(window), "moves": await moves(runs, max_moves)}


def unpacked(ref: str, into: Path) -> Path:
    """The files of `ref` (a branch, tag or commit of this repository) in a fresh folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def measured_at(checkout: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run this script's measurement with `checkout`'s code, in a child process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", "--window", str(args.window),
               "--runs", str(args.runs), "--moves", str(args.moves)]
    paths = os.pathsep.join([str(checkout), str(checkout / "emulator")])
    env = {**os.environ, "SLOTH_BENCH_CODE": str(checkout), "PYTHONPATH": paths, "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=checkout).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def summary(waits: list[float]) -> str:
    if not waits:
        return "—"
    windows = [w / EDIT_WINDOW for w in waits]
    return (f"median {statistics.median(windows):.2f}, max {max(windows):.2f} windows "
            f"({statistics.median(waits) * SCALE:.1f} s / {max(waits) * SCALE:.1f} s in production)")


def table(results: dict[str, dict[str, Any]], window: float, runs: int) -> None:
    names = list(results)
    print(f"\nReminders: A sends {BURST} at once, then B one (Slack's tiers per {window:g} s)\n")
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    rows = [("B's answer (s)", lambda r: f"{r['reminders']['b_seconds']:.2f}"),
            ("A's reminders scheduled before B's", lambda r: str(r["reminders"]["a_scheduled_before_b"])),
            ("429s (chat.scheduleMessage, conversations.open)", lambda r: str(r["reminders"]["tier3_429s"]))]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(results[n]) for n in names) + " |")
    print(f"\nConnect four against Sloth while {runs} runs report (time × {SCALE:g}; a window is 12 s)\n")
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    rows = [("moves", lambda r: str(len(r["moves"]["move_waits"]))),
            ("your move shown after", lambda r: summary(r["moves"]["move_waits"])),
            ("Sloth's answer shown after (its search included)", lambda r: summary(r["moves"]["answer_waits"])),
            ("run card edits per window meanwhile", lambda r: f"{r['moves']['card_edits_per_window']:.1f}"),
            ("chat.update 429s", lambda r: str(r["moves"]["update_429s"]))]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(results[n]) for n in names) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", help="a git ref to measure too, e.g. main")
    parser.add_argument("--window", type=float, default=60.0, help="the emulator's rate-limit window for reminders")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--moves", type=int, default=12)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.window, args.runs, args.moves))))
        return
    results: dict[str, dict[str, Any]] = {}
    if args.before:
        with tempfile.TemporaryDirectory(prefix="sloth-before-") as folder:
            results[f"before ({args.before})"] = measured_at(unpacked(args.before, Path(folder)), args)
    results["after (this checkout)"] = measured_at(ROOT, args)
    table(results, args.window, args.runs)


if __name__ == "__main__":
    main()
