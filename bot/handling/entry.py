"""Entry points: Bolt listeners that turn slash commands, mentions, DMs, clicks and submitted forms
(`bot.handling.forms`) into one shape, run message shortcuts (`bot.handling.shortcuts`) and
Workflow Builder steps (`bot.handling.steps`), draw a member's Home tab when they open it
(`bot.handling.home`), and bind features' HTTP routes to their contexts.

The ack has already been sent by `bot.socket.client` when these run; Bolt runs with
`process_before_response=True` so each listener simply runs to completion on a worker.
Payloads are checked for shape here, once: a handler never sees a forged or malformed click.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult

from bot import guard
from bot.features.context import Context
from bot.features.core import Core
from bot.features.invocation import Click, Invocation, Source
from bot.features.rerun import NotInChannel, join_offer
from bot.features.router import RouteHandler
from bot.handling.dispatch import answer, failure_reply
from bot.handling.forms import add_form_listeners, open_menu
from bot.handling.respond import deliver
from bot.handling.shortcuts import add_shortcut_listeners
from bot.handling.steps import add_step_listeners
from bot.pure.blocks import Reply
from bot.pure.text import split_line, strip_mention
from bot.slack.asking import asking
from bot.slack.client import make_client
from bot.views.metadata import Origin
from bot.views.submissions import Submissions
from bot.work import blocking
from bot.work.blocking import running

log = logging.getLogger(__name__)
# The event types Sloth's entry points listen to themselves; features may listen to them too.
OWN_EVENTS = ("message", "app_mention", "app_home_opened", "assistant_thread_started",
              "assistant_thread_context_changed")


def build_app(ctx: Core, submissions: Submissions) -> AsyncApp:
    identity = ctx.identity

    async def authorize(**_: Any) -> AuthorizeResult:
        # auth.test already ran at start; Bolt need not repeat it per request.
        return AuthorizeResult(
            enterprise_id=None, team_id=identity.team_id, bot_token=ctx.settings.bot_token,
            bot_id=identity.bot_id, bot_user_id=identity.bot_user_id,
        )

    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that it goes unused
    # next to `client` and `authorize`; that is intended here, so only that warning is dropped.
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _UnusedTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_UnusedTokenWarning())
    app = AsyncApp(
        # Bolt builds each request's client from this one plus the token from `authorize`.
        client=make_client(None, ctx.settings.api_url, ctx.session, ctx.metrics),
        authorize=authorize,
        process_before_response=True,
        request_verification_enabled=False,
        url_verification_enabled=False,
        ssl_check_enabled=False,
        raise_error_for_unhandled_request=False,
        name="entry.py",  # Bolt's default (this file's name), given: finding it stats every loaded module
    )

    @app.command(ctx.settings.command)
    async def on_slash(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        name, args = split_line(str(body.get("text") or ""))
        if not name and body.get("trigger_id"):  # `/sloth` alone: the menu of commands
            origin = Origin(user=body["user_id"], channel=body["channel_id"], team=body.get("team_id"),
                            response_url=body.get("response_url"))
            await open_menu(ctx, submissions, origin, str(body["trigger_id"]))
            return
        await answer(ctx, Invocation(
            name=name, args=args, user=body["user_id"], channel=body["channel_id"], source="slash",
            team=body.get("team_id"), response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
        ))

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)
        if event.get("channel_type") == "im":
            return  # the `message` listener answers DMs
        await answer_or_ask(ctx, event, from_message(event, identity.bot_user_id, "mention"))

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)
        if event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id"):
            await answer_or_ask(ctx, event, from_message(event, identity.bot_user_id, "dm"))

    @app.event("assistant_thread_started")
    async def on_agent_thread(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)
        await ctx.agent.started(event)

    @app.event("assistant_thread_context_changed")
    async def on_agent_context(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)  # Sloth's agent asks about what it is told, not where the member looks

    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)
        if event.get("tab") == "home" and isinstance(event.get("user"), str) and event["user"]:
            await ctx.home.opened(event["user"])

    @app.action(re.compile(".*"))
    async def on_action(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        click = to_click(body)
        if click is None:
            log.warning("ignored a button press whose payload is not one Slack sends")
            return
        await handle_click(ctx, click)

    add_form_listeners(app, ctx, submissions)
    add_shortcut_listeners(app, ctx)
    add_step_listeners(app, ctx)
    for event_type in ctx.registry.event_types():
        if event_type not in OWN_EVENTS:
            app.event(event_type)(_event_listener(ctx))
    return app


class _UnusedTokenWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("As you gave `client`") or "`token` (or SLACK_BOT_TOKEN" in message)


def _event_listener(ctx: Core) -> Any:
    async def on_event(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)

    return on_event


async def run_event_handlers(ctx: Core, event: dict[str, Any]) -> None:
    """Every feature's listeners for this event, each in its own feature's context."""
    text = event.get("text") if isinstance(event.get("text"), str) else ""
    scope = guard.Scope(typed=text or "", asker=str(event.get("user") or ""), name_of=ctx.directory.display_name)
    scope.seen.add(event)  # all of it (attachments, files, a renamed channel's name) came from outside
    # A member's message or mention: listeners act for them. Other events (a user dict in
    # team_join, a channel dict in channel_created) are Sloth's own business.
    asker = event["user"] if isinstance(event.get("user"), str) else ""
    where = event["channel"] if isinstance(event.get("channel"), str) else ""
    for handler, feature in ctx.registry.events.get(str(event.get("type", "")), []):
        try:
            with guard.handling(scope), (asking(asker, where) if asker else contextlib.nullcontext()):
                await blocking.call(feature.name, f"event {event.get('type')}", handler, ctx.of(feature.name), event)
        except Exception as e:
            failure_reply(ctx, e, f"event {event.get('type')} ({feature.name})")


async def answer_or_ask(ctx: Core, event: dict[str, Any], inv: Invocation) -> None:
    """A command runs as ever; anything else goes to the agent when a model is configured (else
    the closest-command help, as without one)."""
    if ctx.agent.ready and inv.name and ctx.registry.find(inv.name) is None:
        ctx.agent.ask(inv, strip_mention(str(event.get("text") or ""), ctx.identity.bot_user_id))
        return
    await answer(ctx, inv)


def from_message(event: dict[str, Any], bot_user_id: str, source: Source) -> Invocation:
    name, args = split_line(strip_mention(str(event.get("text") or ""), bot_user_id))
    return Invocation(
        name=name, args=args, user=event.get("user", ""), channel=event["channel"], source=source,
        thread=event.get("thread_ts"), team=event.get("team"), ts=event.get("ts"),
    )


def to_click(body: dict[str, Any]) -> Click | None:
    """The press, or None when the payload is not shaped as Slack sends a button press."""
    actions, user = body.get("actions"), body.get("user")
    if not (isinstance(actions, list) and actions and isinstance(actions[0], dict) and isinstance(user, dict)):
        return None
    action = actions[0]
    action_id, value, user_id = action.get("action_id"), action.get("value", ""), user.get("id")
    if not (isinstance(action_id, str) and isinstance(value, str) and isinstance(user_id, str) and user_id):
        return None
    container: dict[str, Any] = body["container"] if isinstance(body.get("container"), dict) else {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    return Click(
        action_id=action_id, value=value, user=user_id, channel=str(channel),
        message_ts=container.get("message_ts"), response_url=body.get("response_url"),
        is_ephemeral=bool(container.get("is_ephemeral")), message=message, trigger_id=body.get("trigger_id"),
    )


async def handle_click(ctx: Core, click: Click) -> None:
    if await ctx.agent.pressed(click):
        return
    found = ctx.registry.action(click.action_id)
    if found is None:
        log.info("no handler for button %s", click.action_id)
        return
    handler, feature = found
    inv = click.invocation(click.action_id)
    with (guard.handling(guard.Scope(asker=click.user, name_of=ctx.directory.display_name)),
          asking(click.user, click.channel)):
        try:
            reply: Reply | None = await blocking.call(feature.name, _button(ctx, click.action_id), handler,
                                                      ctx.of(feature.name), click)
        except NotInChannel as e:
            reply = join_offer(inv, e)
        except Exception as e:
            reply = failure_reply(ctx, e, f"button {click.action_id}")
        if reply is not None:
            await deliver(ctx, inv, reply)


def _button(ctx: Core, action_id: str) -> str:
    """The button as its feature declared it (`game`, for `game:move:4`), for the loop watch."""
    return f"button {ctx.registry.declared_action(action_id) or action_id}"


def bind_route(ctx: Context, handler: RouteHandler) -> Callable[[web.Request], Awaitable[Any]]:
    """A feature's HTTP route as the server calls it: in its own guard scope (the request is
    someone else's text) and noted as the feature's, for the loop watch."""

    async def route(request: web.Request) -> Any:
        # A route's request (a webhook's payload) is someone else's text: input to the guard.
        with guard.handling(guard.request_scope(request, ctx.directory.display_name)), \
                running(ctx.feature, route_name(request)):
            return await handler(ctx, request)

    return route


def route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return f"route {request.method} {resource.canonical if resource is not None else ''}".strip()
