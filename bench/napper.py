"""A feature with the mistake bench/ack_blocking.py measures: `/sloth nap` holds the event loop.

    SLOTH_FEATURES=bench.napper sloth run       (with the checkout on PYTHONPATH)
"""

from __future__ import annotations

import os
import time

from bot.api import Args, Context, Invocation, Reply, Router

NAP_SECONDS = float(os.environ.get("NAP_SECONDS", "3"))
router = Router("napper")


@router.command("nap", "Sleep on the event loop (what a feature must never do).")
async def nap(ctx: Context, inv: Invocation, args: Args) -> Reply:
    time.sleep(NAP_SECONDS)  # noqa: ASYNC251 - the blocking call under test
    return Reply(text="awake")
