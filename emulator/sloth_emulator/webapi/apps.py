"""The app itself: apps.manifest.export (its configuration, for app configuration tokens) and
bots.info (its bot user, and which app that bot belongs to)."""

from __future__ import annotations

import re

from sloth_emulator.app_config import exported
from sloth_emulator.shapes import avatar_hash
from sloth_emulator.webapi.context import CONFIG_ONLY, Answer, ApiError, Call, Method, missing_field

APP_ID = re.compile(r"^A[A-Z0-9]{2,}$")


def manifest_export(call: Call) -> Answer:
    """apps.manifest.export: `app_id` is required; its reference lists invalid_app_id ("The app
    ID passed is invalid") and app_not_found ("The specified app was not found"), told apart here
    as a malformed ID and a well-formed one of no app in this workspace. Its facts name no scope;
    only app configuration tokens are taken (others: not_allowed_token_type, see WebApi)."""
    app_id = call.text("app_id")
    if not app_id:
        raise missing_field("app_id")
    if not APP_ID.match(app_id):
        raise ApiError("invalid_app_id")
    if app_id != call.ws.app_id:
        raise ApiError("app_not_found")
    # Socket Mode is off once the app takes requests at a request URL (HTTP delivery).
    socket_mode_on = not call.emu.hub.link_disabled and call.emu.request_url is None
    return {"manifest": exported(call.emu.app_manifest, socket_mode_on)}


def bots_info(call: Call) -> Answer:
    """bots.info: the reference marks `bot` optional but lists missing_argument ("A required
    argument is missing"), so a call without it is refused; an unknown ID is bot_not_found."""
    bot_id = call.text("bot")
    if not bot_id:
        raise ApiError("missing_argument")
    user = next((u for u in call.ws.users.values() if u.bot_id == bot_id), None)
    if user is None:
        raise ApiError("bot_not_found")
    digest = avatar_hash(user.id)
    return {"bot": {"id": bot_id, "deleted": user.deleted, "name": user.real_name, "updated": user.updated,
                    "app_id": user.app_id or call.ws.app_id, "user_id": user.id,
                    "icons": {f"image_{s}": f"https://avatars.slack-edge.com/emulator/{digest}_{s}.png"
                              for s in (36, 48, 72)}}}


METHODS: dict[str, Method] = {
    "apps.manifest.export": Method(manifest_export, CONFIG_ONLY),
    "bots.info": Method(bots_info),
}
