"""Modals and their inputs as plain dicts, each text cut to what Slack takes in that field.

Limits from Slack's view and Block Kit references (docs.slack.dev/reference/views/modal-views,
/reference/block-kit/blocks/input-block, /reference/block-kit/composition-objects/option-object)
and @slack/types (`ModalView`, `InputBlock`, `PlainTextOption`, `Placeholdable`): a title, submit
and close of at most 24 characters, 100 blocks, `private_metadata` of 3,000 and `callback_id` and
ids of 255; an input's label and hint 2,000; a placeholder 150; an option's text and description
75; a static select 100 options. Text is cut with an ellipsis; what cannot be cut without changing
its meaning (an option's value, metadata, too many blocks or options) raises ValueError, so the
mistake shows where the view is built instead of as Slack's `invalid_arguments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_VIEW_BLOCKS = 100
MAX_TITLE = 24  # a modal's title, and the text of its submit and close buttons
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255  # callback_id, block_id, action_id
MAX_LABEL = 2000  # an input block's label and hint
MAX_PLACEHOLDER = 150
MAX_OPTION_TEXT = 75  # an option's text and description
# Slack's reference now says 150; @slack/types (and Slack's older reference) say 75: keep to both.
MAX_OPTION_VALUE = 75
MAX_OPTIONS = 100  # options of a static select, and option groups


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit - 1` characters and an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def plain_text(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def modal(title: str, blocks: Sequence[dict[str, Any]], *, submit: str | None = None, close: str = "Cancel",
          callback_id: str = "", private_metadata: str = "", notify_on_close: bool = False) -> dict[str, Any]:
    """A modal view. Slack wants a `submit` button on any modal that has an input block."""
    if len(blocks) > MAX_VIEW_BLOCKS:
        raise ValueError(f"a modal holds at most {MAX_VIEW_BLOCKS} blocks, not {len(blocks)}")
    if len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError(f"private_metadata holds at most {MAX_PRIVATE_METADATA} characters")
    if len(callback_id) > MAX_ID:
        raise ValueError(f"a callback_id holds at most {MAX_ID} characters")
    view: dict[str, Any] = {"type": "modal", "title": plain_text(title, MAX_TITLE), "blocks": list(blocks),
                            "close": plain_text(close, MAX_TITLE)}
    if submit is not None:
        view["submit"] = plain_text(submit, MAX_TITLE)
    elif any(b.get("type") == "input" for b in blocks):
        raise ValueError("a modal with an input block needs a submit button")
    if callback_id:
        view["callback_id"] = callback_id
    if private_metadata:
        view["private_metadata"] = private_metadata
    if notify_on_close:
        view["notify_on_close"] = True
    return view


def input_block(block_id: str, label: str, element: dict[str, Any], *, hint: str = "",
                optional: bool = False) -> dict[str, Any]:
    """An input block; in a form, `block_id` names the value it holds (a parameter's name)."""
    if len(block_id) > MAX_ID:
        raise ValueError(f"a block_id holds at most {MAX_ID} characters")
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain_text(label, MAX_LABEL),
                             "element": element, "optional": optional}
    if hint:
        block["hint"] = plain_text(hint, MAX_LABEL)
    return block


def option(text: str, value: str, description: str = "") -> dict[str, Any]:
    if len(value) > MAX_OPTION_VALUE:
        raise ValueError(f"an option's value holds at most {MAX_OPTION_VALUE} characters: {value[:20]!r}…")
    found: dict[str, Any] = {"text": plain_text(text, MAX_OPTION_TEXT), "value": value}
    if description:
        found["description"] = plain_text(description, MAX_OPTION_TEXT)
    return found


def _placed(element: dict[str, Any], placeholder: str) -> dict[str, Any]:
    if placeholder:
        element["placeholder"] = plain_text(placeholder, MAX_PLACEHOLDER)
    return element


def text_input(action_id: str = "value", *, multiline: bool = False, placeholder: str = "",
               initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    return _placed(element, placeholder)


def number_input(action_id: str = "value", *, minimum: int | None = None, maximum: int | None = None,
                 initial: int | None = None, placeholder: str = "") -> dict[str, Any]:
    """A whole number (Slack's client refuses one outside the bounds before it is submitted)."""
    element: dict[str, Any] = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": False}
    if minimum is not None:
        element["min_value"] = str(minimum)
    if maximum is not None:
        element["max_value"] = str(maximum)
    if initial is not None:
        element["initial_value"] = str(initial)
    return _placed(element, placeholder)


def static_select(options: Sequence[dict[str, Any]] = (), action_id: str = "value", *, placeholder: str = "",
                  groups: Sequence[tuple[str, Sequence[dict[str, Any]]]] = ()) -> dict[str, Any]:
    """A menu of `options`, or of option `groups` (label, options); members can type to filter it."""
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id}
    if groups:
        if len(groups) > MAX_OPTIONS or any(len(found) > MAX_OPTIONS for _, found in groups):
            raise ValueError(f"a select holds at most {MAX_OPTIONS} groups of at most {MAX_OPTIONS} options")
        element["option_groups"] = [{"label": plain_text(label, MAX_OPTION_TEXT), "options": list(found)}
                                    for label, found in groups]
    else:
        if not options or len(options) > MAX_OPTIONS:
            raise ValueError(f"a select holds 1 to {MAX_OPTIONS} options, not {len(options)}")
        element["options"] = list(options)
    return _placed(element, placeholder)


def users_select(action_id: str = "value", *, placeholder: str = "") -> dict[str, Any]:
    """A member picker: Slack lists the members the person filling it in can see."""
    return _placed({"type": "users_select", "action_id": action_id}, placeholder)


def conversations_select(action_id: str = "value", *, placeholder: str = "", current: bool = False,
                         include: Sequence[str] = ("public", "private")) -> dict[str, Any]:
    """A conversation picker: Slack lists only the conversations the person filling it in can see
    (of the kinds in `include`); `current` starts it on the one they opened the form from."""
    element: dict[str, Any] = {"type": "conversations_select", "action_id": action_id,
                               "filter": {"include": list(include), "exclude_bot_users": True}}
    if current:
        element["default_to_current_conversation"] = True
    return _placed(element, placeholder)
