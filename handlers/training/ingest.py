"""`POST /monitor/v1/runs/{run_id}/events`: where training jobs report (protocol: monitor/PROTOCOL.md).

Checks in order: ingest is configured (403 while SLOTH_MONITOR_TOKEN is unset, which also
tells the client to stop trying), the bearer token (401), the size (413), the JSON and every
field (400 with the reason), and that the run id is this job's (409 otherwise: a run belongs to
the job instance that created it, `run.instance`, and a request of any other instance or of none
changes nothing but a notice on the card, unless it is the same job restarted: see `resume`).
Every refusal is counted in /metrics and logged once per source (`refusals`). Then the run's
requests are applied one at a time, only events with a seq above the last one applied (each
step and machine sample also goes to the run's series), and the answer says whether Stop was
pressed, which other presses wait for the job, and what Sloth noticed that the job's owner
should know.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from slack_sdk.errors import SlackApiError

from bot.api import Context, Router
from handlers.training import reports
from handlers.training.refusals import reason_of
from handlers.training.resume import may_resume, resume_run
from handlers.training.runs import RunStore
from handlers.training.service import name_of, training
from handlers.training.state import Applied, Run, apply_batch, new_run
from handlers.training.wire import MAX_BODY, Batch, Malformed, check_run_id, parse_batch

log = logging.getLogger(__name__)

router = Router()
PATH = "/monitor/v1/runs/{run_id}/events"
NO_TOKEN = ("Training ingest is off: this Sloth has no SLOTH_MONITOR_TOKEN. Set it on Sloth and give "
            "the training job the same value.")


def token_source(ctx: Context) -> str:
    """Where a training job's token comes from, as help texts say it: Sloth's setting with one
    workspace; with many, each workspace's own, which its admins issue."""
    if ctx.settings.workspaces == "many":
        return f"the token an admin of this workspace issues with `{ctx.slash('token training')}`"
    return "`SLOTH_MONITOR_TOKEN` (the value set on Sloth)"


class TooLarge(Exception):
    pass


def problem(status: int, error: str, **headers: str) -> web.Response:
    return web.json_response({"ok": False, "error": error}, status=status, headers=headers or None)


def authorized(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    # compare_digest on bytes: equal time for any mismatch, and no TypeError on non-ASCII input.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@router.http("POST", PATH, bearer="monitor_token")
async def ingest(ctx: Context, request: web.Request) -> web.Response:
    try:
        return web.json_response(await answer(ctx, request))
    except Refused as refused:
        training(ctx).refusals.refused(request.remote or "an unknown address",
                                       reason_of(refused.status, refused.error), refused.status, refused.error)
        return problem(refused.status, refused.error, **refused.headers)


class Refused(Exception):
    """The request is refused with this status and reason (and headers)."""

    def __init__(self, status: int, error: str, **headers: str) -> None:
        super().__init__(error)
        self.status, self.error, self.headers = status, error, headers


async def answer(ctx: Context, request: web.Request) -> dict[str, Any]:
    token = ctx.config.monitor_token
    if not token:
        raise Refused(403, NO_TOKEN)
    if not authorized(request.headers.get("Authorization", ""), token):
        raise Refused(401, "missing or wrong bearer token (SLOTH_MONITOR_TOKEN)",
                      **{"WWW-Authenticate": 'Bearer realm="sloth-monitor"'})
    try:
        raw = await read_body(request)
    except TooLarge:
        raise Refused(413, f"request body over {MAX_BODY} bytes") from None
    try:
        body = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise Refused(400, "the body is not JSON (UTF-8, no NaN or Infinity)") from None
    try:
        run_id = check_run_id(request.match_info["run_id"])
        batch = parse_batch(body, ctx.clock())
    except Malformed as e:
        raise Refused(400, str(e)) from None
    return await receive(ctx, run_id, batch)


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise TooLarge
    data = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > MAX_BODY:  # a chunked body without a length
            raise TooLarge
    return bytes(data)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


CALM: dict[str, Any] = {"ok": True, "stop": False, "stopped_by": None, "controls": [], "notices": []}


class Reused(Exception):
    """A second job reports under a run id that another job (another client instance) holds."""


async def receive(ctx: Context, run_id: str, batch: Batch) -> dict[str, Any]:
    service = training(ctx)
    now = ctx.clock()
    try:
        async with service.runs.serial(run_id):
            existing = await service.runs.get(run_id)
            created = False
            if existing is None:
                fresh = new_run(run_id, batch.run, now)
                created = await service.runs.create(fresh)
                # Another process may have created it first, for another job: judge by what is stored.
                existing = fresh if created else await service.runs.get(run_id)
                if existing is None:
                    return CALM  # it expired in between; the next request creates it again
            if reused(existing, batch) and may_resume(existing, batch.run):
                resumed = await service.runs.change(run_id, lambda run: resume_run(run, batch.run, now))
                if resumed is not None and resumed[1]:
                    existing = resumed[0]
                    log.info("training run %s (%s) goes on in a restarted job (host %s, pid %s)", run_id,
                             existing.name, batch.run.host, batch.run.pid)
            if reused(existing, batch):
                await service.runs.change(run_id, lambda run: refuse_second_job(run, batch))
                raise Reused(run_id)
            if created:
                log.info("training run %s (%s) started reporting", run_id, batch.run.name)
            if not existing.indexed:  # a run never leaves `runs` for want of an index write
                await service.runs.index.add(run_id)
            if created:
                await check_owner(ctx, run_id, batch.run.owner)
            await save_predictions(service.runs, existing, batch)
            changed = await service.runs.change(run_id, lambda run: apply_own(run, batch, now))
            if changed is not None and changed[1] is not None:
                await service.runs.series.add(run_id, "steps", changed[1].steps)
                await service.runs.series.add(run_id, "machine", changed[1].machine)
    except Reused:
        service.follower.touch(run_id)
        assert existing is not None
        raise Refused(409, f"run id {run_id} is already used by another job ({job_words(existing)}); give this "
                           "job a run id of its own, or, to continue that run after a restart, the resume token "
                           "(resume file) the job before it kept") from None
    if changed is None or changed[1] is None:  # expired, or taken by another job, in between
        return CALM
    run = changed[0]
    if created or run.status != existing.status:
        ctx.refresh_home()  # a run started or ended: the Home tabs that list it
    if not run.card_error and (run.card_ts is None or run.version > run.shown or run.jobs):
        service.follower.touch(run_id)
    names = await names_for(ctx, run)
    return {"ok": True, "stop": run.stop_by is not None, "stopped_by": names(run.stop_by) if run.stop_by else None,
            "controls": reports.pending_controls(run, names), "notices": notices(run)}


def apply_own(run: Run, batch: Batch, now: float) -> Applied | None:
    """Apply the batch if the stored run is still this job's (it was checked just before, but a
    run that expired may have been created again by another job); None when it is not."""
    if reused(run, batch):
        return None
    run.indexed = True
    return apply_batch(run, batch, now)


def reused(run: Run, batch: Batch) -> bool:
    """The run belongs to the job instance that created it: a request of any other instance, or
    of none, is another job's. (A run created by a protocol 1 client has no instance; only
    requests without one may report to it.)"""
    return run.instance != batch.run.instance


def job_words(run: Run) -> str:
    return f"host {run.host or '?'}, pid {run.pid if run.pid is not None else '?'}"


def refuse_second_job(run: Run, batch: Batch) -> None:
    text = (f"a second job (host {batch.run.host or '?'}, pid {batch.run.pid if batch.run.pid is not None else '?'}) "
            "reported under this run id and was refused: run id already used by another job")
    if text not in run.notices:
        run.notices = [*run.notices, text][-5:]
        run.version += 1


async def check_owner(ctx: Context, run_id: str, owner: str | None) -> None:
    """Once, when the run is created: an owner who is not a member can press nothing."""
    if owner is None:
        return
    try:
        found = await ctx.directory.user(owner)
    except SlackApiError as e:
        found = None if e.response.get("error") == "user_not_found" else {}
    if found is None or (found and found.get("deleted")):
        text = f"owner {owner} is not a member of this workspace"
        await training(ctx).runs.change(run_id, lambda run: setattr(run, "notices", [*run.notices, text]))


def notices(run: Run) -> list[str]:
    found = list(run.notices)
    if run.card_error:
        found.append(f"Sloth cannot post the card in {run.channel}: {run.card_error}")
    return found


async def names_for(ctx: Context, run: Run) -> Any:
    wanted = {p["by"] for p in run.presses if p["status"] == "pending"} | ({run.stop_by} if run.stop_by else set())
    known = {user: await name_of(ctx, user) or user for user in wanted}
    return lambda user: known.get(user, user)


async def save_predictions(runs: RunStore, run: Run, batch: Batch) -> None:
    # Kept apart from the run (they can be a few hundred KB) until the follower draws them.
    for event in batch.events:
        if event["type"] == "predictions" and event["seq"] > run.last_seq:
            await runs.save_predictions(run.run_id, event["seq"], event)
