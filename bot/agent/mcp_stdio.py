"""`sloth mcp`: Sloth's MCP server over stdio, for clients that start their servers as commands.

It relays each MCP message between stdin/stdout and the running Sloth's streamable HTTP endpoint
(`SLOTH_MCP_URL`, e.g. http://127.0.0.1:8765/mcp) with the member's token (`SLOTH_MCP_TOKEN`).
The one Sloth that runs holds the store, the members' connections and the training runs, so the
tools run there, as that member, exactly as over HTTP; this process holds no Slack token at all.
"""

from __future__ import annotations

import os
import sys
from typing import Any

USAGE = ("sloth mcp relays an MCP client on stdin/stdout to a running Sloth: set SLOTH_MCP_URL (its MCP "
         "server, e.g. http://127.0.0.1:8765/mcp, see SLOTH_MCP_ADDRESS) and SLOTH_MCP_TOKEN (from "
         "`/sloth mcp token` in Slack).")


def run_stdio(env: dict[str, str] | None = None) -> int:
    env = dict(os.environ) if env is None else env
    url, token = env.get("SLOTH_MCP_URL", ""), env.get("SLOTH_MCP_TOKEN", "")
    if not url or not token:
        print(USAGE, file=sys.stderr)
        return 2
    import anyio

    anyio.run(relay, url, token)
    return 0


async def relay(url: str, token: str) -> None:
    import anyio
    import httpx2
    from mcp.client.streamable_http import streamable_http_client
    from mcp.server.stdio import stdio_server

    async def pump(source: Any, sink: Any) -> None:
        async for message in source:
            if isinstance(message, Exception):  # a transport's report, not a message to pass on
                print(f"sloth mcp: {message}", file=sys.stderr)
                continue
            await sink.send(message)

    async with (httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
                streamable_http_client(url, http_client=http) as (remote_read, remote_write),
                stdio_server() as (local_read, local_write)):
        async with anyio.create_task_group() as group:
            group.start_soon(pump, remote_read, local_write)
            await pump(local_read, remote_write)  # the client closed stdin: done
            group.cancel_scope.cancel()
