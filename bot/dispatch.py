"""One dispatch for every invocation, with one error boundary around every handler."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.errors import UserError, new_error_id, slack_error_text
from bot.reply import Reply, error_reply
from bot.router import Invocation, parse_args
from bot.text import readable, truncate

log = logging.getLogger(__name__)


async def run_command(ctx: Context, inv: Invocation) -> Reply:
    command = ctx.registry.find(inv.name) if inv.name else None
    if command is None:
        return unknown_command(ctx, inv)
    if command.admin_only and inv.user not in ctx.settings.admins:
        return error_reply(f"Only Sloth's admins can use `{command.name}`.")
    try:
        args = parse_args(command, inv.args)
        return await command.handler(ctx, inv, args)
    except Exception as e:
        return failure_reply(ctx, e, f"command {command.name}")


def failure_reply(ctx: Context, error: Exception, what: str) -> Reply:
    """The error boundary: user errors are explained, anything else gets an error id."""
    if isinstance(error, UserError):
        return error_reply(str(error))
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", ""))
        friendly = slack_error_text(code)
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
