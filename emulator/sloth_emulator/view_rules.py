"""What Slack refuses in a view (views.open, push, update, publish, and a view in a submission's
ack): every problem, each as Slack words it in `response_metadata.messages` of its
`invalid_arguments` answer, with the JSON pointer to the failing field.

Each rule and where it comes from:

- the view's fields: @slack/types `ModalView` and `HomeView` (views.ts) list them; Slack answers
  any other with "invalid additional property: submit_disabled [json-pointer:/view]" (an answer
  quoted in nicklambourne/slackblocks#36) and a missing one with "missing required field: …"
  (the wording of its answers for `trigger_id` and for a card's `slack_icon`);
- a modal's `title` is required, and it, `close` and `submit` are `plain_text` of at most 24
  characters (docs.slack.dev/reference/views/modal-views); too long: "must be less than 25
  characters [json-pointer:/view/title/text]" (quoted from a real answer); not plain text:
  "failed to match all allowed schemas [json-pointer:/view/title]" (slack-block-kit#3);
- a modal with an `input` block needs `submit`: "must define `submit` to use an `input` block in
  modals [json-pointer:/view/blocks/N/input]" (quoted from a real answer);
- at most 100 blocks ("no more than 100 items allowed", the wording Slack uses for too many
  options); `private_metadata` at most 3,000 characters, `callback_id` and `external_id` 255
  (the modal view reference);
- `block_id` at most 255 characters and unique in the view; `action_id` at most 255 and unique
  in its block (@slack/types `Block.block_id`, `Actionable.action_id`; Slack answers a repeated
  block_id with invalid_arguments, slack-go/slack#725: the message's wording here is ours);
- an input block has a `plain_text` `label` (at most 2,000), an optional `hint` (2,000) and an
  `element` of an input kind (@slack/types `InputBlock`, `InputBlockElement`; another kind is
  "unsupported type: …", as Slack words a block type it does not know);
- a placeholder is `plain_text` of at most 150 (`Placeholdable`); a static select has `options`
  or `option_groups`, 1 to 100 ("must provide at least 1 items", "no more than 100 items
  allowed [json-pointer:/view/blocks/0/element/options]", both quoted from real answers); an
  option's text and description at most 75, its value at most 150 (the option object reference;
  @slack/types still says 75, Slack's reference now 150: the emulator takes what Slack takes);
- a number input says `is_decimal_allowed` (@slack/types `NumberInput`, required there).

Other blocks (sections, the newer kinds) are looked at only for their ids.
"""

from __future__ import annotations

from typing import Any

MODAL_FIELDS = frozenset({"type", "title", "blocks", "close", "submit", "private_metadata", "callback_id",
                          "clear_on_close", "notify_on_close", "external_id"})
HOME_FIELDS = frozenset({"type", "blocks", "private_metadata", "callback_id", "external_id"})
INPUT_ELEMENTS = frozenset({
    "plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input", "file_input",
    "static_select", "multi_static_select", "external_select", "multi_external_select", "users_select",
    "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select",
    "multi_channels_select", "checkboxes", "radio_buttons", "datepicker", "timepicker", "datetimepicker",
})
SELECTS_WITH_OPTIONS = frozenset({"static_select", "multi_static_select"})
MAX_BLOCKS = 100
MAX_TITLE = 24
MAX_ID = 255
MAX_METADATA = 3000
MAX_LABEL = 2000
MAX_PLACEHOLDER = 150
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150


def error(message: str, pointer: str) -> str:
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def too_long(limit: int, pointer: str) -> str:
    return error(f"must be less than {limit + 1} characters", pointer)


def view_problems(view: dict[str, Any]) -> list[str]:
    """Every problem Slack would name in `view` (a dict whose `type` the caller has checked)."""
    problems: list[str] = []
    kind = view.get("type")
    allowed = MODAL_FIELDS if kind == "modal" else HOME_FIELDS
    problems += [error(f"invalid additional property: {k}", "/view") for k in view if k not in allowed]
    if kind == "modal":
        if "title" not in view:
            problems.append(error("missing required field: title", "/view"))
        for name in ("title", "close", "submit"):
            if name in view:
                problems += _plain_text(view[name], MAX_TITLE, f"/view/{name}")
    for name, limit in (("private_metadata", MAX_METADATA), ("callback_id", MAX_ID), ("external_id", MAX_ID)):
        if len(str(view.get(name) or "")) > limit:
            problems.append(too_long(limit, f"/view/{name}"))
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not all(isinstance(b, dict) and b.get("type") for b in blocks):
        return [*problems, error("failed to match all allowed schemas", "/view/blocks")]
    if len(blocks) > MAX_BLOCKS:
        problems.append(error(f"no more than {MAX_BLOCKS} items allowed", "/view/blocks"))
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"/view/blocks/{index}"
        problems += _ids(block, where, seen)
        if block["type"] == "input":
            if kind == "modal" and "submit" not in view:
                problems.append(error("must define `submit` to use an `input` block in modals", f"{where}/input"))
            problems += _input(block, where)
    return problems


def _plain_text(value: Any, limit: int, where: str) -> list[str]:
    if not isinstance(value, dict) or value.get("type") != "plain_text" or not isinstance(value.get("text"), str):
        return [error("failed to match all allowed schemas", where)]
    return [too_long(limit, f"{where}/text")] if len(value["text"]) > limit else []


def _ids(block: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    problems: list[str] = []
    block_id = block.get("block_id")
    if block_id is not None:
        if not isinstance(block_id, str) or len(block_id) > MAX_ID:
            problems.append(too_long(MAX_ID, f"{where}/block_id"))
        elif block_id in seen:
            problems.append(error(f"duplicate block_id: {block_id}", f"{where}/block_id"))
        else:
            seen.add(block_id)
    elements = [(f"{where}/elements/{i}", e) for i, e in enumerate(block.get("elements") or [])]
    elements += [(f"{where}/{key}", block[key]) for key in ("element", "accessory") if key in block]
    actions: set[str] = set()
    for pointer, element in elements:
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if action_id is None:
            continue
        if not isinstance(action_id, str) or len(action_id) > MAX_ID:
            problems.append(too_long(MAX_ID, f"{pointer}/action_id"))
        elif action_id in actions:
            problems.append(error(f"duplicate action_id: {action_id}", f"{pointer}/action_id"))
        actions.add(str(action_id))
    return problems


def _input(block: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if "label" not in block:
        problems.append(error("missing required field: label", where))
    else:
        problems += _plain_text(block["label"], MAX_LABEL, f"{where}/label")
    if "hint" in block:
        problems += _plain_text(block["hint"], MAX_LABEL, f"{where}/hint")
    element = block.get("element")
    if not isinstance(element, dict):
        return [*problems, error("missing required field: element", where)]
    if element.get("type") not in INPUT_ELEMENTS:
        return [*problems, error(f"unsupported type: {element.get('type')}", f"{where}/element/type")]
    return problems + element_problems(element, f"{where}/element")


def element_problems(element: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if "placeholder" in element:
        problems += _plain_text(element["placeholder"], MAX_PLACEHOLDER, f"{where}/placeholder")
    kind = element.get("type")
    if kind == "number_input" and not isinstance(element.get("is_decimal_allowed"), bool):
        problems.append(error("missing required field: is_decimal_allowed", where))
    if kind in SELECTS_WITH_OPTIONS:
        problems += _options(element, where)
    return problems


def _options(element: dict[str, Any], where: str) -> list[str]:
    if ("options" in element) == ("option_groups" in element):
        return [error("must provide exactly one of `options` or `option_groups`", where)]
    key = "options" if "options" in element else "option_groups"
    listed = element[key]
    if not isinstance(listed, list) or not listed:
        return [error("must provide at least 1 items", f"{where}/{key}")]
    if len(listed) > MAX_OPTIONS:
        return [error(f"no more than {MAX_OPTIONS} items allowed", f"{where}/{key}")]
    if key == "option_groups":
        problems: list[str] = []
        for index, group in enumerate(listed):
            problems += _options({"options": group.get("options") if isinstance(group, dict) else None},
                                 f"{where}/option_groups/{index}")
        return problems
    problems = []
    for index, found in enumerate(listed):
        pointer = f"{where}/options/{index}"
        if not isinstance(found, dict):
            problems.append(error("failed to match all allowed schemas", pointer))
            continue
        problems += _plain_text(found.get("text"), MAX_OPTION_TEXT, f"{pointer}/text")
        if "description" in found:
            problems += _plain_text(found["description"], MAX_OPTION_TEXT, f"{pointer}/description")
        if not isinstance(found.get("value"), str) or len(found["value"]) > MAX_OPTION_VALUE:
            problems.append(too_long(MAX_OPTION_VALUE, f"{pointer}/value"))
    return problems
