"""The menu of commands and their forms, on the main loop: opening them, and running a submission.

`/sloth` alone (`bot.handling.entry`) and the global shortcut "Sloth…" open the menu: every
command the member may run (admin-only ones for admins alone, none the app's scopes switched
off), those that act as the member marked when they have not let Sloth do so yet. Slack takes a
`trigger_id` for 3 seconds only, so the menu is built from what is at hand (the registry, one
users.info for the admin question, capped at ADMIN_WAIT, and the store) and opened first; when the
trigger has expired anyway the member is told how to try again. A submission was answered in its
ack already (`bot.handling.ack_answer`); here it is read again, through the same function, and
what it runs goes through the one dispatch, as the member who opened the form, answered where the
slash command would have been (after the shortcut: in the member's DM with Sloth).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot import guard
from bot.connect.tokens import connected_scopes
from bot.features.core import Core
from bot.features.invocation import Invocation
from bot.features.manifest import MENU_SHORTCUT
from bot.handling.dispatch import answer
from bot.handling.respond import deliver
from bot.pure.blocks import notice
from bot.slack.admins import is_admin
from bot.slack.views import open_view
from bot.store import StoreUnavailable
from bot.views.forms import FORM, PICK, Choice, command_form, picker
from bot.views.metadata import Origin
from bot.views.submissions import Submissions

log = logging.getLogger(__name__)
ADMIN_WAIT = 1.0  # seconds users.info may take before the menu opens without the admin-only commands
EXPIRED = ("Slack gives Sloth 3 seconds to open a form, and they had passed. Please try `{slash}` again, or type "
           "the command: `{slash} help` lists them.")


def add_form_listeners(app: AsyncApp, ctx: Core, submissions: Submissions) -> None:
    @app.shortcut(MENU_SHORTCUT)
    async def on_shortcut(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        user, trigger = (body.get("user") or {}).get("id"), body.get("trigger_id")
        if not (isinstance(user, str) and user and isinstance(trigger, str) and trigger):
            log.warning("ignored a shortcut whose payload is not one Slack sends")
            return
        origin = Origin(user=user, via="shortcut", team=(body.get("team") or {}).get("id"))
        await open_menu(ctx, submissions, origin, trigger)

    async def on_submission(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await run_submission(ctx, submissions, body)

    async def on_closed(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        ctx.metrics.forms.labels("closed").inc()

    for callback_id in (PICK, FORM):
        app.view(callback_id)(on_submission)
        app.view_closed(callback_id)(on_closed)


async def open_menu(ctx: Core, submissions: Submissions, origin: Origin, trigger_id: str) -> bool:
    """Open the menu of commands for `origin.user`; False (and the member told) when Slack's 3
    seconds for the trigger had passed."""
    admin = await _admin_soon(ctx, origin.user)
    choices = await menu_choices(ctx, origin.user, admin)
    view = picker(choices, submissions.seal(replace(origin, admin=admin)), ctx.settings.command)
    if await open_modal(ctx, trigger_id, view):
        return True
    await tell(ctx, origin, EXPIRED.format(slash=ctx.settings.command))
    return False


async def menu_choices(ctx: Core, user: str, admin: bool) -> list[Choice]:
    registry = ctx.registry
    commands = [c for c in registry.listed()
                if c.name not in registry.unavailable and (admin or not c.admin_only)]
    scopes: frozenset[str] | None = frozenset()  # unknown: nothing marked
    if any(c.token == "user" for c in commands):
        try:
            scopes = await connected_scopes(ctx, user)
        except StoreUnavailable:
            log.info("the store cannot say who has connected; the menu marks nothing")
    choices = []
    for command in commands:
        note = ""
        if command.token == "user" and scopes is None:
            note = "Connect first"
        elif command.token == "user" and scopes and not set(command.user_scopes) <= scopes:
            note = "Connect again"
        choices.append(Choice(command, note))
    return choices


async def open_modal(ctx: Core, trigger_id: str, view: dict[str, Any]) -> bool:
    """views.open, counted; False when the trigger had expired (Slack's 3 seconds) or was used."""
    opened = await open_view(ctx.client, trigger_id, view) is not None
    ctx.metrics.forms.labels("opened" if opened else "expired").inc()
    return opened


class FormOpener:
    """A command's form opened for a member by a feature (`ctx.open_form`) or a Home tab's button:
    sealed like the menu's forms, answered in `channel` (through `response_url` when given, as a
    slash command's answer) or, without one, in the member's DM with Sloth."""

    def __init__(self, ctx: Core, submissions: Submissions) -> None:
        self.ctx, self.submissions = ctx, submissions

    async def open(self, trigger_id: str, command: str, *, user: str, channel: str = "",
                   response_url: str | None = None, thread: str | None = None,
                   values: dict[str, str] | None = None) -> bool:
        found = self.ctx.registry.find(command)
        if found is None:
            raise ValueError(f"no command {command!r}")
        origin = Origin(user=user, via="slash" if channel else "shortcut", channel=channel, thread=thread,
                        response_url=response_url, purpose="form", command=found.name)
        view = command_form(found, self.submissions.seal(origin), self.ctx.settings.command, in_channel=bool(channel),
                            values=values)
        return await open_modal(self.ctx, trigger_id, view)


async def run_submission(ctx: Core, submissions: Submissions, body: dict[str, Any]) -> None:
    outcome = submissions.outcome(body)
    if outcome is None:
        return
    if outcome.refused:
        ctx.metrics.forms.labels("refused").inc()
        log.warning("refused a form submission by %s: %s", (body.get("user") or {}).get("id"), outcome.refused)
        return
    ack = outcome.ack or {}
    if ack.get("response_action") == "errors":
        ctx.metrics.forms.labels("invalid").inc()
    elif ack.get("response_action") == "update":
        ctx.metrics.forms.labels("opened").inc()
    inv = outcome.run
    if inv is None:
        return
    ctx.metrics.forms.labels("submitted").inc()
    if not inv.channel:  # after the shortcut: the member's DM with Sloth
        inv = replace(inv, channel=await _dm(ctx, inv.user))
    await answer(ctx, inv)


async def tell(ctx: Core, origin: Origin, text: str) -> None:
    """Say `text` to the member where an answer to `origin` goes."""
    channel = origin.channel or await _dm(ctx, origin.user)
    inv = Invocation(name="", args="", user=origin.user, channel=channel,
                     source="slash" if origin.via == "slash" else "dm", response_url=origin.response_url)
    with guard.handling(guard.Scope(asker=origin.user, name_of=ctx.directory.display_name)):
        await deliver(ctx, inv, notice(text))


async def _dm(ctx: Core, user: str) -> str:
    return str((await ctx.client.conversations_open(users=user))["channel"]["id"])


async def _admin_soon(ctx: Core, user: str) -> bool:
    try:
        return await asyncio.wait_for(is_admin(ctx, user), ADMIN_WAIT)
    except (TimeoutError, SlackApiError):
        return False
