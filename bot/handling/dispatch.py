"""One dispatch for every invocation, with one error boundary around every handler.

`answer` finds the command, sets up the guard for what the member typed (`bot.guard`), checks
who may run it, parses the arguments, gives a `token="user"` command the member's own client,
runs the handler in its feature's context, and says the reply where the request came from.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, replace

from slack_sdk.errors import SlackApiError

from bot import guard
from bot.config.limits import limit_for
from bot.connect.members import MemberAuthError, member_client, refused
from bot.features.core import Core
from bot.features.grammar import parse
from bot.features.invocation import Invocation
from bot.features.rerun import NotInChannel, join_offer
from bot.features.router import Args, Command
from bot.handling.respond import deliver
from bot.handling.turns import member_turn
from bot.pure.blocks import Reply, notice
from bot.pure.errors import ReplyError, UserError, slack_error_text
from bot.pure.names import has_mass_mention
from bot.pure.text import ChannelRef, channel_not_found, shown
from bot.slack.admins import is_admin
from bot.slack.asking import asking
from bot.store import Namespaced, StoreUnavailable
from bot.work import blocking
from bot.work.requests import new_request_id, request_id

log = logging.getLogger(__name__)
CANT_SAVE = (":warning: Sloth can't save anything right now (its storage is full or unavailable), so that "
             "didn't go through. Please try again later, and tell whoever runs Sloth if this keeps happening.")


async def answer(ctx: Core, inv: Invocation, replace_clicked: bool = False) -> None:
    """Run what `inv` asks for and say the reply: the whole of handling one request.

    `replace_clicked`: the reply takes the place of the message whose button ran the command
    (an offer that has done its job), whatever the reply itself says.
    """
    command = ctx.registry.find(inv.name) if inv.name else None
    with guard.handling(await scope_for(ctx, inv, command)), asking(inv.user, inv.channel):
        reply = await run_command(ctx, inv, command)
        await deliver(ctx, inv, replace(reply, replace=True) if replace_clicked else reply)


async def scope_for(ctx: Core, inv: Invocation, command: Command | None) -> guard.Scope:
    mentions = command.mentions if command else "none"
    everyone = False
    if mentions == "all" and has_mass_mention(inv.args):
        try:
            everyone = await is_admin(ctx, inv.user)
        except SlackApiError:
            everyone = False
    return guard.Scope(typed=inv.line, asker=inv.user, users=mentions in ("users", "all"), links=mentions == "all",
                       everyone=everyone, name_of=ctx.directory.display_name)


async def run_own(ctx: Core, feature: str, inv: Invocation) -> Reply:
    """A feature's `ctx.run`: one of `feature`'s own commands, run as `run_command` would; another
    feature's command (or none) is refused, so a feature cannot act through another's commands."""
    command = ctx.registry.find(inv.name) if inv.name else None
    if command is None or ctx.registry.feature_of(command).name != feature:
        raise PermissionError(f"the {feature} feature can run only its own commands, and {inv.name!r} is not one")
    return await run_command(ctx, inv, command)


async def run_command(ctx: Core, inv: Invocation, command: Command | None = None) -> Reply:
    return (await attempt(ctx, inv, command)).reply


@dataclass(frozen=True)
class Attempt:
    """What running a command came to: its reply, and whether the handler did what was asked
    (`done`), or the request was refused or failed on the way (the reply says why)."""

    reply: Reply
    done: bool


async def attempt(ctx: Core, inv: Invocation, command: Command | None = None) -> Attempt:
    """Run `inv` as `run_command` does, saying whether it went through (a workflow step must tell
    Slack whether it succeeded)."""
    command = command or (ctx.registry.find(inv.name) if inv.name else None)
    if command is None:
        return Attempt(unknown_command(ctx, inv), done=False)
    missing = ctx.registry.unavailable.get(command.name)
    if missing:
        return Attempt(notice(unavailable_text(command, missing), level="warning"), done=False)
    feature_ctx = ctx.of(ctx.registry.feature_of(command).name)
    try:
        if command.admin_only and not await is_admin(ctx, inv.user):
            return Attempt(notice(f"Only Sloth's admins (and the workspace's admins and owners) can use "
                                  f"`{command.name}`.", level="warning"), done=False)
        args = parse(command, inv.args, dict(inv.fields) if inv.fields is not None else None)
        await check_channels(ctx, inv, command, args)
        if command.token == "user":
            feature_ctx = replace(feature_ctx, member_client=await member_client(ctx, inv.user, command.name))
        async with limited(ctx, inv, command):
            reply: Reply = await blocking.call(feature_ctx.feature, f"command {command.name}", command.handler,
                                               feature_ctx, inv, args)
        return Attempt(reply, done=True)
    except MemberAuthError as e:
        return Attempt(await refused(ctx, inv.user, command.name, e), done=False)
    except NotInChannel as e:
        return Attempt(join_offer(inv, e), done=False)
    except Exception as e:
        return Attempt(failure_reply(ctx, e, f"command {command.name}"), done=False)


async def check_channels(ctx: Core, inv: Invocation, command: Command, args: Args) -> None:
    """Every conversation the command was given must be one the asker can see in Slack; a
    private one's content may then go into the answer, which `deliver` keeps to the asker.
    One Sloth cannot see is left to the handler, whose calls Slack refuses as it would anyway."""
    for param in command.params:
        ref = args.get(param.name) if param.kind == "channel" else None
        if not isinstance(ref, ChannelRef):
            continue
        conversation = await ctx.access.conversation(ref.id or ref.name or "")
        if conversation is not None:
            await ctx.access.require(inv.user, conversation.id, text=channel_not_found(ref))


def limited(ctx: Core, inv: Invocation, command: Command) -> AbstractAsyncContextManager[None]:
    """The member's turn under the command's per-member limit (bot.handling.turns), counted in the store
    for every replica; LimitReached, a private answer, when the member is over it."""
    limit = limit_for(command.name, command.limit, ctx.settings.limit_overrides)
    if limit is None:
        return nullcontext()
    return member_turn(Namespaced(ctx.store, "limit"), command.name, inv.user, limit, ctx.clock)


def unavailable_text(command: Command, missing: tuple[str, ...]) -> str:
    scopes = ", ".join(f"`{s}`" for s in missing)
    return (f"`{command.name}` is switched off: Sloth's app lacks the {scopes} permission (scope) it needs. "
            "Ask an admin to add it to the app and reinstall it.")


def failure_reply(ctx: Core, error: Exception, what: str) -> Reply:
    """The error boundary: user errors are explained, anything else gets an error id. A refusal
    reads as a warning (Slack's alert block), a failure as an error."""
    if isinstance(error, ReplyError):
        return error.reply
    if isinstance(error, UserError):
        return notice(str(error), level="warning")
    if isinstance(error, StoreUnavailable):
        return cant_save(what, error)
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", ""))
        friendly = slack_error_text(code)
        needed = error.response.get("needed")
        if code == "missing_scope" and needed:
            friendly = (f"Sloth's app is missing the `{needed}` permission (scope) for that. "
                        "Ask an admin to add it to the app and reinstall it.")
        if friendly:
            log.info("%s: Slack answered %s", what, code)
            return notice(friendly, level="warning")
    error_id = new_error_id()
    ctx.metrics.handler_errors.labels(what.split(" ")[0]).inc()
    log.error("%s failed (error id %s): %s: %s", what, error_id, type(error).__name__, error, exc_info=error)
    return notice(f"Sorry, something went wrong (error id `{error_id}`). It has been logged.", level="error")


def cant_save(what: str, error: StoreUnavailable) -> Reply:
    """The store refused (a full disk, a read-only volume, Redis out of reach): say so plainly.
    The store's own log line and /healthz tell the operator; this is what the member needs."""
    log.info("%s: the store cannot save (%s)", what, error)
    return notice(CANT_SAVE, level="error")


def unknown_command(ctx: Core, inv: Invocation) -> Reply:
    if not inv.name:
        return notice(f"Tell me what to do, e.g. `{ctx.slash('help')}` lists what I can do.", level="info")
    suggestion = ctx.registry.closest(inv.name)
    text = f"I don't know the command `{shown(inv.name)}`."
    if suggestion:
        text += f" Did you mean `{suggestion}`?"
    text += f" Try `{ctx.slash('help')}` to see everything I can do."
    return notice(text, level="warning")


def new_error_id() -> str:
    """The request's id (on each of its log lines, here and on the worker that did its work), so
    the id a member quotes finds the whole request; a fresh one outside a request."""
    return request_id() or new_request_id()
