"""Entry points: Bolt listeners that turn slash commands, mentions, DMs and clicks into one shape.

The ack has already been sent by `bot.socket` when these run; Bolt runs with
`process_before_response=True` so each listener simply runs to completion on a worker.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.authorization import AuthorizeResult

from bot.context import Context
from bot.dispatch import failure_reply, run_command
from bot.reply import Reply
from bot.respond import deliver
from bot.router import Invocation, Source
from bot.slack import make_client
from bot.text import split_args, strip_mention

log = logging.getLogger(__name__)

PAGE_ACTIONS = ("sloth_page_prev", "sloth_page_next")


@dataclass(frozen=True)
class Click:
    """A button press, as feature handlers see it."""

    action_id: str
    value: str
    user: str
    channel: str
    message_ts: str | None
    response_url: str | None
    is_ephemeral: bool
    message: dict[str, Any] | None
    trigger_id: str | None = None

    def invocation(self, name: str, args: str = "", page: int = 0) -> Invocation:
        return Invocation(
            name=name, args=args, user=self.user, channel=self.channel, source="button",
            response_url=self.response_url, trigger_id=self.trigger_id, page=page,
        )


def split_line(text: str) -> tuple[str, str]:
    """`"history #general 5"` -> `("history", "#general 5")`."""
    tokens = split_args(text.strip())
    if not tokens:
        return "", ""
    return tokens[0].lower(), text.strip()[len(tokens[0]) :].strip()


def build_app(ctx: Context) -> AsyncApp:
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

    async def invoke(inv: Invocation) -> None:
        reply = await run_command(ctx, inv)
        await deliver(ctx, inv, reply)

    @app.command(ctx.settings.command)
    async def on_slash(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        name, args = split_line(body.get("text", ""))
        await invoke(Invocation(
            name=name, args=args, user=body["user_id"], channel=body["channel_id"], source="slash",
            team=body.get("team_id"), response_url=body.get("response_url"), trigger_id=body.get("trigger_id"),
        ))

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        if event.get("channel_type") == "im":
            return  # the `message` listener answers DMs
        await invoke(from_message(event, identity.bot_user_id, "mention"))

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        await run_event_handlers(ctx, event)
        if event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id"):
            await invoke(from_message(event, identity.bot_user_id, "dm"))

    @app.action(re.compile(".*"))
    async def on_action(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await handle_click(ctx, to_click(body))

    for event_type in ctx.registry.events:
        if event_type not in ("message", "app_mention"):
            app.event(event_type)(_event_listener(ctx))
    return app


class _UnusedTokenWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("As you gave `client`") or "`token` (or SLACK_BOT_TOKEN" in message)


def _event_listener(ctx: Context) -> Any:
    async def on_event(event: dict[str, Any], context: AsyncBoltContext) -> None:
        await run_event_handlers(ctx, event)

    return on_event


async def run_event_handlers(ctx: Context, event: dict[str, Any]) -> None:
    for handler in ctx.registry.events.get(event.get("type", ""), []):
        try:
            await handler(ctx, event)
        except Exception as e:
            failure_reply(ctx, e, f"event {event.get('type')}")


def from_message(event: dict[str, Any], bot_user_id: str, source: Source) -> Invocation:
    name, args = split_line(strip_mention(event.get("text", ""), bot_user_id))
    return Invocation(
        name=name, args=args, user=event.get("user", ""), channel=event["channel"], source=source,
        thread=event.get("thread_ts"), team=event.get("team"),
    )


def to_click(body: dict[str, Any]) -> Click:
    action = body["actions"][0]
    container = body.get("container", {})
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    return Click(
        action_id=action.get("action_id", ""), value=action.get("value", ""), user=body["user"]["id"],
        channel=channel, message_ts=container.get("message_ts"), response_url=body.get("response_url"),
        is_ephemeral=bool(container.get("is_ephemeral")), message=body.get("message"),
        trigger_id=body.get("trigger_id"),
    )


async def handle_click(ctx: Context, click: Click) -> None:
    if click.action_id in PAGE_ACTIONS:
        await turn_page(ctx, click)
        return
    handler = ctx.registry.actions.get(click.action_id) or ctx.registry.actions.get(click.action_id.split(":")[0])
    if handler is None:
        log.info("no handler for button %s", click.action_id)
        return
    inv = click.invocation(click.action_id)
    try:
        reply: Reply | None = await handler(ctx, click)
    except Exception as e:
        reply = failure_reply(ctx, e, f"button {click.action_id}")
    if reply is not None:
        await deliver(ctx, inv, reply)


async def turn_page(ctx: Context, click: Click) -> None:
    """Next/Previous: run the same command line again for another page, editing the message."""
    try:
        state = json.loads(click.value)
        line, page = str(state["c"]), int(state["p"])
    except (ValueError, KeyError, TypeError):
        log.warning("malformed page button value")
        return
    name, args = split_line(line)
    inv = click.invocation(name, args, page=max(0, page))
    reply = await run_command(ctx, inv)
    await deliver(ctx, inv, reply)
