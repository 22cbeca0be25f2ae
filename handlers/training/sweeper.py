"""Jobs: the sweeper marks runs that stopped reporting as stale, picks up unfinished card work
and takes expired runs out of the index; and each process says it is alive (see `posting`).

The sweeper runs when Sloth starts (so cards and thread jobs left over from a restart are
finished) and then every `SLOTH_TRAINING_SWEEP_SECONDS`. Staleness is judged with the runtime's clock.
"""

from __future__ import annotations

import logging

from bot.api import Context, Router
from handlers.training.runs import ALIVE_EVERY
from handlers.training.service import start, training
from handlers.training.state import mark_stale

log = logging.getLogger(__name__)

router = Router()
# A card a crashed process may have posted is looked for in its channel's history (see posting).
router.scopes.update({"channels:history", "groups:history", "channels:join"})


@router.started
async def open_training(ctx: Context) -> None:
    service = start(ctx)
    await service.runs.beat(service.process)
    # With many workspaces the setting is not used: each workspace's admins issue its tokens.
    if not ctx.config.monitor_token and ctx.settings.workspaces == "single":
        log.warning("training ingest is off: set SLOTH_MONITOR_TOKEN to let training jobs report to Sloth")


@router.every(ALIVE_EVERY, name="alive", per_process=True)
async def say_alive(ctx: Context) -> None:
    service = training(ctx)
    await service.runs.beat(service.process)


@router.every(lambda ctx: ctx.config.sweep_seconds, name="sweep")
async def sweep_once(ctx: Context) -> None:
    service = training(ctx)
    gone = set()
    now, after = ctx.clock(), float(ctx.config.stale_minutes) * 60
    for run_id in await service.runs.recent():
        run = await service.runs.get(run_id)
        if run is None:
            gone.add(run_id)  # expired
            continue
        if run.running and not run.stale and now - run.seen > after:
            changed = await service.runs.change(run_id, lambda r: mark_stale(r, now, after))
            if changed is None:
                continue
            run = changed[0]
            log.info("training run %s (%s) stopped reporting; marked stale", run_id, run.name)
        unfinished = run.card_ts is None or run.version > run.shown or run.jobs
        if unfinished and not run.card_error:
            service.follower.touch(run_id)
    if gone:
        await service.runs.forget(gone)
