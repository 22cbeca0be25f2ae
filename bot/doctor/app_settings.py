"""The app's settings at Slack: interactivity, events, the slash command, scopes, redirect URLs.

Slack tells a bot or app token nothing about them. Only the App Manifest APIs read them, and
those take an app configuration token (`xoxe.xoxp-…`, made per user and workspace, valid for
12 hours) instead: with SLACK_CONFIG_TOKEN set, `apps.manifest.export` gives the live manifest,
compared here with `sloth manifest`'s. Without it, these lines say what to look at by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.settings import Settings
from bot.connect.members import oauth_problem
from bot.doctor.advice import TOKEN_ERRORS, error_of
from bot.doctor.report import Check, failed, ok, skipped
from bot.features.manifest import manifest, request_url
from bot.features.registry import Registry

CONFIG_TOKEN = "config token (SLACK_CONFIG_TOKEN)"
INTERACTIVITY = "interactivity"
EVENTS = "event subscriptions"
COMMAND = "slash command"
APP_SCOPES = "scopes in the app's settings"
REDIRECT = "redirect URL in the app's settings"
REQUEST_URLS = "request URLs in the app's settings"
CONFIG_PREFIX = "xoxe.xoxp-"
NEEDS = "needs SLACK_CONFIG_TOKEN: Slack tells a bot or app token nothing about the app's settings"
EXPIRED = ("config tokens expire 12 hours after they are made: make a new one at api.slack.com/apps (Your App "
           "Configuration Tokens), or rotate it with tooling.tokens.rotate")
PASTE = "paste `sloth manifest` into the app's manifest (App Manifest in its settings) and save"


def read_config_token(env: Mapping[str, str], problems: list[str]) -> str | None:
    """SLACK_CONFIG_TOKEN, an app configuration access token; None when unset. Problems are appended."""
    value = env.get("SLACK_CONFIG_TOKEN", "").strip()
    if not value:
        return None
    if value.startswith("xoxe-"):
        problems.append("SLACK_CONFIG_TOKEN is a refresh token (xoxe-…): set the app configuration access token "
                        "(xoxe.xoxp-…) instead, or exchange the refresh token with tooling.tokens.rotate.")
    elif not value.startswith(CONFIG_PREFIX) or len(value) < len(CONFIG_PREFIX) + 4 or any(c.isspace() for c in value):
        problems.append("SLACK_CONFIG_TOKEN does not look like an app configuration token: "
                        f"it must start with '{CONFIG_PREFIX}'.")
    else:
        return value
    return None


def connect_on(settings: Settings, registry: Registry) -> bool:
    return oauth_problem(settings) is None and bool(registry.user_scopes())


def by_hand(settings: Settings, registry: Registry) -> list[Check]:
    """The lines when no config token is set: what to check in the app's settings."""
    wanted = manifest(registry, settings.command, public_url=settings.public_url)
    events = ", ".join(wanted["settings"]["event_subscriptions"]["bot_events"])
    checks = [
        skipped(INTERACTIVITY, NEEDS, "check that Interactivity & Shortcuts is on in the app's settings, or set "
                "SLACK_CONFIG_TOKEN (an app configuration token, xoxe.xoxp-…) to have it compared"),
        skipped(EVENTS, NEEDS, f"check that Event Subscriptions is on and lists the bot events {events}"),
    ]
    if settings.transport == "http":
        checks.append(skipped(REQUEST_URLS, NEEDS, f"check that Event Subscriptions, Interactivity & Shortcuts and "
                              f"the slash command {settings.command} all send to {request_url(settings.public_url)}, "
                              "and that Socket Mode is off"))
    if connect_on(settings, registry):
        checks.append(skipped(REDIRECT, NEEDS, f"check that OAuth & Permissions -> Redirect URLs lists "
                              f"{settings.public_url}/slack/oauth_redirect"))
    return checks


async def config_checks(client: AsyncWebClient | None, app_id: str | None, settings: Settings,
                        registry: Registry) -> list[Check]:
    if client is None:
        return by_hand(settings, registry)
    if app_id is None:
        return [skipped(CONFIG_TOKEN, "the app's ID is unknown (neither Socket Mode nor bots.info named it)")]
    try:
        answer = await client.apps_manifest_export(app_id=app_id)
    except SlackApiError as e:
        return [export_refused(e, app_id)]
    live = answer.get("manifest") or {}
    wanted = manifest(registry, settings.command, public_url=settings.public_url)
    checks = [ok(CONFIG_TOKEN, f"Slack exported the manifest of app {app_id} with it"),
              switch_check(live, settings.transport), interactivity_check(live), events_check(live, wanted),
              command_check(live, settings.command), scopes_check(live, wanted)]
    if settings.transport == "http":
        checks.append(request_urls_check(live, settings.command, request_url(settings.public_url)))
    if connect_on(settings, registry):
        checks.append(redirect_check(live, f"{settings.public_url}/slack/oauth_redirect"))
    return checks


def export_refused(e: SlackApiError, app_id: str) -> Check:
    code, _ = error_of(e)
    if code in TOKEN_ERRORS:
        return failed(CONFIG_TOKEN, f"Slack refused it ({code})", EXPIRED)
    if code == "not_allowed_token_type":
        return failed(CONFIG_TOKEN, "Slack refused it (not_allowed_token_type)",
                      "set an app configuration token (xoxe.xoxp-…), not a bot, user or app-level token")
    if code in ("app_not_found", "no_permission", "invalid_app_id"):
        return failed(CONFIG_TOKEN, f"apps.manifest.export of app {app_id} answered {code}",
                      "make the config token as a collaborator of this app, in the workspace it is installed in")
    return failed(CONFIG_TOKEN, f"apps.manifest.export answered {code}",
                  "see https://docs.slack.dev/reference/methods/apps.manifest.export")


def _settings(live: Mapping[str, Any]) -> Mapping[str, Any]:
    found = live.get("settings")
    return found if isinstance(found, Mapping) else {}


def switch_check(live: Mapping[str, Any], transport: str = "socket") -> Check:
    on = _settings(live).get("socket_mode_enabled") is True
    if transport == "http":
        if not on:
            return ok("Socket Mode setting", "off in the app's settings: Slack sends requests (HTTP mode)")
        return failed("Socket Mode setting", "on in the app's settings: Slack sends nothing to the request URLs",
                      "turn Socket Mode off in the app's settings, or " + PASTE)
    if on:
        return ok("Socket Mode setting", "on in the app's settings")
    return failed("Socket Mode setting", "off in the app's settings",
                  "turn Socket Mode on in the app's settings (Socket Mode -> Enable Socket Mode)")


def request_urls_check(live: Mapping[str, Any], command: str, expected: str) -> Check:
    """HTTP mode: events, interactivity and the slash command all go to `expected`."""
    found = {
        "Event Subscriptions": (_settings(live).get("event_subscriptions") or {}).get("request_url"),
        "Interactivity & Shortcuts": (_settings(live).get("interactivity") or {}).get("request_url"),
        command: next((c.get("url") for c in ((live.get("features") or {}).get("slash_commands") or [])
                       if c.get("command") == command), None),
    }
    wrong = [f"{where} ({url or 'none'})" for where, url in found.items() if url != expected]
    if not wrong:
        return ok(REQUEST_URLS, f"events, interactivity and {command} all go to {expected}")
    return failed(REQUEST_URLS, f"not sent to {expected}: {', '.join(wrong)}",
                  f"set each Request URL to {expected}, or {PASTE}")


def interactivity_check(live: Mapping[str, Any]) -> Check:
    interactivity = _settings(live).get("interactivity") or {}
    if interactivity.get("is_enabled") is True:
        return ok(INTERACTIVITY, "on: buttons reach Sloth")
    return failed(INTERACTIVITY, "off: Slack sends Sloth no button clicks (pages, games, Delete, Stop)",
                  "turn Interactivity on in the app's settings (Interactivity & Shortcuts), or " + PASTE)


def events_check(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> Check:
    have = set((_settings(live).get("event_subscriptions") or {}).get("bot_events") or [])
    need = wanted["settings"]["event_subscriptions"]["bot_events"]
    lacking = [e for e in need if e not in have]
    if not lacking:
        return ok(EVENTS, f"the app subscribes to all {len(need)} bot events Sloth listens to")
    return failed(EVENTS, f"the app does not subscribe to {', '.join(lacking)}",
                  f"add them under Event Subscriptions -> Subscribe to bot events, or {PASTE}")


def command_check(live: Mapping[str, Any], command: str) -> Check:
    declared = [c.get("command") for c in ((live.get("features") or {}).get("slash_commands") or [])]
    if command in declared:
        return ok(COMMAND, f"{command} is declared")
    listed = ", ".join(map(str, declared)) or "none"
    return failed(COMMAND, f"{command} is not among the app's slash commands ({listed})",
                  f"add {command} under Slash Commands, or set SLOTH_COMMAND to the one the app has")


def scopes_check(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> Check:
    scopes = (live.get("oauth_config") or {}).get("scopes") or {}
    lacking = [s for s in wanted["oauth_config"]["scopes"]["bot"] if s not in set(scopes.get("bot") or [])]
    lacking += [f"{s} (user)" for s in wanted["oauth_config"]["scopes"].get("user", [])
                if s not in set(scopes.get("user") or [])]
    if not lacking:
        return ok(APP_SCOPES, "the app asks for every scope Sloth needs")
    return failed(APP_SCOPES, f"the app does not ask for {', '.join(lacking)}",
                  f"add them under OAuth & Permissions -> Scopes, or {PASTE}; then reinstall the app")


def redirect_check(live: Mapping[str, Any], expected: str) -> Check:
    urls = [str(u) for u in ((live.get("oauth_config") or {}).get("redirect_urls") or [])]
    if expected in (u.rstrip("/") for u in urls):
        return ok(REDIRECT, f"{expected} is a registered redirect URL")
    parent = next((u for u in urls if expected.startswith(u.rstrip("/") + "/")), None)
    if parent is not None:
        # Reported of Slack (a redirect_uri below a registered URL is taken), not in its reference.
        return ok(REDIRECT, f"{expected} lies under the registered redirect URL {parent}")
    return failed(REDIRECT, f"{expected} is not among the app's redirect URLs ({', '.join(urls) or 'none'})",
                  f"add it under OAuth & Permissions -> Redirect URLs, or generate the manifest with "
                  f"`sloth manifest --public-url {expected.removesuffix('/slack/oauth_redirect')}`")
