"""The pages' HTTP routes, each answering only a member with a session (from a signed link), and
showing only the runs that member may see: a run they may not see is answered as one that does
not exist (404), so a page never tells whether a private run exists."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from aiohttp import web

from bot.api import Context, Router
from handlers.training.pages import html
from handlers.training.pages.curves import compared_charts
from handlers.training.pages.view import members_named, run_view, status_of
from handlers.training.service import name_of, training, visible_to
from handlers.training.state import Run
from handlers.training.wire import RUN_ID

router = Router()
BASE = html.BASE
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".LICENSE": "text/plain"}
# The pages load nothing but Sloth's own files, and no other site may frame them.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}
NO_LINKS = "Sloth cannot show this page: run pages are off on this Sloth (SLOTH_SECRET_KEY is not set).\n"
NO_SESSION = ("Sloth cannot show this page: you have no session for it, or it has expired.\n\n"
              "Ask Sloth in Slack for a link of your own: a run card's \"Run page\" button, or `/sloth runs page`. "
              "A link is for the member it was sent to, and only for an hour.\n")
NOT_FOUND = "Sloth keeps no training run by that ID that you may see.\n"
MAX_COMPARED = 50


def page(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=HEADERS)


def member(ctx: Context, request: web.Request) -> str:
    """The member the request's session is for; a plain 403 page without a valid one."""
    who = ctx.links.member(request) if ctx.links is not None else None
    if who is None:
        raise web.HTTPForbidden(text=NO_SESSION if ctx.links else NO_LINKS, headers={"Cache-Control": "no-store"})
    return who


async def visible_run(ctx: Context, user: str, run_id: str) -> Run:
    run = await training(ctx).runs.get(run_id) if RUN_ID.match(run_id) else None
    if run is None or not await visible_to(ctx, user, run):
        raise web.HTTPNotFound(text=NOT_FOUND, headers={"Cache-Control": "no-store"})
    return run


async def visible_runs(ctx: Context, user: str) -> list[Run]:
    service = training(ctx)
    found = []
    for run_id in await service.runs.recent():
        run = await service.runs.get(run_id)
        if run is not None and await visible_to(ctx, user, run):
            found.append(run)
    return found


@router.http("GET", f"{BASE}/enter")
async def enter(ctx: Context, request: web.Request) -> web.Response:
    if ctx.links is None:
        return web.Response(status=403, text=NO_LINKS)
    return ctx.links.enter(request, BASE)


@router.http("GET", f"{BASE}/runs/{{run_id}}")
async def run_page(ctx: Context, request: web.Request) -> web.Response:
    run = await visible_run(ctx, member(ctx, request), request.match_info["run_id"])
    return page(html.run_page(run.run_id, run.name))


@router.http("GET", f"{BASE}/runs/{{run_id}}/data")
async def run_data(ctx: Context, request: web.Request) -> web.Response:
    """The run as its page draws it; `?since=<version>` answers `{"version"}` alone while nothing changed,
    so an open page asks every few seconds for almost nothing."""
    run = await visible_run(ctx, member(ctx, request), request.match_info["run_id"])
    if request.query.get("since") == str(run.version):
        return web.json_response({"version": run.version, "unchanged": True}, headers=HEADERS)
    series = training(ctx).runs.series
    steps, machine = await series.read(run.run_id, "steps"), await series.read(run.run_id, "machine")
    names = {m: await name_of(ctx, m) or m for m in members_named(run)}
    return web.json_response(run_view(run, steps, machine, names), headers=HEADERS)


@router.http("GET", f"{BASE}/runs")
async def runs_table(ctx: Context, request: web.Request) -> web.Response:
    runs = await visible_runs(ctx, member(ctx, request))
    owners = {r.owner: await name_of(ctx, r.owner) or r.owner for r in runs if r.owner}
    filters = {key: request.query.get(key, "") for key in ("owner", "status", "tag")}
    shown = [r for r in runs if _matches(r, filters)]
    shown.sort(key=lambda r: (not r.running, -r.created))
    choices = {"owner": sorted(owners.items(), key=lambda pair: pair[1].lower()),
               "status": [(s, s) for s in sorted({status_of(r) for r in runs})],
               "tag": [(t, t) for t in sorted({t for r in runs for t in r.tags})]}
    rows = [{"run": r, "owner": owners.get(r.owner, "") if r.owner else ""} for r in shown]
    return page(html.runs_table(rows, filters, choices))


def _matches(run: Run, filters: dict[str, str]) -> bool:
    return ((not filters["owner"] or run.owner == filters["owner"])
            and (not filters["status"] or status_of(run) == filters["status"])
            and (not filters["tag"] or filters["tag"] in run.tags))


@router.http("GET", f"{BASE}/compare")
async def compare(ctx: Context, request: web.Request) -> web.Response:
    user = member(ctx, request)
    chosen = list(dict.fromkeys(request.query.getall("run", [])))[:MAX_COMPARED]
    if not chosen:
        raise web.HTTPBadRequest(text="Choose the runs to compare on the runs page.\n")
    runs = [await visible_run(ctx, user, run_id) for run_id in chosen]
    owners = {r.run_id: await name_of(ctx, r.owner) or "" if r.owner else "" for r in runs}
    return page(html.compare_page(runs, owners, differing_settings(runs), compared_charts(runs)))


def differing_settings(runs: list[Run]) -> list[list[Any]]:
    """[setting, each run's value as it started] for the settings that are not the same in all."""
    started = [r.start_config if r.start_config is not None else r.config for r in runs]
    keys = list(dict.fromkeys(k for config in started for k in config))
    rows = []
    for key in keys:
        values = [json.dumps(config[key]) if key in config else "—" for config in started]
        if len(set(values)) > 1 or len(runs) == 1:
            rows.append([key, *values])
    return rows


@functools.cache
def static_files() -> dict[str, bytes]:
    """The package's static files by name, read once: every page load asks for them, and reading
    them from disk each time would hold up the event loop."""
    files = resources.files("handlers.training.pages") / "static"
    return {f.name: f.read_bytes() for f in files.iterdir() if f.is_file() and not f.name.startswith(".")}


@router.http("GET", f"{BASE}/static/{{name}}")
async def static(ctx: Context, request: web.Request) -> web.Response:
    """The pages' scripts and styles and the charting library, from the package (never from elsewhere)."""
    name = request.match_info["name"]
    kind = next((t for suffix, t in STATIC_TYPES.items() if name.endswith(suffix)), None)
    body = static_files().get(name)
    if kind is None or body is None:
        raise web.HTTPNotFound(text="no such file\n")
    return web.Response(body=body, content_type=kind,
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})
