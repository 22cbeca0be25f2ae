"""One dispatch for every invocation, with one error boundary around every handler."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.errors import ReplyError, UserError, new_error_id, slack_error_text
from bot.joining import NotInChannel, join_offer
from bot.permissions import is_admin
from bot.reply import Reply, error_reply
from bot.router import Invocation, parse_args
from bot.text import readable, truncate

log = logging.getLogger(__name__)


async def run_command(ctx: Context, inv: Invocation) -> Reply:
    command = ctx.registry.find(inv.name) if inv.name else None
    if command is None:
        return unknown_command(ctx, inv)
    try:
        if command.admin_only and not await is_admin(ctx, inv.user):
            return error_reply(f"Only Sloth's admins (and the workspace's admins and owners) can use `{command.name}`.")
        args = parse_args(command, inv.args)
        return await command.handler(ctx, inv, args)
    except NotInChannel as e:
        return join_offer(inv, e)
    except Exception as e:
        return failure_reply(ctx, e, f"command {command.name}")


def failure_reply(ctx: Context, error: Exception, what: str) -> Reply:
    """The error boundary: user errors are explained, anything else gets an error id."""
    if isinstance(error, ReplyError):
        return error.reply
    if isinstance(error, UserError):
        return error_reply(str(error))
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", ""))
        friendly = slack_error_text(code)
        needed = error.response.get("needed")
        if code == "missing_scope" and needed:
            friendly = (f"Sloth's app is missing the `{needed}` permission (scope) for that. "
                        "Ask an admin to add it to the app and reinstall it.")
        if friendly:
            log.info("%s: Slack answered %s", what, code)
            return error_reply(friendly)
    error_id = new_error_id()
    ctx.metrics.handler_errors.labels(what.split(" ")[0]).inc()
    log.error("%s failed (error id %s): %s: %s", what, error_id, type(error).__name__, error, exc_info=error)
    return error_reply(f"Sorry, something went wrong (error id `{error_id}`). It has been logged.")


def unknown_command(ctx: Context, inv: Invocation) -> Reply:
    if not inv.name:
        return error_reply(f"Tell me what to do, e.g. `{ctx.slash('help')}` lists what I can do.")
    said = truncate(readable(inv.name), 40)
    suggestion = ctx.registry.closest(inv.name)
    text = f"I don't know the command `{said}`."
    if suggestion:
        text += f" Did you mean `{suggestion}`?"
    text += f" Try `{ctx.slash('help')}` to see everything I can do."
    return error_reply(text)
