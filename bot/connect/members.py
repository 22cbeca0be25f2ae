"""Acting as a member: the client a `token="user"` command gets, and the connect button.

Dispatch calls `member_client` before such a command's handler runs: it finds the member's own
token (`bot.connect.tokens.token_for`) or answers with the Connect button, so no handler ever looks
a token up. The client it returns turns Slack's "this token no longer works" answers into
`MemberAuthError`, which dispatch answers by forgetting the token and offering to connect again.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.config.settings import Settings
from bot.connect.sealing import STATE_TTL, StateSigner
from bot.connect.tokens import DEAD_TOKEN, forget_token, token_for
from bot.features.core import Core
from bot.pure.blocks import Reply, actions, context_block, notice, section
from bot.pure.errors import ReplyError
from bot.slack.client import MeteredWebClient, retry_handlers, sdk_logger

log = logging.getLogger(__name__)
CONNECT_ACTION = "sloth_connect"
CONNECT_FEATURE = "connect"


class MemberAuthError(Exception):
    """Slack refused a member's token: it is dead (`code`), or lacks the scope `needed`."""

    def __init__(self, code: str, needed: str | None) -> None:
        super().__init__(code)
        self.code = code
        self.needed = needed


class MemberClient(MeteredWebClient):
    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as e:
            code = str(e.response.get("error", ""))
            if code in DEAD_TOKEN or code == "missing_scope":
                raise MemberAuthError(code, e.response.get("needed")) from e
            raise


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


def install_link(core: Core, user: str) -> str:
    state = signer(core.settings).sign(user, core.identity.team_id, core.clock())
    return f"{core.settings.public_url}/slack/install?state={quote(state)}"


def connect_prompt(core: Core, user: str, why: str) -> Reply:
    """`why`, then the button that starts connecting (or why connecting is switched off)."""
    problem = oauth_problem(core.settings)
    if problem is None and core.registry.feature(CONNECT_FEATURE) is None:
        problem = "its connect feature is switched off (SLOTH_DISABLE)"
    if problem:
        log.warning("a member asked to connect, but connecting is switched off: %s", problem)
        return notice(f"{why}\nConnecting is switched off on this Sloth because {problem}. "
                      "Ask whoever runs Sloth to set it (see the README, _Connect a real workspace_).")
    minutes = int(STATE_TTL // 60)
    link = {"type": "button", "text": {"type": "plain_text", "text": "Connect to Slack", "emoji": True},
            "action_id": CONNECT_ACTION, "url": install_link(core, user), "style": "primary"}
    blocks = [
        section(why),
        actions(link),
        context_block(f"The button works for {minutes} minutes and only for you. Slack asks you to approve; "
                f"`{core.slash('disconnect')}` undoes it at any time."),
    ]
    return Reply(text=why, blocks=blocks, ephemeral=True, replace=False)


def client_for(core: Core, token: str) -> MemberClient:
    client = MemberClient(token=token, base_url=core.settings.api_url, session=core.session,
                          retry_handlers=retry_handlers(), timeout=30, logger=sdk_logger())
    client.metrics = core.metrics
    return client


async def member_client(core: Core, user: str, command: str) -> MemberClient:
    """The client acting as `user`; without their permission, a ReplyError with the connect button."""
    token = await token_for(core, user)
    if token is None:
        why = f"To use `{command}`, Sloth needs your permission to act as you."
        raise ReplyError(connect_prompt(core, user, why))
    return client_for(core, token)


async def refused(core: Core, user: str, command: str, error: MemberAuthError) -> Reply:
    """The answer when Slack refused the member's token: connect again (a dead token is forgotten)."""
    if error.code == "missing_scope":
        needed = error.needed or "a permission"
        return connect_prompt(core, user, f"When you connected, Slack did not grant `{needed}`. "
                                         f"Connect again to use `{command}`.")
    await forget_token(core, user)
    return connect_prompt(core, user, f"Your permission for Sloth no longer works (Slack says `{error.code}`). "
                                     f"Connect again to use `{command}`.")
