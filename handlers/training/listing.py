"""`runs`: recent and active training runs, a table of each one's status and a link to its card."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import (
    Args,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    UserError,
    cell,
    escape,
    nav_blocks,
    page_of,
    parse_user,
    section,
    table,
    truncate,
    unescape,
)
from handlers.training import card_parts as parts
from handlers.training.card import ICONS
from handlers.training.compare import compare
from handlers.training.ingest import PATH, token_source
from handlers.training.pages.links import page_command
from handlers.training.service import Training, name_of, training, visible_to
from handlers.training.state import Run

log = logging.getLogger(__name__)

router = Router()
# Cards are posted in whichever channel a job names, joined or not; pictures go in their threads.
router.scopes.update({"chat:write", "chat:write.public", "files:write"})
PER_PAGE = 10


STATUSES = ("running", "completed", "stopped", "failed", "stale")


@router.command(
    "runs", "Recent and active training runs, with a link to each run card; filter by owner and status, "
    "compare two runs, or get a link to the runs' web pages.", Param("filter", "text", required=False),
    examples=("runs", "runs mine running", "runs @amelia failed", "runs compare 3f2a9c bert-tiny", "runs page",
              "runs page 3f2a9c"))
async def runs_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    words = (args.get("filter") or "").split()
    if words[:1] == ["compare"]:
        return await compare(ctx, inv, words[1:])
    if words[:1] == ["page"]:
        return await page_command(ctx, inv, words[1:])
    owner, statuses = await parse_filter(ctx, inv, words)
    service = training(ctx)
    everything: list[Run] = []
    for run_id in await service.runs.recent():
        run = await service.runs.get(run_id)
        if run is not None and await visible_to(ctx, inv.user, run):
            everything.append(run)
    found = [run for run in everything if matches(run, owner, statuses)]
    said = filter_words(escape(await name_of(ctx, owner) or "") if owner else None, statuses)
    if everything and not found:
        text = f"No training run {said}. `runs` lists them all."
        return Reply(text=text, blocks=[section(text)])
    if not found:
        url = ctx.settings.public_url + PATH.replace("/runs/{run_id}/events", "")
        text = (f"No training runs yet. Report one from a training job with `sloth_monitor` (see the README), "
                f"pointed at {url} with {token_source(ctx)}.")
        return Reply(text=text, blocks=[section(text)])
    found.sort(key=lambda r: (not r.running, -r.created))
    shown, page, pages = page_of(found, inv.page, PER_PAGE)
    rows = [await shown_row(ctx, service, run) for run in shown]
    active = sum(1 for r in found if r.running)
    heading = f"*Training runs*{' ' + said if said else ''} · {active} active"
    header = ["Run", "Status", "Epoch", "Owner", "Started", "Notes"]
    if not any(row[-1] for row in rows):
        header, rows = header[:-1], [row[:-1] for row in rows]
    listing = table(rows, header=header, align=["left", "left", "right"], wrap=[True, False, False, False, False, True])
    blocks = [section(heading), listing, *nav_blocks(inv, page, pages, len(found), "runs")]
    return Reply(text=f"{len(found)} training runs, {active} active", blocks=blocks)


async def shown_row(ctx: Context, service: Training, run: Run) -> list[Any]:
    """A run's cells; one that cannot be drawn says so, so one bad run never breaks `runs` for everyone."""
    try:
        return await run_row(ctx, service, run)
    except Exception:
        log.exception("training run %s cannot be listed", run.run_id)
        return [f"⚠️ {run.run_id}", "cannot be shown", "", "", "", "see Sloth's log"]


async def run_row(ctx: Context, service: Training, run: Run) -> list[Any]:
    """Cells show as typed (raw text): names and notes unescaped, the name a link to the run's card."""
    link = await card_link(ctx, service, run)
    name = f"{ICONS[run.status]} {truncate(run.name, 80)}"
    of = f"/{run.total_epochs}" if run.total_epochs else ""
    owner = await name_of(ctx, run.owner) or "" if run.owner else "no owner given"
    started = cell("at an unknown time", at=run.started_at) if run.started_at is not None else "not started yet"
    notes = [f"card not posted: {run.card_error}" if run.card_error else "", unescape(parts.trouble_text(run) or "")]
    return [cell(name, url=link) if link else name, run.status + (" (stale)" if run.stale else ""),
            f"{run.epochs_done}{of}", owner, started, " · ".join(n for n in notes if n)]


async def parse_filter(ctx: Context, inv: Invocation, words: list[str]) -> tuple[str | None, set[str]]:
    """`mine`, `@someone` and statuses, in any order."""
    owner: str | None = None
    statuses: set[str] = set()
    for word in words:
        if word.lower() in STATUSES:
            statuses.add(word.lower())
        elif word.lower() in ("mine", "me"):
            owner = inv.user
        elif word.startswith(("@", "<@")) and (ref := parse_user(word)) is not None:
            owner = ref.id or str((await ctx.directory.resolve_user(ref))["id"])
        else:
            raise UserError(f"`{escape(truncate(word, 40))}` is not a filter: use `mine`, `@someone`, or one of "
                             f"{', '.join(STATUSES)}; or `runs compare <run> <run>`, or `runs page [run]`.")
    return owner, statuses


def matches(run: Run, owner: str | None, statuses: set[str]) -> bool:
    if owner is not None and run.owner != owner:
        return False
    if not statuses:
        return True
    return run.status in statuses or ("stale" in statuses and run.stale)


def filter_words(owner_name: str | None, statuses: set[str]) -> str:
    words = []
    if owner_name:
        words.append(f"owned by {owner_name}")  # a name, not a mention: a listing pings nobody
    if statuses:
        words.append(" or ".join(sorted(statuses)))
    return ", ".join(words)


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
