"""One WebSocket to Slack: what Sloth has seen on it, and what Sloth says on it itself (an ack, a
ping, a close). The client (`bot.socket.client`) decides when; none of these raises."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import ClientWebSocketResponse

log = logging.getLogger(__name__)
CLOSE_SECONDS = 1.0  # a close handshake that takes longer is cut short (the TCP connection dropped)


@dataclass(eq=False)
class Link:
    """One WebSocket to Slack and what Sloth has seen on it."""

    ws: ClientWebSocketResponse
    last_read: float  # loop time of the last frame of any kind
    pinged_at: float | None = None  # set when a quiet connection is pinged, cleared by any frame
    hello: bool = False
    leaving: bool = False  # being replaced: its end must not start another reconnect
    told_to_leave: bool = False  # by a disconnect frame: Slack may still deliver on it, keep reading
    reader: asyncio.Task[None] | None = None


async def ack(link: Link, envelope_id: str, payload: dict[str, Any] | None = None) -> None:
    frame: dict[str, Any] = {"envelope_id": envelope_id}
    if payload is not None:
        frame["payload"] = payload  # what Slack reads in the ack itself: a view submission's response_action
    try:
        await link.ws.send_str(json.dumps(frame))
    except (ConnectionError, aiohttp.ClientError) as e:
        # Handled all the same; Slack redelivers an event whose ack it did not get.
        log.warning("could not ack envelope %s: %s", envelope_id, e)


async def ping(link: Link) -> None:
    try:
        await link.ws.ping()
    except (ConnectionError, aiohttp.ClientError):
        pass  # the reader sees the connection end


async def shut(link: Link) -> None:
    """Close it, cutting a close handshake short when the TCP connection has dropped."""
    if link.ws.closed:
        return
    try:
        await asyncio.wait_for(link.ws.close(), CLOSE_SECONDS)
    except (TimeoutError, aiohttp.ClientError, OSError):
        pass  # cut short: aiohttp drops the TCP connection
