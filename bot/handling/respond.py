"""Saying a Reply where the invocation came from: response_url, the channel or thread, or a DM.

A message shortcut's answer goes to the member alone, in the message's channel, through its
response_url (as a slash command's); a workflow step's goes to the member's DM with Sloth."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import aiohttp

from bot import guard
from bot.features.core import Core
from bot.features.invocation import Invocation
from bot.pure.blocks import Reply
from bot.slack.fallback import support_of

log = logging.getLogger(__name__)


def is_ephemeral(inv: Invocation, reply: Reply) -> bool:
    if inv.source in ("dm", "step"):
        return False
    if reply.ephemeral is not None:
        return reply.ephemeral
    return inv.source in ("slash", "button", "shortcut")


async def deliver(ctx: Core, inv: Invocation, reply: Reply) -> None:
    if await ctx.access.private_elsewhere(inv.channel):
        # The answer holds what only a private conversation's members may see: the asker alone
        # sees it, and after a button it never takes the place of a message others can read.
        reply = replace(reply, ephemeral=True, replace=False)
    ephemeral = is_ephemeral(inv, reply)
    content: dict[str, Any] = {"text": reply.text}
    if reply.blocks is not None:
        content["blocks"] = reply.blocks
    if reply.attachments is not None:
        content["attachments"] = reply.attachments
    if inv.response_url and inv.source in ("slash", "button", "shortcut"):
        body = dict(content)
        if inv.source == "button" and reply.replace:
            body["replace_original"] = True
        else:
            body["response_type"] = "ephemeral" if ephemeral else "in_channel"
            body["replace_original"] = False
        if await answer_through(ctx, inv.response_url, body):
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


async def answer_through(ctx: Core, url: str, body: dict[str, Any]) -> bool:
    """True once Slack took the reply at `url`. A reply holding a newer block kind the workspace
    refuses is posted again with older blocks (`bot.slack.fallback`): a response_url names no
    block in its refusal, so every newer kind the reply held is remembered as refused."""
    support = support_of(ctx.client)
    body = support.prepared(body)
    refusal = await post_response_url(ctx.session, url, guard.clean(body))
    if refusal is not None and (kinds := support.refused_by({"error": refusal}, body)):
        refusal = await post_response_url(ctx.session, url, guard.clean(support.prepared(body, kinds)))
    return refusal is None


async def post_response_url(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> str | None:
    """None once Slack took the reply, else why not. A used-up or expired URL may answer HTTP 200
    with `{"ok": false, "error": …}`: that is a refusal too, and the caller falls back to the Web
    API. A refused body answers HTTP 400 with the error alone in the body, as incoming webhooks do."""
    for attempt in range(2):
        try:
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status < 300:
                    refusal = await _refusal(response)
                    if refusal is None:
                        return None
                    log.warning("response_url refused the reply (%s)", refusal)
                    return refusal
                if response.status < 500:
                    said = (await _refusal(response) or (await response.text()).strip()[:100]) or "?"
                    log.warning("response_url refused the reply (HTTP %s: %s)", response.status, said)
                    return said
        except (aiohttp.ClientError, TimeoutError) as e:
            log.warning("response_url post failed (attempt %s): %s", attempt + 1, e)
    return "unreachable"


async def _refusal(response: aiohttp.ClientResponse) -> str | None:
    """Slack's error when a 2xx answer is a JSON `{"ok": false}`; None when the reply was taken."""
    text = (await response.text()).strip()
    if not text.startswith("{"):
        return None  # Slack's plain "ok"
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    if isinstance(answer, dict) and answer.get("ok") is False:
        return str(answer.get("error") or "ok: false")
    return None
