"""The run card's buttons: Stop, Checkpoint now, LR × 0.5 and Mute (the run's owner and admins), Curves."""

from __future__ import annotations

from bot.api import Click, Context, Reply, Router, escape, is_admin, notice
from handlers.training import reports
from handlers.training.service import name_of, training
from handlers.training.state import Run, add_curves_job, request_stop

router = Router()

GONE = "Sloth no longer keeps this training run (runs are kept for 30 days)."


async def may_stop(ctx: Context, run: Run, user: str) -> bool:
    """The run's owner, Sloth's admins and the workspace's admins and owners."""
    return user == run.owner or await is_admin(ctx, user)


async def controlled_run(ctx: Context, click: Click, doing: str) -> Run | Reply:
    """The run whose card was pressed, if the presser may do what `doing` says ("stop {run}");
    otherwise the refusal."""
    run = await training(ctx).runs.get(click.value)
    if run is None:
        return notice(GONE)
    if not await may_stop(ctx, run, click.user):
        owner = f"its owner ({escape(await name_of(ctx, run.owner) or '')})" if run.owner else "its owner"
        return notice(f"Only {owner} or one of Sloth's admins can {doing.format(run=f'*{escape(run.name)}*')}.")
    return run


@router.action("training:stop")
async def stop(ctx: Context, click: Click) -> Reply | None:
    service = training(ctx)
    run = await controlled_run(ctx, click, "stop {run}")
    if isinstance(run, Reply):
        return run
    now = ctx.clock()
    changed = await service.runs.change(run.run_id, lambda r: request_stop(r, click.user, now))
    if changed is None:
        return notice(GONE)
    run, stopped = changed
    if not stopped:
        if run.running and "stop" not in run.can:
            return notice(f"*{escape(run.name)}* cannot be stopped from Slack: it reports through `@notify`, "
                          "which cannot interrupt a function.")
        if run.running:
            return notice(f"Stopping *{escape(run.name)}* was already requested.")
        return notice(f"*{escape(run.name)}* has already finished ({run.status}).")
    service.follower.touch(run.run_id)
    return notice(f"Asked *{escape(run.name)}* to stop: the training job sees it on its next report to Sloth "
                "(within seconds) and stops after the current batch or epoch.")


@router.action("training:mute")
async def mute(ctx: Context, click: Click) -> Reply | None:
    """Muting silences the owner's alerts (never a NaN loss or a failure), so it is the owner's (or an
    admin's) to do."""
    service = training(ctx)
    run = await controlled_run(ctx, click, "mute or unmute {run}")
    if isinstance(run, Reply):
        return run

    def toggle(r: Run) -> bool:
        r.muted = not r.muted
        r.muted_by = click.user if r.muted else None
        # Muting drops the alerts not said yet, but never a NaN alert (reports.CRITICAL).
        r.jobs = [job for job in r.jobs if not r.muted or job["kind"] != "alert" or job["alert"] in reports.CRITICAL]
        r.version += 1
        return r.muted

    changed = await service.runs.change(run.run_id, toggle)
    if changed is None:
        return notice(GONE)
    service.follower.touch(run.run_id)
    return None  # the card itself shows the new state, and who muted it


@router.action("training:curves")
async def curves(ctx: Context, click: Click) -> Reply | None:
    service = training(ctx)
    changed = await service.runs.change(click.value, add_curves_job)
    if changed is None:
        return notice(GONE)
    if not changed[1]:
        return notice("No epoch has finished yet, so there are no curves to draw.")
    service.follower.touch(click.value)
    return None


ASKED = {"checkpoint": "save a checkpoint", "lr": "halve its learning rate"}


@router.action("training:checkpoint")
async def checkpoint(ctx: Context, click: Click) -> Reply | None:
    return await ask_job(ctx, click, "checkpoint")


@router.action("training:lr")
async def halve_lr(ctx: Context, click: Click) -> Reply | None:
    return await ask_job(ctx, click, "lr")


async def ask_job(ctx: Context, click: Click, kind: str) -> Reply | None:
    """A press the job answers on its next report; the card shows who pressed, when, and the answer."""
    service = training(ctx)
    run = await controlled_run(ctx, click, "ask {run} to " + ASKED[kind])
    if isinstance(run, Reply):
        return run
    now = ctx.clock()

    def record(r: Run) -> str:
        if not r.running:
            return "finished"
        if kind not in r.can:
            return "cannot"
        if reports.waiting(r, kind):
            return "waiting"
        reports.press(r, kind, click.user, now)
        return "asked"

    changed = await service.runs.change(run.run_id, record)
    if changed is None:
        return notice(GONE)
    run, outcome = changed
    if outcome == "finished":
        return notice(f"*{escape(run.name)}* has already finished ({run.status}).")
    if outcome == "cannot":
        return notice(f"*{escape(run.name)}* reports through an integration that cannot {ASKED[kind]}.")
    if outcome == "waiting":
        return notice(f"*{escape(run.name)}* has not answered the last such request yet.")
    service.follower.touch(run.run_id)
    return notice(f"Asked *{escape(run.name)}* to {ASKED[kind]}: the job sees it on its next report to Sloth "
                  "and the card shows when it is done.")
