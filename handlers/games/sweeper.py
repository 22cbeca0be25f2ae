"""The sweeper: closes trivia rounds on time, expires idle games, finishes interrupted work.

It is a job of the games feature (every `SLOTH_GAME_TICK_SECONDS`, once per period for the
whole deployment), reading one index key per tick; compare-and-set makes sure only one writer
applies each change. At start every process looks at every live game once, for work a restart
interrupted. Tests move the injected clock and run the job, so nothing needs real time to pass.
"""

from __future__ import annotations

import logging

from bot.api import Context
from handlers.games import flow, logic

log = logging.getLogger(__name__)


async def sweep(ctx: Context, everything: bool = False) -> int:
    """Tend every game that is due (or every live game); how many were tended."""
    store = flow.games(ctx)
    now = ctx.clock()
    tended = 0
    for game_id, due in sorted((await store.live()).items(), key=lambda item: item[1]):
        if everything or due <= now:
            try:
                await tend(ctx, game_id)
            except Exception:
                log.exception("could not tend game %s; will try again", game_id)
            tended += 1
    return tended


async def tend(ctx: Context, game_id: str) -> None:
    store = flow.games(ctx)
    for _ in range(10):
        loaded = await store.load(game_id)
        if loaded is None:
            await store.track(game_id, None)
            return
        game, record = loaded
        if game.over:
            await flow.settle(ctx, game)  # a replica stopped between finishing and counting it
            return
        if await flow.catch_up(ctx, game, record, ctx.clock()):
            continue
        await store.track(game_id, logic.due(game, flow.idle_seconds(ctx)))
        return
