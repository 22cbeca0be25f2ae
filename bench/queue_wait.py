"""How long a chart waits on the job queue when 20 are asked for at once: two Sloth replicas on
one Redis, with no worker (each replica draws its own), one `sloth worker` and two, side by side
in one run.

    python bench/queue_wait.py [--charts 20] [--workers 0,1,2] [--redis redis://127.0.0.1:6379/15]

20 members of a generated workspace each send `/sloth plot members` at the same moment (Socket
Mode, spread over the replicas' connections). For each chart the queue's own record says when it
was queued, taken by a worker and finished: "wait" is queued to taken, "run" taken to finished
(drawn and uploaded). "all answered" is from the first send to the last reply. Each worker runs
SLOTH_RENDER_WORKERS=1 drawing process (two jobs at once: one drawing, one uploading). On one
machine the workers share its cores with the replicas, the emulator and Redis. Not a test: it
prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "emulator")]

from bench.ack_latency import percentile  # noqa: E402
from bench.replicas import redis_server, replicas  # noqa: E402
from bot.work.lanes import HEAVY, open_queue  # noqa: E402
from sloth_emulator import Emulator, Workspace  # noqa: E402

BUSY = "busy with"  # a replica refusing a heavy command beyond its admission cap


async def charts_at_once(emu: Emulator, charts: int) -> tuple[float, int, int]:
    """Ask for `charts` charts at once, by as many members; (seconds until the last reply, posted, refused busy)."""
    members = [u.id for u in emu.workspace.users.values() if u.is_human][:charts]
    assert len(members) == charts, "the workspace has too few members"
    started = time.monotonic()
    deliveries = await asyncio.gather(*(emu.slash_command(text="plot members", user=m) for m in members))
    await asyncio.gather(*(d.acked(timeout=3.0) for d in deliveries))
    urls = {d.payload["response_url"] for d in deliveries}

    def replies() -> list[str]:
        return [str(p.body) for p in emu.responses if p.url in urls]

    with contextlib.suppress(TimeoutError):
        await emu.wait_for(lambda: len(replies()) >= charts, timeout=600)
    took = time.monotonic() - started
    said = replies()
    return took, sum("Posted" in r for r in said), sum(BUSY in r for r in said)


async def queue_times(store: str) -> tuple[list[float], list[float]]:
    """Each heavy job's wait (queued to started) and run (started to finished), in seconds."""
    queue = open_queue(store, HEAVY)
    await queue.connect()
    try:
        client = aioredis.from_url(store)
        keys = [key async for key in client.scan_iter(match=f"saq:job:{HEAVY.queue_name}:*")]
        await client.aclose()
        waits, runs = [], []
        for raw in keys:
            job = await queue.job(raw.decode().removeprefix(f"saq:job:{HEAVY.queue_name}:"))
            if job is not None and job.started and job.completed:
                waits.append((job.started - job.queued) / 1000)
                runs.append((job.completed - job.started) / 1000)
        return waits, runs
    finally:
        await queue.disconnect()


async def measure(workers: int, charts: int, store: str) -> tuple:
    workspace = Workspace.generated(users=charts + 10, channels=5)
    async with Emulator(workspace) as emu, replicas(emu, 2, "socket", store, workers=workers,
                                                    extra={"SLOTH_RENDER_WORKERS": "1"}):
        took, posted, busy = await charts_at_once(emu, charts)
        waits, runs = await queue_times(store)
    return workers, charts, posted, busy, waits, runs, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--charts", type=int, default=20)
    parser.add_argument("--workers", default="0,1,2", help="worker counts to compare, comma-separated")
    parser.add_argument("--redis", default=None, help="a Redis URL whose database may be emptied")
    args = parser.parse_args()
    rows = []
    with redis_server(args.redis) as store:
        for workers in (int(w) for w in args.workers.split(",")):
            rows.append(asyncio.run(measure(workers, args.charts, store)))
    print(f"\n{args.charts} × `/sloth plot members` at once, 2 replicas on one Redis, Socket Mode\n")
    print("| workers | posted | refused busy | queue wait p50 s | p95 s | max s | run p50 s | all answered s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workers, charts, posted, busy, waits, runs, took in rows:
        shown = [f"{percentile(waits, q):.2f}" if waits else "–" for q in (0.5, 0.95, 1.0)]
        run = f"{percentile(runs, 0.5):.2f}" if runs else "–"
        print(f"| {workers} | {posted}/{charts} | {busy} | {' | '.join(shown)} | {run} | {took:.1f} |")


if __name__ == "__main__":
    main()
