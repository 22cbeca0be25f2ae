"""`connect` and `disconnect`: a member lets Sloth act as them (status, Do Not Disturb, search).

Connecting is Sloth's own machinery (members' tokens, the secret key, the app's OAuth secret), so
this feature's context reaches the core (`core_of`); no other feature's does.

`connect` answers with a button that opens Sloth's `/slack/install` (see `pages`) with a signed
`state` naming the member who asked; Slack asks them to approve the user scopes and sends them
back with a code that Sloth swaps for their token. Commands declared with `token="user"` get
that member's own client from dispatch (`bot.connect.members`), or the same button when there is none.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.connect.members import connect_prompt, oauth_problem
from bot.connect.tokens import env_token_owner, forget_token, stored_token, user_client
from bot.features.context import Context
from bot.features.core import Core, core_of
from bot.features.invocation import Invocation
from bot.features.router import Args, Router
from bot.pure.blocks import Reply, section

log = logging.getLogger(__name__)
router = Router()


@router.command(
    "connect", "Let Sloth act as you (status, Do Not Disturb, search): Slack asks you to approve.",
    examples=("connect",), tool=False,  # connecting is the member's own step, in Slack and their browser
)
async def connect_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    core = core_of(ctx)
    if await stored_token(core, inv.user):
        why = "You are already connected. Connecting again renews Sloth's permission to act as you."
    elif await env_token_owner(core) == inv.user:
        why = ("Sloth already acts as you with the user token it was configured with (SLACK_USER_TOKEN). "
               "Connect to give it your own permission instead.")
    else:
        why = ("Connect Sloth to your Slack account so it can set your status, pause your notifications and "
               "search messages for you. It acts only for you, and only when you ask.")
    return connect_prompt(core, inv.user, why)


@router.command("disconnect", "Make Sloth forget (and revoke) your permission to act as you.",
                examples=("disconnect",), changes=True)
async def disconnect_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    core = core_of(ctx)
    token = await forget_token(core, inv.user)
    if token:
        await revoke(core, token)
        text = "Done: Sloth has forgotten your token and revoked it at Slack."
    else:
        text = "You were not connected, so there was nothing to forget."
    ctx.refresh_home(inv.user)
    if await env_token_owner(core) == inv.user:
        text += (" Sloth still acts as you with the user token it was configured with (SLACK_USER_TOKEN); "
                 "ask whoever runs Sloth to remove it.")
    return Reply(text=text, blocks=[section(text)], ephemeral=True)


async def revoke(core: Core, token: str) -> None:
    try:
        await user_client(core, token).auth_revoke()
    except SlackApiError as e:
        # Already revoked or never valid: either way it no longer works, which is the point.
        log.info("auth.revoke answered %s", e.response.get("error"))


@router.started
async def report_oauth(ctx: Context) -> None:
    core = core_of(ctx)
    problem = oauth_problem(core.settings)
    if problem:
        log.warning("connect is switched off (%s): members cannot let Sloth act as them", problem)
    else:
        log.info("connect: members approve through %s/slack/install", core.settings.public_url)
    if core.settings.user_token:
        owner = await env_token_owner(core)
        if owner:
            log.info("SLACK_USER_TOKEN belongs to %s; Sloth acts with it for that member only", owner)
