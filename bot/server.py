"""Sloth's own HTTP side: health and metrics (later features add routes to it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.metrics import Metrics


def make_web_app(
    metrics: Metrics,
    is_connected: Callable[[], Awaitable[bool]],
    routes: dict[tuple[str, str], Callable[[web.Request], Awaitable[web.StreamResponse]]] | None = None,
    checks: Mapping[str, Callable[[], Awaitable[bool]]] | None = None,
) -> web.Application:
    """`checks`: more readiness checks by name (the store can save), each reported in /healthz."""

    async def healthz(request: web.Request) -> web.Response:
        connected = await is_connected()
        passed = {name: await check() for name, check in (checks or {}).items()}
        healthy = connected and all(passed.values())
        body = {"status": "ok" if healthy else "unavailable", "socket": "connected" if connected else "disconnected",
                **{name: "ok" if ok else "failing" for name, ok in passed.items()}}
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application(client_max_size=1024**2)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", healthz)  # the same checks, for a readiness probe
    app.router.add_get("/metrics", metrics_page)
    for (method, path), handler in (routes or {}).items():
        app.router.add_route(method, path, handler)
    return app


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner and the bound port (useful with port 0)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    return runner, bound
