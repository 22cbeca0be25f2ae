"""Members' own Slack tokens: kept sealed in the store, and only ever used for their owner.

Slack lets only a user token change a user's status or Do Not Disturb, and only its own user's.
`token_for(core, user)` is the one way to get a user token: the member's own connected token
(from `connect`), else SLACK_USER_TOKEN when that member is the one who owns it (found with
auth.test), else None. Nothing here hands one member's token to another.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.connect.sealing import SealError, TokenBox
from bot.features.core import Core
from bot.slack.client import MeteredWebClient, make_client
from bot.slack.fallback import support_of
from bot.store import Namespaced

log = logging.getLogger(__name__)

# Answers that mean a user token no longer works at all: forget it and ask to connect again.
DEAD_TOKEN = ("invalid_auth", "token_revoked", "account_inactive", "token_expired", "not_authed")
OWNER_TTL = 24 * 3600.0
NO_OWNER_TTL = 300.0  # retry an unusable SLACK_USER_TOKEN now and then, not on every command


def _tokens(core: Core) -> Namespaced:
    return Namespaced(core.store, "user_token")


def _box(core: Core) -> TokenBox | None:
    return TokenBox(core.settings.secret_key) if core.settings.secret_key else None


async def save_token(core: Core, user: str, token: str, scopes: str) -> None:
    box = _box(core)
    if box is None:
        raise RuntimeError("SLOTH_SECRET_KEY is not set; user tokens cannot be stored")
    record = {"user": user, "team": core.identity.team_id, "sealed": box.seal(user, token), "scopes": scopes,
              "at": int(core.clock())}
    await _tokens(core).set(user, record)


async def stored_token(core: Core, user: str) -> str | None:
    """The member's own connected token, if they connected and it still opens."""
    record: dict[str, Any] | None = await _tokens(core).get(user)
    box = _box(core)
    if not record or box is None:
        return None
    if record.get("user") != user or record.get("team") != core.identity.team_id:
        return None
    try:
        return box.open(user, str(record["sealed"]))
    except (SealError, KeyError) as e:
        log.warning("the stored token of %s does not open (%s); they need to connect again", user, e)
        return None


async def connected_scopes(core: Core, user: str) -> frozenset[str] | None:
    """The user scopes the member granted when they connected, from the store alone (no Slack call,
    for a menu that must open within Slack's 3 seconds); None when they have not connected. The
    owner of SLACK_USER_TOKEN, once auth.test has named them, counts as connected with scopes
    unknown (empty)."""
    record: dict[str, Any] | None = await _tokens(core).get(user)
    if record and record.get("user") == user and record.get("team") == core.identity.team_id:
        return frozenset(s.strip() for s in str(record.get("scopes") or "").split(",") if s.strip())
    token = core.settings.user_token
    if token and await _owners(core).get(_owner_key(token)) == user:
        return frozenset()
    return None


async def forget_token(core: Core, user: str) -> str | None:
    """Drop the member's stored token; returns it (for revoking) if there was one."""
    token = await stored_token(core, user)
    await _tokens(core).delete(user)
    return token


async def env_token_owner(core: Core) -> str | None:
    """The member who owns SLACK_USER_TOKEN (auth.test, remembered for a day), or None."""
    token = core.settings.user_token
    if not token:
        return None
    owners, key = _owners(core), _owner_key(token)
    known: str | None = await owners.get(key)
    if known is not None:
        return known or None
    try:
        owner = str((await user_client(core, token).auth_test())["user_id"])
    except SlackApiError as e:
        log.error("SLACK_USER_TOKEN is not usable (%s); Sloth will not act with it", e.response.get("error"))
        owner = ""
    await owners.set(key, owner, ttl=OWNER_TTL if owner else NO_OWNER_TTL)
    return owner or None


def _owners(core: Core) -> Namespaced:
    return Namespaced(core.store, "env_token_owner")


def _owner_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]


async def token_for(core: Core, user: str) -> str | None:
    """The token that acts as `user`, and only as `user`; None when they have not connected."""
    own = await stored_token(core, user)
    if own:
        return own
    if core.settings.user_token and await env_token_owner(core) == user:
        return core.settings.user_token
    return None


def user_client(core: Core, token: str) -> MeteredWebClient:
    client = make_client(token, core.settings.api_url, core.session, core.metrics)
    client.blocks = support_of(core.client)  # a member's messages fall back as the bot's do
    return client
