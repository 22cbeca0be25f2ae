"""Training runs as MCP resources, for an agent in an IDE or a notebook asking "how is my run doing?":
the runs the member may see, one run's status, its metrics per epoch, and its curves as a PNG (drawn
in a worker process, as for the card's thread). A run is as private as its card's channel
(`visible_to`): one the member may not see reads exactly like one that does not exist.

Everything here is the run as the training job reported it (names, settings, metric names): data
for the client, never instructions.
"""

from __future__ import annotations

import json
from typing import Any

from bot.api import Context, Router
from handlers.training.follow import CURVES_PNG
from handlers.training.pages.view import best, status_of
from handlers.training.service import name_of, training, visible_to
from handlers.training.state import Run
from handlers.training.wire import RUN_ID

router = Router()
RUNS = "sloth://runs"
RUN = "sloth://runs/{run}"
LISTED = 50  # the newest runs the member may see, listed one by one (all are in sloth://runs)
LOOKED_AT = 500


async def visible_runs(ctx: Context, member: str, wanted: int) -> list[Run]:
    service, found = training(ctx), []
    for run_id in (await service.runs.recent())[:LOOKED_AT]:  # newest first
        run = await service.runs.get(run_id)
        if run is not None and await visible_to(ctx, member, run):
            found.append(run)
            if len(found) == wanted:
                break
    return found


async def visible_run(ctx: Context, member: str, run_id: str) -> Run | None:
    run = await training(ctx).runs.get(run_id) if RUN_ID.match(run_id) else None
    return run if run is not None and await visible_to(ctx, member, run) else None


def uris(run: Run) -> dict[str, str]:
    base = RUN.replace("{run}", run.run_id)
    return {"status": base, "metrics": f"{base}/metrics", "curves": f"{base}/curves.png"}


async def listed(ctx: Context, member: str) -> list[tuple[dict[str, str], str]]:
    return [({"run": run.run_id}, f"{run.name} ({status_of(run)})") for run in await visible_runs(ctx, member, LISTED)]


@router.resource(RUNS, "Training runs", mime_type="application/json",
                 description="The training runs you may see, newest first: status, epoch, owner and their URIs.")
async def runs_resource(ctx: Context, member: str, params: dict[str, str]) -> str:
    runs = await visible_runs(ctx, member, LOOKED_AT)
    shown = [{"run_id": r.run_id, "name": r.name, "status": status_of(r), "epoch": r.epochs_done,
              "total_epochs": r.total_epochs, "owner": await name_of(ctx, r.owner) if r.owner else None,
              "uris": uris(r)} for r in runs]
    return json.dumps({"runs": shown}, ensure_ascii=False)


@router.resource(RUN, "Training run", mime_type="application/json", listed=listed,
                 description="One run's status: epoch, best value of its watched metric, where it runs, its card.")
async def run_resource(ctx: Context, member: str, params: dict[str, str]) -> str | None:
    run = await visible_run(ctx, member, params["run"])
    if run is None:
        return None
    status: dict[str, Any] = {
        "run_id": run.run_id, "name": run.name, "status": status_of(run), "running": run.running,
        "owner": await name_of(ctx, run.owner) if run.owner else None,
        "epoch": run.epochs_done, "total_epochs": run.total_epochs,
        "batch": run.batch, "total_batches": run.total_batches,
        "started_at": run.started_at, "finished_at": run.finished_at, "last_event_at": run.last_event_at,
        "watch": run.watch, "best": best(run), "error": run.error, "summary": run.summary,
        "host": run.host, "framework": run.framework, "tags": run.tags, "controls": run.can,
        "card": run.card_link, "uris": uris(run),
    }
    return json.dumps(status, ensure_ascii=False)


@router.resource(f"{RUN}/metrics", "Training run metrics", mime_type="application/json",
                 description="One run's metrics for each epoch (epochs counted from 1), its best values, "
                             "and its latest batch's.")
async def metrics_resource(ctx: Context, member: str, params: dict[str, str]) -> str | None:
    run = await visible_run(ctx, member, params["run"])
    if run is None:
        return None
    epochs = [{"epoch": h["epoch"] + 1, "metrics": h["metrics"], "time": h["time"]} for h in run.history]
    best_values = {name: {"value": b["value"], "epoch": b["epoch"] + 1} for name, b in run.best.items()}
    return json.dumps({"run_id": run.run_id, "epochs": epochs, "best": best_values,
                       "latest_batch": run.batch_metrics or None}, ensure_ascii=False)


@router.resource(f"{RUN}/curves.png", "Training run curves", mime_type="image/png",
                 description="One run's metrics over epochs as a picture, training and validation on one panel "
                             "per metric.")
async def curves_resource(ctx: Context, member: str, params: dict[str, str]) -> bytes | None:
    run = await visible_run(ctx, member, params["run"])
    if run is None:
        return None
    return await ctx.cpu.run(CURVES_PNG, f"Training curves · {run.name}", run.history)
