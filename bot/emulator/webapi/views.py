"""views.open: modals need a fresh trigger_id from a slash command or a click."""

from __future__ import annotations

import secrets

from bot.emulator.ids import new_id
from bot.emulator.webapi.context import Answer, ApiError, Call, Method


def views_open(call: Call) -> Answer:
    trigger_id = call.text("trigger_id")
    if not trigger_id:
        raise ApiError("invalid_arguments",
                       response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]})
    user_id = call.emu.triggers.use(trigger_id)
    view = call.structured("view", "invalid_arguments")
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home") or "title" not in view:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] invalid view"]})
    ws = call.ws
    view_id = new_id("V")
    stored = {"id": view_id, "team_id": ws.team.id, "type": view["type"], "title": view["title"],
              "blocks": view.get("blocks", []), "private_metadata": view.get("private_metadata", ""),
              "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
              "state": {"values": {}}, "hash": f"{ws.now()}.{secrets.token_hex(4)}",
              "clear_on_close": bool(view.get("clear_on_close", False)),
              "notify_on_close": bool(view.get("notify_on_close", False)),
              "root_view_id": view_id, "previous_view_id": None, "app_id": ws.app_id, "bot_id": ws.bot_id}
    for optional in ("submit", "close"):
        if optional in view:
            stored[optional] = view[optional]
    ws.views[view_id] = stored | {"user": user_id}
    return {"view": stored}


METHODS: dict[str, Method] = {"views.open": Method(views_open)}
