"""A load balancer for tests: Slack's requests to one URL, passed round-robin to several Sloth
replicas, as a cloud load balancer in front of a Deployment passes them (headers and body as
they came, the replica's answer back as it went). A replica that cannot be reached is skipped
for the next one, as a balancer's health checks would; with none left, 502."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

PASSED = ("Content-Type", "X-Slack-Request-Timestamp", "X-Slack-Signature", "X-Slack-Retry-Num",
          "X-Slack-Retry-Reason", "User-Agent")


class Balancer:
    def __init__(self, upstreams: list[str], session: aiohttp.ClientSession) -> None:
        self.upstreams = upstreams  # base URLs, e.g. http://127.0.0.1:8081
        self.session = session  # kept-alive connections to the replicas, as a balancer keeps them
        self.turn = itertools.count()
        self.passed: list[str] = []  # which upstream took each request, in order

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {name: request.headers[name] for name in PASSED if name in request.headers}
        start = next(self.turn)
        for step in range(len(self.upstreams)):
            upstream = self.upstreams[(start + step) % len(self.upstreams)]
            try:
                async with self.session.post(upstream + request.path, data=body, headers=headers) as answer:
                    self.passed.append(upstream)
                    return web.Response(status=answer.status, body=await answer.read(),
                                        content_type=answer.content_type)
            except aiohttp.ClientConnectionError:
                continue  # that replica is gone: the next one
        return web.Response(status=502, text="no replica answered\n")


@contextlib.asynccontextmanager
async def balancing(upstreams: list[str]) -> AsyncIterator[tuple[Balancer, str]]:
    """A started balancer and its /slack/events URL."""
    async with aiohttp.ClientSession(trust_env=False) as session:
        balancer = Balancer(upstreams, session)
        app = web.Application()
        app.router.add_post("/slack/events", balancer.forward)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            yield balancer, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        finally:
            await runner.cleanup()
