"""A submitted view's values as the text a member would have typed, by input block.

`view.state.values` holds, per input block and element, what was entered in the element's own
shape (`value`, `selected_option`, `selected_user`, `selected_conversations`, …; Slack's view
interaction payload reference). Each becomes what the slash command's text would hold there:
typed text escaped as Slack escapes a slash command's text (`&`, `<`, `>`), a picked member
`<@U…>`, a picked conversation `<#C…>`, an option its value; a picker answering with something
that is not an ID is passed on escaped, so the parser refuses it like any bad value. Pure.
"""

from __future__ import annotations

import re
from typing import Any

from bot.pure.text import escape

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CONVERSATION_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
USERS = ("selected_user", "selected_users")
CONVERSATIONS = ("selected_conversation", "selected_conversations", "selected_channel", "selected_channels")
OPTIONS = ("selected_option", "selected_options")
OTHERS = ("value", "selected_date", "selected_time", "selected_date_time")


def submitted_fields(view: dict[str, Any], action_id: str = "value") -> dict[str, str | None]:
    """Each input block's value as typed text (None when left blank), by block_id. A block with
    several elements is read by `action_id`."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    found: dict[str, str | None] = {}
    if not isinstance(values, dict):
        return found
    for block_id, elements in values.items():
        if not isinstance(block_id, str) or not isinstance(elements, dict) or not elements:
            continue
        element = elements.get(action_id) if action_id in elements else (
            next(iter(elements.values())) if len(elements) == 1 else None)
        found[block_id] = as_typed(element) if isinstance(element, dict) else None
    return found


def as_typed(element: dict[str, Any]) -> str | None:
    for key in USERS:
        if key in element:
            return _joined(element[key], lambda v: f"<@{v}>" if USER_ID.match(v) else escape(v))
    for key in CONVERSATIONS:
        if key in element:
            return _joined(element[key], lambda v: f"<#{v}>" if CONVERSATION_ID.match(v) else escape(v))
    for key in OPTIONS:
        if key in element:
            chosen = element[key]
            picked = chosen if isinstance(chosen, list) else [chosen]
            return _joined([o.get("value") for o in picked if isinstance(o, dict)], escape)
    for key in OTHERS:
        if key in element:
            return _joined(element[key], escape)
    return None


def _joined(value: Any, spell: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    words = [spell(str(item)) for item in items if isinstance(item, str | int | float) and str(item) != ""]
    return " ".join(words) if words else None
