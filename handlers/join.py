"""The "Join and try again" button offered when Slack answers not_in_channel (see `bot.joining`)."""

from __future__ import annotations

import json
import logging

from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.dispatch import run_command
from bot.entry import Click, split_line
from bot.errors import UserError
from bot.joining import JOIN_ACTION
from bot.permissions import is_admin
from bot.reply import Reply
from bot.router import Router

log = logging.getLogger(__name__)
router = Router()
router.scopes.add("channels:join")


@router.action(JOIN_ACTION)
async def join_and_retry(ctx: Context, click: Click) -> Reply | None:
    try:
        state = json.loads(click.value)
        channel, line = str(state["ch"]), str(state["c"])
    except (ValueError, KeyError, TypeError):
        log.warning("malformed join button value")
        return None
    name, args = split_line(line)
    command = ctx.registry.find(name)
    if command is None:
        return None
    # The same permission the command itself needs, checked before Sloth joins anything.
    if command.admin_only and not await is_admin(ctx, click.user):
        raise UserError(f"Only Sloth's admins (and the workspace's admins and owners) can use `{command.name}`.")
    try:
        joined = await ctx.client.conversations_join(channel=channel)
    except SlackApiError as e:
        if e.response.get("error") == "method_not_supported_for_channel_type":
            raise UserError("I can't join a private channel by myself: invite me there with `/invite @sloth`, "
                            "then try again.") from e
        raise
    ctx.directory.put_channel(channel, **joined.get("channel", {}))
    return await run_command(ctx, click.invocation(name, args))
