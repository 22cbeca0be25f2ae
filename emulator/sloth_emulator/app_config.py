"""The app's configuration at Slack, as apps.manifest.export reports it.

At Slack this is whatever was pasted or clicked in the app's settings; the emulator cannot know
it, so by default it describes an app whose settings match what its tokens can do: Socket Mode
and interactivity on, the Home and Messages tabs on, the bot token's scopes, no event
subscriptions, shortcuts, functions or redirect URLs. Tests set
`Emulator.app_manifest` to the manifest they mean (usually `sloth manifest`'s).

The shape follows apps.manifest.export's reference example (`_metadata` with major_version 1,
minor_version 1, then display_information, features, oauth_config, settings) and node-slack-sdk's
`AppsManifestExportResponse` type, in which every field is optional.
"""

from __future__ import annotations

import copy
from typing import Any

from sloth_emulator.scopes import every_scope
from sloth_emulator.workspace import Workspace

Manifest = dict[str, Any]


def default_manifest(ws: Workspace, bot_scopes: frozenset[str] | None) -> Manifest:
    bot = ws.bot_user
    scopes = bot_scopes if bot_scopes is not None else every_scope("bot")
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": bot.real_name},
        "features": {"bot_user": {"display_name": bot.name, "always_online": True},
                     "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True}},
        "oauth_config": {"scopes": {"bot": sorted(scopes)}},
        "settings": {"interactivity": {"is_enabled": True}, "org_deploy_enabled": False,
                     "socket_mode_enabled": True, "token_rotation_enabled": False},
    }


def exported(manifest: Manifest, socket_mode_on: bool) -> Manifest:
    """A copy for the wire. Socket Mode is one switch in the app's settings: when it was turned
    off (a `link_disabled` disconnect), the manifest says so too."""
    out = copy.deepcopy(manifest)
    out.setdefault("_metadata", {"major_version": 1, "minor_version": 1})
    out.setdefault("settings", {})["socket_mode_enabled"] = socket_mode_on and bool(
        out["settings"].get("socket_mode_enabled", True))
    return out
