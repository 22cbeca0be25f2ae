"""Saying a Reply where the invocation came from: response_url, the channel or thread, or a DM."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from bot.context import Context
from bot.reply import Reply
from bot.router import Invocation

log = logging.getLogger(__name__)


def is_ephemeral(inv: Invocation, reply: Reply) -> bool:
    if inv.source == "dm":
        return False
    if reply.ephemeral is not None:
        return reply.ephemeral
    return inv.source in ("slash", "button")


async def deliver(ctx: Context, inv: Invocation, reply: Reply) -> None:
    ephemeral = is_ephemeral(inv, reply)
    content: dict[str, Any] = {"text": reply.text}
    if reply.blocks is not None:
        content["blocks"] = reply.blocks
    if reply.attachments is not None:
        content["attachments"] = reply.attachments
    if inv.response_url and inv.source in ("slash", "button"):
        body = dict(content)
        if inv.source == "button" and reply.replace:
            body["replace_original"] = True
        else:
            body["response_type"] = "ephemeral" if ephemeral else "in_channel"
            body["replace_original"] = False
        if await post_response_url(ctx.session, inv.response_url, body):
            return
        # The response_url is used up or expired: fall back to the Web API below.
    if ephemeral:
        await ctx.client.chat_postEphemeral(channel=inv.channel, user=inv.user, thread_ts=inv.thread, **content)
    else:
        await ctx.client.chat_postMessage(
            channel=inv.channel,
            thread_ts=inv.thread,
            unfurl_links=False,
            unfurl_media=False,
            metadata=reply.metadata,
            **content,
        )


async def post_response_url(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> bool:
    for attempt in range(2):
        try:
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status < 300:
                    return True
                if response.status < 500:
                    log.warning("response_url refused the reply (HTTP %s)", response.status)
                    return False
        except (aiohttp.ClientError, TimeoutError) as e:
            log.warning("response_url post failed (attempt %s): %s", attempt + 1, e)
    return False
