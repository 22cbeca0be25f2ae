"""The bot and user tokens: valid (auth.test), whose, which workspace, and their scopes against
what the loaded commands declare (the same answer the runtime switches commands off by)."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.settings import Settings
from bot.doctor.advice import REINSTALL, TOKEN_ERRORS, error_of
from bot.doctor.report import Check, failed, ok, skipped
from bot.features.manifest import manifest
from bot.features.registry import Registry
from bot.features.scopes import granted_scopes, missing_by_command

BOT_TOKEN = "bot token (SLACK_BOT_TOKEN)"
BOT_SCOPES = "bot token scopes"
USER_TOKEN = "user token (SLACK_USER_TOKEN)"
USER_SCOPES = "user token scopes"


@dataclass(frozen=True)
class Whoami:
    """What auth.test says a token is."""

    user_id: str
    user: str
    team_id: str
    team: str
    url: str
    bot_id: str
    scopes: frozenset[str] | None  # None: Slack did not say

    def described(self) -> str:
        bot = f", bot {self.bot_id}" if self.bot_id else ""
        return f"@{self.user} ({self.user_id}{bot}) in {self.team} ({self.team_id}, {self.url})"


class Unreachable(Exception):
    """Slack's Web API did not answer at all."""


async def whoami(client: AsyncWebClient) -> Whoami:
    """auth.test; SlackApiError when Slack refuses the token, Unreachable when it does not answer."""
    try:
        auth = await client.auth_test()
    except aiohttp.ClientError as e:
        raise Unreachable(str(e) or type(e).__name__) from None
    return Whoami(user_id=auth["user_id"], user=auth.get("user", ""), team_id=auth["team_id"],
                  team=auth.get("team", ""), url=auth.get("url", ""), bot_id=auth.get("bot_id", ""),
                  scopes=granted_scopes(auth.headers))


def refused(name: str, e: SlackApiError, change: str) -> Check:
    code, _ = error_of(e)
    if code in TOKEN_ERRORS:
        return failed(name, f"Slack refused it ({code})", change)
    return failed(name, f"auth.test answered {code}", change)


async def bot_checks(client: AsyncWebClient, settings: Settings,
                     registry: Registry) -> tuple[list[Check], Whoami | None]:
    fix = "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page"
    try:
        me = await whoami(client)
    except SlackApiError as e:
        return [refused(BOT_TOKEN, e, fix), skipped(BOT_SCOPES, "needs a valid bot token")], None
    except Unreachable as e:
        return [failed(BOT_TOKEN, f"Slack does not answer at {settings.api_url}: {e}",
                       "check SLACK_API_URL and that this machine reaches Slack (proxy, firewall)"),
                skipped(BOT_SCOPES, "Slack is not reachable")], None
    return [ok(BOT_TOKEN, me.described()), bot_scope_check(me, settings, registry)], me


def bot_scope_check(me: Whoami, settings: Settings, registry: Registry) -> Check:
    """The bot token's scopes against the manifest's bot scopes (commands, events, replies)."""
    needed = set(manifest(registry, settings.command)["oauth_config"]["scopes"]["bot"])
    if me.scopes is None:
        return skipped(BOT_SCOPES, "Slack did not say (no x-oauth-scopes header on auth.test)")
    lacking = sorted(needed - me.scopes)
    if not lacking:
        return ok(BOT_SCOPES, f"has all {len(needed)} scopes the loaded commands and events need")
    off = missing_by_command(registry.listed(), me.scopes)
    parts = [f"missing {', '.join(lacking)}"]
    if off:
        parts.append("switched off at start: " + "; ".join(f"{name} ({', '.join(s)})" for name, s in off.items()))
    by_commands = {s for scopes in off.values() for s in scopes}
    others = [s for s in lacking if s not in by_commands]
    if others:
        parts.append(f"needed to hear mentions, DMs and events and to answer: {', '.join(others)}")
    return failed(BOT_SCOPES, "; ".join(parts),
                  f"add {', '.join(lacking)} to the app's Bot Token Scopes (or paste `sloth manifest` into its "
                  f"manifest), {REINSTALL}")


async def user_checks(client: AsyncWebClient | None, registry: Registry, bot: Whoami | None) -> list[Check]:
    if client is None:
        return [skipped(USER_TOKEN, "SLACK_USER_TOKEN is not set (it is optional)")]
    fix = "copy the User OAuth Token (xoxp-…) from the app's OAuth & Permissions page, or leave it unset"
    try:
        me = await whoami(client)
    except SlackApiError as e:
        return [refused(USER_TOKEN, e, fix), skipped(USER_SCOPES, "needs a valid user token")]
    except Unreachable as e:
        return [failed(USER_TOKEN, f"Slack does not answer: {e}", "check SLACK_API_URL and the network")]
    if bot is not None and bot.team_id != me.team_id:
        return [failed(USER_TOKEN, f"{me.described()}, but the bot is in {bot.team} ({bot.team_id})",
                       "use a user token from the workspace Sloth is installed in"),
                skipped(USER_SCOPES, "the token is for another workspace")]
    return [ok(USER_TOKEN, f"{me.described()}: Sloth acts with it for this member only"),
            user_scope_check(me, registry)]


def user_scope_check(me: Whoami, registry: Registry) -> Check:
    needed = registry.user_scopes()
    if me.scopes is None:
        return skipped(USER_SCOPES, "Slack did not say (no x-oauth-scopes header on auth.test)")
    if not needed:
        return skipped(USER_SCOPES, "no loaded command acts as a member")
    lacking = sorted(needed - me.scopes)
    if not lacking:
        return ok(USER_SCOPES, f"has the {len(needed)} user scopes the commands that act as a member need")
    off = missing_by_command(registry.listed(), me.scopes, user=True)
    commands = ", ".join(f"{name} ({', '.join(s)})" for name, s in off.items())
    return failed(USER_SCOPES, f"missing {', '.join(lacking)}: for @{me.user} these will not work: {commands}",
                  f"add {', '.join(lacking)} to the app's User Token Scopes, {REINSTALL}, and copy the new "
                  "User OAuth Token")

