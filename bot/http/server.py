"""Sloth's own HTTP side: health and metrics, Slack's requests in HTTP mode (`bot.http.slack`), and
the features' routes (the OAuth pages, training ingest, a team's own), served behind the time
limits and connection caps of `bot.http.timeouts`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config.settings import HttpLimits
from bot.http.gate import BACKLOG, Gate, connection_room
from bot.http.timeouts import GuardedHandler, watch_request
from bot.work.metrics import Metrics


def make_web_app(
    metrics: Metrics,
    is_connected: Callable[[], Awaitable[bool]],
    routes: dict[tuple[str, str], Callable[[web.Request], Awaitable[web.StreamResponse]]] | None = None,
    checks: Mapping[str, Callable[[], Awaitable[bool]]] | None = None,
    transport: str = "socket",
    slack: Callable[[web.Request], Awaitable[web.StreamResponse]] | None = None,
    alive: Callable[[], str | None] = lambda: None,
) -> web.Application:
    """`checks`: more readiness checks by name (the store answers), each reported in /readyz.
    In HTTP mode (`transport`), Slack reaches Sloth through this very server: answering is being up.
    `sloth worker` (transport "worker") is ready while it takes jobs.

    /livez (a liveness probe: restart the process when it fails) answers from the event loop, so a
    loop held up for good fails it by not answering; `alive` says why the process is beyond saving
    (None: it is not). It never asks Slack or the store: when Redis goes away every replica becomes
    unready, and none is restarted for what a restart would not mend. /readyz (a readiness probe:
    send requests elsewhere while it fails) asks both; /healthz is the same, for older probes."""

    async def livez(request: web.Request) -> web.Response:
        why = alive()
        if why is not None:
            return web.json_response({"status": "dead", "why": why}, status=503)
        return web.json_response({"status": "alive"})

    async def healthz(request: web.Request) -> web.Response:
        connected = await is_connected()
        passed = {name: await check() for name, check in (checks or {}).items()}
        healthy = connected and all(passed.values())
        link = ({"socket": "connected" if connected else "disconnected"} if transport == "socket"
                else {"jobs": "taking" if connected else "stopped"} if transport == "worker"
                else {"http": "serving" if connected else "stopped"})
        body = {"status": "ok" if healthy else "unavailable", **link,
                **{name: "ok" if ok else "failing" for name, ok in passed.items()}}
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def not_http_mode(request: web.Request) -> web.Response:
        # Someone (Slack checking a request URL, most likely) expects HTTP mode: say what is wrong.
        return web.Response(status=404, text="Sloth runs in Socket Mode here (SLOTH_TRANSPORT=socket): it takes "
                            "no requests from Slack. Set SLOTH_TRANSPORT=http and SLACK_SIGNING_SECRET to use them.\n")

    app = web.Application(client_max_size=1024**2)
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", healthz)
    app.router.add_get("/healthz", healthz)  # the same checks as /readyz, for probes set up before it
    app.router.add_get("/metrics", metrics_page)
    if transport != "worker":  # `sloth worker` serves only its probes and metrics
        app.router.add_post("/slack/events", slack or not_http_mode)  # bot.http.slack
    for (method, path), handler in (routes or {}).items():
        app.router.add_route(method, path, handler)
    return app


class HttpSide:
    """Sloth's HTTP side, listening; `cleanup()` stops taking connections and closes the open ones."""

    def __init__(self, runner: web.AppRunner, listener: asyncio.Server, gate: Gate) -> None:
        self.runner, self.listener, self.gate = runner, listener, gate

    @property
    def port(self) -> int:
        return int(self.listener.sockets[0].getsockname()[1])

    async def cleanup(self) -> None:
        self.listener.close()
        self.gate.close()
        await self.runner.cleanup()  # lets requests in progress finish, then closes every connection


async def serve(app: web.Application, host: str, port: int, limits: HttpLimits,
                metrics: Metrics) -> tuple[HttpSide, int]:
    """Start serving; returns the HTTP side and the bound port (useful with port 0)."""
    app.middlewares.insert(0, watch_request)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    server = runner.server
    assert server is not None
    gate = Gate(limits, metrics.registry, connection_room(limits.max_connections))
    loop = asyncio.get_running_loop()
    try:
        listener = await loop.create_server(lambda: GuardedHandler(server, gate), host, port, backlog=BACKLOG)
    except BaseException:
        await runner.cleanup()
        raise
    side = HttpSide(runner, listener, gate)
    return side, side.port
