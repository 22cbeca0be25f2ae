"""`connect` and `disconnect`: a member lets Sloth act as them (status, Do Not Disturb, search).

`connect` answers with a button that opens Sloth's `/slack/install` (see `handlers.oauth_flow`)
with a signed `state` naming the member who asked; Slack asks them to approve the user scopes
and sends them back with a code that Sloth swaps for their token. Commands that act as a member
call `as_member`, which finds that member's own token or answers with the `connect` button.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote

from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.errors import ReplyError
from bot.reply import Reply, actions, context, section
from bot.router import Args, Invocation, Router
from bot.sealing import STATE_TTL, StateSigner
from bot.settings import Settings
from bot.slack import MeteredWebClient
from bot.user_tokens import env_token_owner, forget_token, is_dead_token, stored_token, token_for, user_client

log = logging.getLogger(__name__)
router = Router()
T = TypeVar("T")
CONNECT_ACTION = "sloth_connect"


def oauth_problem(settings: Settings) -> str | None:
    """Why the OAuth side cannot run, in words for the operator; None when it can."""
    missing = [name for name, value in (("SLOTH_SECRET_KEY", settings.secret_key),
                                        ("SLACK_CLIENT_ID", settings.client_id),
                                        ("SLACK_CLIENT_SECRET", settings.client_secret)) if not value]
    if not missing:
        return None
    names = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    return f"{names} {'is' if len(missing) == 1 else 'are'} not set"


def signer(settings: Settings) -> StateSigner:
    assert settings.secret_key, "checked by oauth_problem"
    return StateSigner(settings.secret_key)


def install_link(ctx: Context, user: str) -> str:
    state = signer(ctx.settings).sign(user, ctx.identity.team_id, ctx.clock())
    return f"{ctx.settings.public_url}/slack/install?state={quote(state)}"


def connect_prompt(ctx: Context, user: str, why: str) -> Reply:
    """`why`, then the button that starts connecting (or why connecting is switched off)."""
    problem = oauth_problem(ctx.settings)
    if problem:
        log.warning("a member asked to connect, but connecting is switched off: %s", problem)
        text = (f"{why}\nConnecting is switched off on this Sloth because {problem}. "
                "Ask whoever runs Sloth to set it (see the README, _Connect a real workspace_).")
        return Reply(text=text, blocks=[section(text)], ephemeral=True, replace=False)
    minutes = int(STATE_TTL // 60)
    link = {"type": "button", "text": {"type": "plain_text", "text": "Connect to Slack", "emoji": True},
            "action_id": CONNECT_ACTION, "url": install_link(ctx, user), "style": "primary"}
    blocks = [
        section(why),
        actions(link),
        context(f"The button works for {minutes} minutes and only for you. Slack asks you to approve; "
                f"`{ctx.slash('disconnect')}` undoes it at any time."),
    ]
    return Reply(text=why, blocks=blocks, ephemeral=True, replace=False)


async def as_member(ctx: Context, user: str, doing: str, call: Callable[[MeteredWebClient], Awaitable[T]]) -> T:
    """Run `call` with `user`'s own token; without one, refuse with the connect button."""
    token = await token_for(ctx, user)
    if token is None:
        raise ReplyError(connect_prompt(ctx, user, f"To {doing}, Sloth needs your permission to act as you."))
    try:
        return await call(user_client(ctx, token))
    except SlackApiError as e:
        code = str(e.response.get("error", ""))
        if is_dead_token(e):
            await forget_token(ctx, user)
            raise ReplyError(connect_prompt(
                ctx, user, f"Your permission for Sloth no longer works (Slack says `{code}`). Connect again to {doing}."
            )) from e
        if code == "missing_scope":
            needed = e.response.get("needed") or "a permission"
            raise ReplyError(connect_prompt(
                ctx, user, f"When you connected, Slack did not grant `{needed}`. Connect again to {doing}."
            )) from e
        raise


@router.command(
    "connect", "Let Sloth act as you (status, Do Not Disturb, search): Slack asks you to approve.",
    examples=("connect",),
)
async def connect_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    if await stored_token(ctx, inv.user):
        why = "You are already connected. Connecting again renews Sloth's permission to act as you."
    elif await env_token_owner(ctx) == inv.user:
        why = ("Sloth already acts as you with the user token it was configured with (SLACK_USER_TOKEN). "
               "Connect to give it your own permission instead.")
    else:
        why = ("Connect Sloth to your Slack account so it can set your status, pause your notifications and "
               "search messages for you. It acts only for you, and only when you ask.")
    return connect_prompt(ctx, inv.user, why)


@router.command("disconnect", "Make Sloth forget (and revoke) your permission to act as you.",
                examples=("disconnect",))
async def disconnect_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    token = await forget_token(ctx, inv.user)
    if token:
        await revoke(ctx, token)
        text = "Done: Sloth has forgotten your token and revoked it at Slack."
    else:
        text = "You were not connected, so there was nothing to forget."
    if await env_token_owner(ctx) == inv.user:
        text += (" Sloth still acts as you with the user token it was configured with (SLACK_USER_TOKEN); "
                 "ask whoever runs Sloth to remove it.")
    return Reply(text=text, blocks=[section(text)], ephemeral=True)


async def revoke(ctx: Context, token: str) -> None:
    try:
        await user_client(ctx, token).auth_revoke()
    except SlackApiError as e:
        # Already revoked or never valid: either way it no longer works, which is the point.
        log.info("auth.revoke answered %s", e.response.get("error"))


@router.action(CONNECT_ACTION)
async def connect_clicked(ctx: Context, click: Any) -> None:
    # A link button: the browser opens the link; Slack still sends the click, which needs only its ack.
    return None


@router.started
async def report_oauth(ctx: Context) -> None:
    problem = oauth_problem(ctx.settings)
    if problem:
        log.warning("connect is switched off (%s): members cannot let Sloth act as them", problem)
    else:
        log.info("connect: members approve through %s/slack/install", ctx.settings.public_url)
    if ctx.settings.user_token:
        owner = await env_token_owner(ctx)
        if owner:
            log.info("SLACK_USER_TOKEN belongs to %s; Sloth acts with it for that member only", owner)
