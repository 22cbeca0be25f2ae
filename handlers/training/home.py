"""The training feature's part of each member's Home tab: active runs they may see and their own
recent ones, each with its status, progress and a link to its card. A run is as private as its
card's channel (`visible_to`): another member's run in a channel this member is not in is left out."""

from __future__ import annotations

from typing import Any

from bot.api import Context, Router, escape, home_button, section, truncate
from handlers.training.card import ICONS
from handlers.training.listing import card_link
from handlers.training.service import training, visible_to
from handlers.training.state import Run

router = Router()
SHOWN = 8
LOOKED_AT = 200  # the newest runs read for one Home tab


@router.home
async def runs_for(ctx: Context, member: str) -> list[dict[str, Any]]:
    service = training(ctx)
    found: list[Run] = []
    for run_id in (await service.runs.recent())[:LOOKED_AT]:
        run = await service.runs.get(run_id)
        if run is None or not (run.running or run.owner == member) or not await visible_to(ctx, member, run):
            continue
        found.append(run)
        if len(found) == SHOWN:
            break
    if not found:
        return []
    found.sort(key=lambda r: (not r.running, -r.created))
    lines = []
    for run in found:
        link = await card_link(ctx, service, run)
        name = escape(truncate(run.name, 80))
        of = f"/{run.total_epochs}" if run.total_epochs else ""
        status = run.status + (" (stale)" if run.stale else "")
        mine = "" if run.owner == member else " · not yours"
        lines.append(f"{ICONS[run.status]} {f'<{link}|{name}>' if link else name} · {status} · "
                     f"epoch {run.epochs_done}{of}{mine}")
    heading = f"*Training runs* · {sum(1 for r in found if r.running)} active"
    return [section(heading + "\n" + "\n".join(lines), accessory=home_button("All runs", "runs"))]
