"""While four charts and exports of a 10,000-message channel are being made, other commands are
still acked at once and answered.

The light commands are sent open loop (on a schedule, not each after the last ack, which would
hide a stall behind a single slow sample) for as long as the heavy work is in progress, which
is watched through the worker pool's counters, so every sample is taken under load. On two busy
cores the margin is generous against the 50 ms goal; the benchmark (bench/ack_under_load.py)
reports the real numbers.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import quiet_garbage_collector
from sloth_emulator import Emulator
from sloth_emulator.delivery import Delivery
from tests.e2e.files.filework import AMELIA, JONAS, PRIYA, WILL, run, uploads, workspace_with_busy_channel
from tests.e2e.harness import running_bot, settle

HEAVY = ["plot activity #busy 30", "export #busy 30", "plot activity #busy 60", "export #busy 60"]
MEMBERS = [WILL, AMELIA, JONAS, PRIYA]
GOAL_MS = 50.0
RATE = 200  # light commands a second


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


@pytest.fixture
def collector_as_in_production() -> Iterator[None]:
    """The garbage-collector settings `sloth run` applies (bot.cli), undone afterwards. Here they
    also keep the emulator's 10,000 messages, which live in this process, out of full passes."""
    thresholds = gc.get_threshold()
    quiet_garbage_collector()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def test_light_commands_are_acked_fast_while_heavy_work_runs(
    tmp_path: Path, collector_as_in_production: None
) -> None:
    async with Emulator(workspace_with_busy_channel(messages=10_000, days=60)) as emu:
        gc.freeze()
        async with running_bot(emu, tmp_path) as bot:
            cpu = bot.ctx.cpu
            await run(emu, bot, "plot members")  # Sloth has been up a while: its worker process is running
            # Four members at once: each member may have only one export in the making.
            heavy = [await emu.slash_command(text=text, user=user) for text, user in zip(HEAVY, MEMBERS, strict=True)]
            await emu.wait_for(lambda: cpu.jobs == len(HEAVY), timeout=10)
            light: list[Delivery] = []
            busy_samples = 0
            while cpu.jobs:
                busy_samples += cpu.running > 0
                light.append(await emu.slash_command(text="help"))
                # Open loop: the next command leaves on schedule whether or not this one was acked,
                # so a stalled loop shows in every command queued behind it (this paces the load;
                # nothing waits on it for synchronisation).
                await asyncio.sleep(1 / RATE)
            await asyncio.gather(*(d.acked(timeout=5) for d in light))
            await settle(bot)
            lag = bot.metrics.loop_lag.collect()[0].samples  # Sloth's own view of its event loop
            assert all(d.is_acked for d in heavy)
            assert len(uploads(emu)) == len(HEAVY) + 1  # the heavy work did finish, all four files
            answered = {p.url for p in emu.responses}
            assert {d.payload["response_url"] for d in light} <= answered  # answered, not only acked
    latencies = [d.ack_latency * 1000 for d in light if d.ack_latency is not None]
    assert len(latencies) >= 50, f"only {len(latencies)} light commands fitted into the heavy work"
    assert busy_samples >= 5, "no light command was sent while a worker process was rendering"
    # Twice the goal: other test processes share these two cores. Drawing on the event loop
    # instead of in the worker processes, this measured a p99 of 183 ms.
    assert p99(latencies) < 2 * GOAL_MS, f"ack p99 {p99(latencies):.1f} ms over {len(latencies)} commands"
    # The loop-lag probe (every 50 ms) saw the loop held up past the goal only rarely.
    count = {s.labels["le"]: s.value for s in lag if s.name.endswith("_bucket")}
    assert count["+Inf"] >= 20 and count["+Inf"] - count["0.05"] <= max(2, 0.02 * count["+Inf"]), count
