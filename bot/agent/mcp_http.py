"""Sloth's MCP server over streamable HTTP, on an address of its own (`SLOTH_MCP_ADDRESS`).

The SDK's streamable HTTP app is ASGI (Starlette); Sloth's HTTP side is aiohttp. Rather than
bridge one framework into the other, the MCP app is served by uvicorn on the same event loop as
the rest of Sloth (so a tool runs on the same core, store and clients as a slash command), on its
own port, started and stopped with the `mcp` feature. Every request must carry a member's token
(`Authorization: Bearer sloth_mcp_…`, `bot.agent.mcp_tokens`): without a valid one it is refused
with 401 before the SDK sees it, and a revoked token stops working at its next request.
`sloth mcp` (stdio, for IDEs that start their servers as commands) relays to this endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from bot.agent.mcp_tokens import member_of
from bot.features.core import Core

log = logging.getLogger(__name__)
PATH = "/mcp"
MEMBER = "sloth_member"  # where the gate leaves the member, in the request's ASGI state
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
REFUSED = ("This MCP server needs a Sloth token: make one in Slack with `/sloth mcp token` and send it as "
           "`Authorization: Bearer <token>`.")


def member_gate(core: Core, app: ASGIApp) -> ASGIApp:
    """Only requests with a member's valid token reach `app`, which finds the member in its state."""

    async def gate(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        member = await member_of(core, token.strip()) if scheme.lower() == "bearer" else None
        if member is None:
            body = json.dumps({"error": "invalid_token", "error_description": REFUSED}).encode()
            await send({"type": "http.response.start", "status": 401, "headers": [
                (b"content-type", b"application/json"), (b"www-authenticate", b'Bearer error="invalid_token"')]})
            await send({"type": "http.response.body", "body": body})
            return
        await app({**scope, "state": {**scope.get("state", {}), MEMBER: member}}, receive, send)

    return gate


@dataclass
class Serving:
    server: Any  # uvicorn.Server
    task: asyncio.Task[None]
    port: int


async def serve_mcp(core: Core, host: str, port: int) -> Serving:
    """Start the MCP app on host:port (0: any free port) on this event loop."""
    import uvicorn

    from bot.agent.mcp_server import mcp_server

    async def member_of_request(ctx: Any) -> str:
        return str(ctx.request.scope["state"][MEMBER])  # set by member_gate, which let the request in

    app = mcp_server(core, member_of_request).streamable_http_app(streamable_http_path=PATH, host=host,
                                                                  stateless_http=True)
    config = uvicorn.Config(member_gate(core, app), host=host, port=port, log_level="warning", lifespan="on")
    # Bound and listening here, so the port is known now and a client that comes before uvicorn is
    # ready waits in the backlog instead of being refused.
    sock = socket.create_server((host, port), reuse_port=False)
    server = quiet_server(config)
    task = core.supervisor.spawn(server.serve(sockets=[sock]), name="mcp-http")
    bound = sock.getsockname()[1]
    log.info("MCP server at http://%s:%s%s", host, bound, PATH)
    return Serving(server, task, int(bound))


async def stop_mcp(serving: Serving) -> None:
    serving.server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await serving.task


def quiet_server_class() -> type:
    import uvicorn

    class Quiet(uvicorn.Server):
        """uvicorn without its signal handlers: Sloth's own decide how the process stops."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Quiet


def quiet_server(config: Any) -> Any:  # the class is made lazily: uvicorn comes with the optional SDK
    return quiet_server_class()(config)
