"""views.open, views.push, views.update, views.publish: modals and Home tabs.

As Slack's method references (docs.slack.dev/reference/methods/views.*) describe them: open and
push take a fresh `trigger_id` (or `interactivity_pointer`) from a slash command or a click and a
modal (`title` required, at most 100 blocks); push stacks onto the member's open modal, at most
three deep (`push_limit_reached`); update finds the view by `view_id` or `external_id`
(`not_found`) and refuses a stale `hash` (`hash_conflict`); publish sets a member's Home tab
(bot tokens only, a `home` view, `invalid_arguments` "invalid `user_id`" for an unknown
member, `not_enabled` when the app's settings have the Home tab off, `view_too_large` past 250 KB;
the method's reference lists both). An `external_id` is unique in the team
(`duplicate_external_id`). No scope is needed.
A view Slack would refuse (`sloth_emulator.view_rules`: its fields, limits and ids) answers
`invalid_arguments` with every problem and its JSON pointer in `response_metadata.messages`.
"""

from __future__ import annotations

import json
from typing import Any

from sloth_emulator.ids import new_id
from sloth_emulator.modals import view_record
from sloth_emulator.tokens import TokenKind
from sloth_emulator.view_rules import view_problems
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method, missing_field

MAX_STACK = 3
MAX_VIEW_BYTES = 250_000  # views.publish: "greater than 250kb" is view_too_large
BOT_ONLY: frozenset[TokenKind] = frozenset({"bot"})


def invalid(*messages: str) -> ApiError:
    return ApiError("invalid_arguments", response_metadata={
        "messages": [m if m.startswith("[ERROR]") else f"[ERROR] {m}" for m in messages]})


def checked_view(call: Call, kinds: tuple[str, ...]) -> dict[str, Any]:
    if "view" not in call.args or call.args.get("view") in (None, ""):
        raise missing_field("view")
    view = call.structured("view", "invalid_arguments")
    if not isinstance(view, dict) or view.get("type") not in kinds:
        raise invalid("failed to match all allowed schemas [json-pointer:/view]")
    problems = view_problems(view)
    if problems:
        raise invalid(*problems)
    return view


def stored_view(call: Call, view: dict[str, Any], view_id: str, user: str, root: str, previous: str | None) -> Answer:
    ws = call.ws
    external = str(view.get("external_id", ""))
    if external and any(v["external_id"] == external and v["id"] != view_id for v in ws.views.values()):
        raise ApiError("duplicate_external_id")
    ws.views[view_id] = view_record(ws, {**view, "external_id": external}, view_id, user, root, previous)
    return {"view": {k: v for k, v in ws.views[view_id].items() if k != "user"}}


def _trigger_user(call: Call) -> str:
    trigger_id = call.text("trigger_id") or call.text("interactivity_pointer")
    if not trigger_id:
        raise missing_field("trigger_id")
    return call.emu.triggers.use(trigger_id)


def views_open(call: Call) -> Answer:
    user = _trigger_user(call)
    view = checked_view(call, ("modal",))
    view_id = new_id("V")
    return stored_view(call, view, view_id, user, view_id, None)


def views_push(call: Call) -> Answer:
    user = _trigger_user(call)
    view = checked_view(call, ("modal",))
    modals = [v for v in call.ws.views.values() if v["user"] == user and v["type"] == "modal"]
    if not modals:
        raise ApiError("not_found")  # nothing open to push onto
    top = modals[-1]
    if sum(1 for v in modals if v["root_view_id"] == top["root_view_id"]) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    return stored_view(call, view, new_id("V"), user, top["root_view_id"], top["id"])


def views_update(call: Call) -> Answer:
    view_id, external = call.text("view_id"), call.text("external_id")
    if not (view_id or external):
        raise missing_field("view_id")
    found = call.ws.views.get(view_id) if view_id else \
        next((v for v in call.ws.views.values() if v["external_id"] == external), None)
    if found is None:
        raise ApiError("not_found")
    view = checked_view(call, (found["type"],))
    view = {"external_id": found["external_id"], **view}  # kept unless the new view names another
    if call.text("hash") and call.text("hash") != found["hash"]:
        raise ApiError("hash_conflict")
    return stored_view(call, view, found["id"], found["user"], found["root_view_id"], found["previous_view_id"])


def views_publish(call: Call) -> Answer:
    user_id = call.text("user_id")
    if not user_id:
        raise missing_field("user_id")
    user = call.ws.user(user_id)
    if user is None or user.deleted:
        raise invalid("invalid `user_id`")
    view = checked_view(call, ("home",))
    if not ((call.emu.app_manifest.get("features") or {}).get("app_home") or {}).get("home_tab_enabled"):
        raise ApiError("not_enabled")
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        raise ApiError("view_too_large")
    home = next((v for v in call.ws.views.values() if v["user"] == user.id and v["type"] == "home"), None)
    if home is not None and call.text("hash") and call.text("hash") != home["hash"]:
        raise ApiError("hash_conflict")
    view_id = home["id"] if home is not None else new_id("V")
    return stored_view(call, view, view_id, user.id, view_id, None)


METHODS: dict[str, Method] = {
    "views.open": Method(views_open),
    "views.push": Method(views_push),
    "views.update": Method(views_update),
    "views.publish": Method(views_publish, BOT_ONLY),
}
