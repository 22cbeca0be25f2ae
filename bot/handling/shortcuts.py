"""Message shortcuts: a member uses one of a feature's shortcuts on a message (`message_action`).

The handler runs as the member who used it, and for them alone: in a guard scope that is theirs
(the message is someone else's words: input), while their request is the one answered (what it
reads keeps to what they may see, `bot.slack.access`), under the shortcut's per-member limit,
in its feature's context, inside the one error boundary. Its reply goes to them alone, in the
message's channel, through the payload's response_url. A shortcut that runs one of its feature's
commands (`ctx.run(shortcut.invocation(...))`) goes through that command's own checks too.
"""

from __future__ import annotations

import contextlib
import logging
from contextlib import AbstractAsyncContextManager
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot import guard
from bot.config.limits import limit_for
from bot.features.core import Core
from bot.features.rerun import NotInChannel
from bot.features.surfaces import MessageShortcut, ShortcutDeclaration
from bot.handling.dispatch import failure_reply
from bot.handling.respond import deliver
from bot.handling.turns import member_turn
from bot.pure.blocks import Reply, notice
from bot.pure.text import escape
from bot.slack.asking import asking
from bot.store import Namespaced
from bot.work import blocking

log = logging.getLogger(__name__)


def add_shortcut_listeners(app: AsyncApp, ctx: Core) -> None:
    async def on_message_shortcut(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        shortcut = to_shortcut(body)
        if shortcut is None:
            log.warning("ignored a message shortcut whose payload is not one Slack sends")
            return
        await run_shortcut(ctx, shortcut)

    for callback_id in ctx.registry.shortcuts:
        app.message_shortcut(callback_id)(on_message_shortcut)


def to_shortcut(body: dict[str, Any]) -> MessageShortcut | None:
    """The shortcut's use, or None when the payload is not shaped as Slack sends one."""
    user, channel, message = body.get("user"), body.get("channel"), body.get("message")
    if not (isinstance(user, dict) and isinstance(channel, dict) and isinstance(message, dict)):
        return None
    callback_id, user_id, channel_id = body.get("callback_id"), user.get("id"), channel.get("id")
    ts = body.get("message_ts") or message.get("ts")
    if not all(isinstance(v, str) and v for v in (callback_id, user_id, channel_id, ts)):
        return None
    team = body.get("team")
    return MessageShortcut(
        callback_id=str(callback_id), user=str(user_id), channel=str(channel_id), message_ts=str(ts), message=message,
        response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
        team=team.get("id") if isinstance(team, dict) else None)


async def run_shortcut(ctx: Core, shortcut: MessageShortcut) -> None:
    found = ctx.registry.shortcuts.get(shortcut.callback_id)
    if found is None:
        log.info("no handler for message shortcut %s", shortcut.callback_id)
        return
    declaration, feature = found
    inv = shortcut.invocation(shortcut.callback_id)
    scope = guard.Scope(asker=shortcut.user, name_of=ctx.directory.display_name)
    scope.seen.add(shortcut.message)  # the message was written by someone: all of it is input
    with guard.handling(scope), asking(shortcut.user, shortcut.channel):
        reply: Reply | None
        try:
            async with limited(ctx, shortcut, declaration):
                reply = await blocking.call(feature.name, f"shortcut {shortcut.callback_id}", declaration.handler,
                                            ctx.of(feature.name), shortcut)
        except NotInChannel as e:
            reply = notice(f"I'm not in #{escape(e.name)}, so I can't {e.doing}. Add me there with `/invite @sloth`, "
                           "then use the shortcut again.")
        except Exception as e:
            reply = failure_reply(ctx, e, f"shortcut {shortcut.callback_id}")
        if reply is not None:
            await deliver(ctx, inv, reply)


def limited(ctx: Core, shortcut: MessageShortcut,
            declaration: ShortcutDeclaration) -> AbstractAsyncContextManager[None]:
    """The member's turn under the shortcut's limit, counted by its callback_id (SLOTH_LIMITS too)."""
    limit = limit_for(declaration.callback_id, declaration.limit, ctx.settings.limit_overrides)
    if limit is None:
        return contextlib.nullcontext()
    return member_turn(Namespaced(ctx.store, "limit"), declaration.callback_id, shortcut.user, limit, ctx.clock)
