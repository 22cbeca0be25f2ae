"""The Slack app manifest, generated from the command registry: the slash command, the shortcuts
(Sloth's own and every feature's message shortcuts), the Home tab, the events and scopes, and a
Workflow Builder step (`functions`) for every command that declares one (`bot.features.functions`).
Custom steps need an org-ready app (`org_deploy_enabled`), as Slack's custom-step guide says."""

from __future__ import annotations

from typing import Any

import yaml

from bot.features.functions import functions
from bot.features.registry import Registry
from bot.features.surfaces import MENU_SHORTCUT

# What every Sloth install needs, whatever its commands: to hear mentions and DMs and answer.
BASE_SCOPES = {"app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write", "users:read"}
# Mentions and DMs, and members opening the Home tab (neither needs a scope of its own).
BOT_EVENTS = ["app_mention", "app_home_opened", "message.im"]
# A feature listening to `message` hears the channels Sloth is in, public and private.
CHANNEL_MESSAGES = {"message.channels": "channels:history", "message.groups": "groups:history"}


SHORTCUTS = [{"name": "Sloth…", "type": "global", "callback_id": MENU_SHORTCUT,
              "description": "Pick one of Sloth's commands and fill in its form"}]

# Where members' browsers come back after approving `connect`: SLOTH_PUBLIC_URL + this path.
PLACEHOLDER_URL = "https://sloth.example.com"


def manifest(registry: Registry, command: str = "/sloth", name: str = "Sloth",
             public_url: str = PLACEHOLDER_URL, transport: str = "socket", agent: bool = False) -> dict[str, Any]:
    """The app's manifest. `transport="http"`: Socket Mode off, and Slack sends events,
    interactivity and the slash command to `public_url`/slack/events (bot.http.slack).
    `agent` (a model is configured, SLOTH_MODEL): Sloth is an agent in its Messages tab, with
    Slack's agent view, its events and `assistant:write` (suggested prompts, a thread's title)."""
    declared = registry.event_types()
    events = set(BOT_EVENTS) | {e for e in declared if e not in ("message", "app_mention")}
    scopes = BASE_SCOPES | registry.bot_scopes()
    if "message" in declared:
        events |= set(CHANNEL_MESSAGES)
        scopes |= set(CHANNEL_MESSAGES.values())
    steps = functions(registry.steps())
    if steps:
        events.add("function_executed")
    if agent:
        events |= {"assistant_thread_started", "assistant_thread_context_changed"}
        scopes.add("assistant:write")
    oauth: dict[str, Any] = {"scopes": {"bot": sorted(scopes)}}
    user_scopes = registry.user_scopes()
    if user_scopes:
        oauth["scopes"]["user"] = sorted(user_scopes)
        oauth["redirect_urls"] = [f"{public_url.rstrip('/')}/slack/oauth_redirect"]
    slash: dict[str, Any] = {
        "command": command,
        "description": "Ask Sloth about the workspace, or tell it what to do",
        "usage_hint": "help | " + " | ".join(c.name for c in registry.listed() if c.name != "help")[:900],
        "should_escape": True,
    }
    subscriptions: dict[str, Any] = {"bot_events": sorted(events)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if transport == "http":
        url = request_url(public_url)
        slash["url"] = subscriptions["request_url"] = interactivity["request_url"] = url
    shortcuts = [dict(s) for s in SHORTCUTS]
    shortcuts += [{"name": d.name, "type": "message", "callback_id": d.callback_id,
                   "description": d.description or d.name} for d, _ in registry.shortcuts.values()]
    made: dict[str, Any] = {
        "display_information": {
            "name": name,
            "description": "Answers questions about your workspace: team, channels, members, history and files.",
            "background_color": "#4a3b2c",
        },
        "features": {
            "bot_user": {"display_name": name.lower(), "always_online": True},
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "slash_commands": [slash],
            "shortcuts": shortcuts,
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": bool(steps),
            "socket_mode_enabled": transport != "http",
            "token_rotation_enabled": False,
        },
    }
    if steps:
        made["functions"] = steps
    if agent:
        made["features"]["assistant_view"] = {
            "assistant_description": "Ask Sloth in plain words: it answers with its commands, as you, and asks "
                                     "before it changes anything.",
            "suggested_prompts": []}
    return made


def request_url(public_url: str) -> str:
    """Where Slack sends every request in HTTP mode: one URL for events, interactivity and commands."""
    return f"{public_url.rstrip('/')}/slack/events"


def manifest_yaml(registry: Registry, command: str = "/sloth", public_url: str = PLACEHOLDER_URL,
                  transport: str = "socket", agent: bool = False) -> str:
    header = "# Generated by `sloth manifest` from Sloth's command registry; do not edit by hand.\n"
    if transport == "http":
        header += f"# HTTP mode: Slack sends events, interactivity and {command} to {request_url(public_url)}.\n"
        if not public_url.startswith("https://"):
            header += "# Slack sends requests only to https URLs: serve Sloth behind https and use that address.\n"
    elif public_url == PLACEHOLDER_URL:
        header += "# For `connect`, generate yours with `sloth manifest --public-url <SLOTH_PUBLIC_URL>`.\n"
    data = manifest(registry, command, public_url=public_url, transport=transport, agent=agent)
    return header + yaml.safe_dump(data, sort_keys=False, width=120, allow_unicode=True)
