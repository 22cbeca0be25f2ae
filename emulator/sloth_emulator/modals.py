"""A member submits a modal the app opened: the `view_submission` payload and what the ack does.

As Slack's references describe them (docs.slack.dev/reference/interaction-payloads/
view-interactions-payload, /reference/block-kit/blocks/input-block, /surfaces/modals): the
payload carries the view with `state.values` keyed by each input block's `block_id` and its
element's `action_id`, in the element's own shape (`value`, `selected_option`, `selected_user`,
`selected_date`…; null or empty when left blank). A member cannot submit a modal without a
submit button or with a required input left blank, so neither can a test. The app's ack answers
with nothing (the view closes and the one under it shows again), `response_action: "clear"`
(the whole stack closes), `"update"` (the view is replaced), `"push"` (a new view on top, at
most three), or `"errors"` (messages under named input blocks; the view stays open). Anything
else Slack refuses, showing the member an error and keeping the view: it is listed in
`Emulator.refused_view_responses`. So is an ack that came after Slack's 3 seconds, and a view
in the ack that views.open would refuse (`sloth_emulator.view_rules`).

A member who closes a modal (its close button, or the X) closes that view, or the whole stack
when it was opened with `clear_on_close`; Slack tells the app with a `view_closed` payload
(`is_cleared` true when the stack went) only when the view asked with `notify_on_close`.
A forged submission (`strict=False`: values no member could pick, metadata or a member that are
not the view's) is what an app defends against; Slack never sends one.
"""

from __future__ import annotations

import secrets
from typing import Any

from sloth_emulator.ids import new_id
from sloth_emulator.model import User
from sloth_emulator.payloads import VERIFICATION_TOKEN
from sloth_emulator.view_rules import view_problems
from sloth_emulator.workspace import Workspace

MAX_STACK = 3
ACK_SECONDS = 3.0  # after this Slack shows the member an error and ignores the ack
# element type -> (state key, whether it holds several): what `state.values` reports for each.
STATE_KEYS: dict[str, tuple[str, bool]] = {
    "plain_text_input": ("value", False), "email_text_input": ("value", False),
    "url_text_input": ("value", False), "number_input": ("value", False),
    "static_select": ("selected_option", False), "external_select": ("selected_option", False),
    "radio_buttons": ("selected_option", False), "checkboxes": ("selected_options", True),
    "multi_static_select": ("selected_options", True), "multi_external_select": ("selected_options", True),
    "users_select": ("selected_user", False), "multi_users_select": ("selected_users", True),
    "conversations_select": ("selected_conversation", False),
    "multi_conversations_select": ("selected_conversations", True),
    "channels_select": ("selected_channel", False), "multi_channels_select": ("selected_channels", True),
    "datepicker": ("selected_date", False), "timepicker": ("selected_time", False),
    "datetimepicker": ("selected_date_time", False),
}


def open_modal(ws: Workspace, view_id: str) -> dict[str, Any]:
    """The stored modal `view_id`, still open; ValueError otherwise."""
    stored = ws.views.get(view_id)
    if stored is None or stored["type"] != "modal":
        open_ones = sorted(v for v, found in ws.views.items() if found["type"] == "modal")
        raise ValueError(f"no open modal {view_id}; open ones: {open_ones}")
    return stored


def submitted_state(view: dict[str, Any], values: dict[str, Any], strict: bool = True) -> dict[str, Any]:
    """`state.values` for `values` keyed by input blocks' block_id or their element's action_id:
    a string (or list of strings for multi-selects and checkboxes; option values for selects),
    None to leave it blank; an input left out keeps the element's initial value, as the member
    saw it filled in. ValueError for what a member could not submit, unless not `strict` (a
    forged submission: a required input blank, an option the menu does not have)."""
    inputs = [b for b in view.get("blocks", []) if b.get("type") == "input" and isinstance(b.get("element"), dict)]
    unknown = set(values) - {b.get("block_id") for b in inputs} - {b["element"].get("action_id") for b in inputs}
    if unknown:
        raise ValueError(f"the modal has no input {sorted(unknown)}")
    state: dict[str, Any] = {}
    for block in inputs:
        element = block["element"]
        block_id, action_id = str(block.get("block_id", "")), str(element.get("action_id", ""))
        given = values[block_id] if block_id in values else values[action_id] if action_id in values else \
            initial(element)
        if given in (None, "", []) and not block.get("optional", False) and strict:
            raise ValueError(f"the input {block_id or action_id!r} is required: a member cannot submit it blank")
        state.setdefault(block_id, {})[action_id] = {"type": element["type"],
                                                     **element_state(element, given, strict)}
    return {"values": state}


def initial(element: dict[str, Any]) -> Any:
    """What an element shows filled in before the member touches it (its `initial_*` field)."""
    key, several = STATE_KEYS.get(element.get("type", ""), ("", False))
    found = element.get(key.replace("selected_", "initial_") if key != "value" else "initial_value")
    if key in ("selected_option", "selected_options") and found is not None:
        return [o.get("value") for o in found] if several else found.get("value")
    return found


def element_state(element: dict[str, Any], given: Any, strict: bool = True) -> dict[str, Any]:
    if element["type"] not in STATE_KEYS:
        raise ValueError(f"input elements of type {element['type']!r} are not emulated")
    key, several = STATE_KEYS[element["type"]]
    chosen = [] if given is None else list(given) if isinstance(given, list | tuple) else [given]
    if not several and len(chosen) > 1:
        raise ValueError(f"{element.get('action_id')!r} takes one value, not {chosen}")
    if key in ("selected_option", "selected_options"):
        options = [o for g in element.get("option_groups", []) for o in g.get("options", [])]
        options += element.get("options", [])
        picked = [next((o for o in options if o.get("value") == str(v)),
                       None if strict else {"text": {"type": "plain_text", "text": str(v)}, "value": str(v)})
                  for v in chosen]
        if None in picked:
            raise ValueError(f"{element.get('action_id')!r} has no option {chosen}")
        chosen = picked
    if several:
        return {key: chosen}
    return {key: chosen[0] if chosen else None}


def submission_payload(ws: Workspace, view: dict[str, Any], user: User, trigger_id: str) -> dict[str, Any]:
    shown = {k: v for k, v in view.items() if k != "user"}
    return {
        "type": "view_submission", "team": {"id": ws.team.id, "domain": ws.team.domain},
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.team.id},
        "api_app_id": ws.app_id, "token": VERIFICATION_TOKEN, "trigger_id": trigger_id, "view": shown,
        "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    }


def apply_ack(ws: Workspace, submitted: dict[str, Any], answer: Any) -> str | None:
    """Carry out the app's ack of the submission of the view `submitted` (as the payload carried
    it); why Slack would refuse the ack, or None."""
    view_id = str(submitted["id"])
    stored = ws.views.get(view_id)
    if stored is None:
        return "the view is no longer open"
    if not answer:
        del ws.views[view_id]
        return None
    if not isinstance(answer, dict):
        return "the ack's payload is not an object"
    action = answer.get("response_action")
    if action == "clear":
        for other in [v for v, s in ws.views.items() if s["root_view_id"] == stored["root_view_id"]]:
            del ws.views[other]
        return None
    if action == "errors":
        refused = _check_errors(stored, answer.get("errors"))
        if refused is None:
            stored["state"] = submitted["state"]  # the member's input stays, under the messages
        return refused
    if action in ("update", "push"):
        view = answer.get("view")
        if not isinstance(view, dict) or view.get("type") != "modal":
            return f"response_action {action} needs a modal view"
        problems = view_problems(view)
        if problems:
            return f"response_action {action} with a view Slack refuses: {'; '.join(problems)}"
        if action == "update":
            ws.views[view_id] = view_record(ws, view, view_id, stored["user"], stored["root_view_id"],
                                            stored["previous_view_id"])
            return None
        stack = [s for s in ws.views.values() if s["root_view_id"] == stored["root_view_id"]]
        if len(stack) >= MAX_STACK:
            return "push_limit_reached"
        pushed = new_id("V")
        ws.views[pushed] = view_record(ws, view, pushed, stored["user"], stored["root_view_id"], view_id)
        return None
    return f"unknown response_action {action!r}"


def close(ws: Workspace, view_id: str) -> tuple[dict[str, Any], bool]:
    """A member closes the open modal `view_id`: (the view as it was, whether the whole stack was
    cleared). The view under it, if any, shows again."""
    stored = open_modal(ws, view_id)
    cleared = bool(stored.get("clear_on_close"))
    gone = [v for v, s in ws.views.items() if s["root_view_id"] == stored["root_view_id"]] if cleared else [view_id]
    for found in gone:
        del ws.views[found]
    return stored, cleared


def closed_payload(ws: Workspace, view: dict[str, Any], user: User, cleared: bool) -> dict[str, Any]:
    shown = {k: v for k, v in view.items() if k != "user"}
    return {
        "type": "view_closed", "team": {"id": ws.team.id, "domain": ws.team.domain},
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.team.id},
        "api_app_id": ws.app_id, "token": VERIFICATION_TOKEN, "view": shown, "is_cleared": cleared,
        "is_enterprise_install": False, "enterprise": None,
    }


def _check_errors(stored: dict[str, Any], errors: Any) -> str | None:
    inputs = {b.get("block_id") for b in stored.get("blocks", []) if b.get("type") == "input"}
    if not isinstance(errors, dict) or not errors:
        return "response_action errors needs an `errors` object"
    if not set(errors) <= inputs:
        return f"errors name blocks that are not input blocks of the view: {sorted(set(errors) - inputs)}"
    return None


def view_record(ws: Workspace, view: dict[str, Any], view_id: str, user: str, root: str,
                previous: str | None) -> dict[str, Any]:
    """A view as the workspace keeps it: as views.* answer it, plus the member it is open for."""
    stored = {"id": view_id, "team_id": ws.team.id, "type": view["type"], "blocks": view.get("blocks", []),
              "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
              "external_id": str(view.get("external_id", "")), "state": {"values": {}},
              "hash": f"{ws.now()}.{secrets.token_hex(4)}",
              "clear_on_close": bool(view.get("clear_on_close", False)),
              "notify_on_close": bool(view.get("notify_on_close", False)),
              "root_view_id": root, "previous_view_id": previous, "app_id": ws.app_id, "bot_id": ws.bot_id}
    for optional in ("title", "submit", "close"):
        if optional in view:
            stored[optional] = view[optional]
    return stored | {"user": user}
