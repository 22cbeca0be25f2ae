"""`runs`: recent and active training runs, each with its status and a link to its card."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.api import Args, Context, Invocation, Reply, Router, escape, nav_blocks, page_of, section, truncate
from handlers.training.card import ICONS, slack_date
from handlers.training.ingest import PATH
from handlers.training.service import Training, name_of, training
from handlers.training.state import Run

log = logging.getLogger(__name__)

router = Router()
# Cards are posted in whichever channel a job names, joined or not; pictures go in their threads.
router.scopes.update({"chat:write", "chat:write.public", "files:write"})
PER_PAGE = 10


@router.command("runs", "Recent and active training runs, with a link to each run card.", examples=("runs",))
async def runs_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    service = training(ctx)
    found: list[Run] = []
    for run_id in await service.runs.recent():
        run = await service.runs.get(run_id)
        if run is not None:
            found.append(run)
    if not found:
        url = ctx.settings.public_url + PATH.replace("/runs/{run_id}/events", "")
        text = (f"No training runs yet. Report one from a training job with `sloth_monitor` (see the README), "
                f"pointed at {url} with `SLOTH_MONITOR_TOKEN`.")
        return Reply(text=text, blocks=[section(text)])
    found.sort(key=lambda r: (not r.running, -r.created))
    shown, page, pages = page_of(found, inv.page, PER_PAGE)
    lines = [await run_line(ctx, service, run) for run in shown]
    active = sum(1 for r in found if r.running)
    blocks = [section(f"*Training runs* · {active} active"), *[section(line) for line in lines]]
    blocks += nav_blocks(inv, page, pages, len(found), "runs")
    return Reply(text=f"{len(found)} training runs, {active} active", blocks=blocks)


async def run_line(ctx: Context, service: Training, run: Run) -> str:
    link = await card_link(ctx, service, run)
    name = escape(truncate(run.name, 80))
    title = f"<{link}|{name}>" if link else name
    of = f"/{run.total_epochs}" if run.total_epochs else ""
    status = run.status + (" (stale)" if run.stale else "")
    owner = escape(await name_of(ctx, run.owner) or "") if run.owner else "no owner given"
    line = f"{ICONS[run.status]} *{title}* · {status} · epoch {run.epochs_done}{of} · {owner}"
    when = f"started {slack_date(run.started_at)}" if run.started_at is not None else "not started yet"
    extra = f" · card not posted: `{escape(run.card_error)}`" if run.card_error else ""
    return f"{line}\n{when}{extra}"


async def card_link(ctx: Context, service: Training, run: Run) -> str | None:
    if run.card_link or not run.card_ts:
        return run.card_link
    try:
        channel, ts = run.card
        answer = await ctx.client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as e:
        log.info("no permalink for training run %s: %s", run.run_id, e.response.get("error"))
        return None
    link = str(answer["permalink"])
    await service.runs.change(run.run_id, lambda r: setattr(r, "card_link", link))
    return link
