"""How long Sloth takes to replace a Socket Mode connection that dies without a close frame.

    python bench/socket_failover.py [--runs 20]

The emulator and Sloth run in this process. Each run kills the current connection, either
"silent" (no more pongs, frames or acks: a half-open TCP connection) or "dropped" (the TCP
connection aborted), and measures at the emulator the time until the next connection's hello is
sent. Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from pathlib import Path

from bot.testing import start_runtime
from sloth_emulator import Emulator, Workspace


async def failovers(kind: str, runs: int) -> list[float]:
    """Seconds from killing the connection to the new one's hello, `runs` times in a row."""
    times = []
    async with Emulator(Workspace.default()) as emu:
        with tempfile.TemporaryDirectory() as data:
            async with start_runtime(emu, Path(data)):
                for _ in range(runs):
                    old = emu.hub.connections[-1]
                    killed_at = time.time()
                    if kind == "silent":
                        emu.silence_connection(old.id)
                    else:
                        emu.drop_connection(old.id)
                    new = await emu.wait_for(
                        lambda old=old: next((c for c in emu.hub.connections if c.id > old.id), None), timeout=30)
                    times.append(new.opened_at - killed_at)
                    # The next run starts from a settled state: only the new connection open.
                    await emu.wait_for(lambda new=new: [c.id for c in emu.hub.connections] == [new.id], timeout=30)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"\nDead connection to the new connection's hello, {args.runs} runs each (seconds)\n")
    print("| fault | median | max | min |")
    print("|---|---:|---:|---:|")
    for kind in ("silent", "dropped"):
        times = asyncio.run(failovers(kind, args.runs))
        print(f"| {kind} | {statistics.median(times):.2f} | {max(times):.2f} | {min(times):.2f} |")


if __name__ == "__main__":
    main()
