"""Message content as Slack accepts it from chat.* and response_url posts (the newer blocks
checked as `sloth_emulator.block_rules` says)."""

from __future__ import annotations

import secrets
from typing import Any

from sloth_emulator.block_rules import MAX_MARKDOWN, block_problems, markdown_total, tables
from sloth_emulator.errors import ApiError
from sloth_emulator.model import Message
from sloth_emulator.view_rules import error

MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_ATTACHMENTS = 100


def _block_id() -> str:
    # Slack fills in a short random block_id when the app leaves it out.
    return secrets.token_urlsafe(3)[:4]


def _check_blocks(blocks: Any) -> list[dict[str, Any]]:
    if not isinstance(blocks, list) or not all(isinstance(b, dict) and b.get("type") for b in blocks):
        raise ApiError("invalid_blocks")
    if len(blocks) > MAX_BLOCKS:
        raise ApiError("invalid_blocks", response_metadata={"messages": ["[ERROR] no more than 50 items allowed"]})
    for number, block in enumerate(blocks):
        problem = context_actions_problem(block) if block["type"] == "context_actions" else None
        if problem:
            raise ApiError("invalid_blocks", response_metadata={"messages": [f"[ERROR] {problem} [json-pointer:"
                                                                             f"/blocks/{number}]"]})
    return [b if "block_id" in b else {**b, "block_id": _block_id()} for b in blocks]


def _plain(text: Any, limit: int) -> bool:
    return isinstance(text, dict) and text.get("type") == "plain_text" and isinstance(text.get("text"), str) \
        and 0 < len(text["text"]) <= limit


def _feedback_button_problem(button: Any) -> str | None:
    if not isinstance(button, dict) or not _plain(button.get("text"), 75):
        return "a feedback button needs plain_text text of at most 75 characters"
    if not isinstance(button.get("value"), str) or not 0 < len(button["value"]) <= 2000:
        return "a feedback button needs a value of at most 2000 characters"
    label = button.get("accessibility_label")
    if label is not None and (not isinstance(label, str) or len(label) > 75):
        return "accessibility_label must be at most 75 characters"
    return None


def context_actions_problem(block: dict[str, Any]) -> str | None:
    """What Slack's context actions block and feedback buttons element references forbid: 1 to 5
    elements, each feedback_buttons (positive_button and negative_button: plain_text text ≤ 75,
    value ≤ 2000, accessibility_label ≤ 75) or icon_button (icon, text)."""
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= 5:
        return "context_actions needs 1 to 5 elements"
    for element in elements:
        kind = element.get("type") if isinstance(element, dict) else None
        if kind == "feedback_buttons":
            for side in ("positive_button", "negative_button"):
                problem = _feedback_button_problem(element.get(side))
                if problem:
                    return f"{side}: {problem}"
        elif kind == "icon_button":
            if not isinstance(element.get("icon"), str) or not _plain(element.get("text"), 75):
                return "an icon_button needs an icon and plain_text text"
        else:
            return f"context_actions takes feedback_buttons and icon_button elements, not {kind!r}"
        if len(str(element.get("action_id", ""))) > 255:
            return "action_id must be at most 255 characters"
    return None


def _check_attachments(attachments: Any) -> list[dict[str, Any]]:
    if not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments):
        raise ApiError("invalid_attachments")
    if len(attachments) > MAX_ATTACHMENTS:
        raise ApiError("too_many_attachments")
    checked = []
    for number, attachment in enumerate(attachments, start=1):
        item = {**attachment, "id": number}
        if "blocks" in item:
            item["blocks"] = _check_blocks(item["blocks"])
        checked.append(item)
    return checked


def _check_newer(content: Message, refused: frozenset[str]) -> None:
    """The newer blocks of the message and of its attachments, and the kinds refused outright."""
    lists = [("/blocks", content.get("blocks") or [])]
    attachments = content.get("attachments") or []
    lists += [(f"/attachments/{n}/blocks", a.get("blocks") or []) for n, a in enumerate(attachments)]
    problems = [p for where, blocks in lists for p in block_problems(blocks, where, refused)]
    if markdown_total([blocks for _, blocks in lists]) > MAX_MARKDOWN:
        problems.append(error(f"markdown blocks must not exceed {MAX_MARKDOWN} characters in all", "/blocks"))
    if problems:
        # chat.* answers both lists (java-slack-sdk#1017 quotes an answer with `errors` and the messages)
        raise ApiError("invalid_blocks", errors=[p.removeprefix("[ERROR] ") for p in problems],
                       response_metadata={"messages": problems})
    if tables([blocks for _, blocks in lists]) > 1:
        raise ApiError("invalid_attachments", response_metadata={"messages": ["[ERROR] only_one_table_allowed"]})


def message_content(text: Any, blocks: Any, attachments: Any, *, require: bool = True,
                    markdown: Any = None, refused: frozenset[str] = frozenset()) -> Message:
    """Validated text/blocks/attachments; only the parts given are in the result. `refused`:
    block kinds the workspace does not take (`Emulator.refuse_block_types`).

    Raises ApiError with Slack's codes: no_text, msg_too_long, invalid_blocks, too_many_attachments,
    markdown_text_conflict, invalid_attachments (a second table). `markdown` is chat.*'s
    `markdown_text`, which the references say "should not be used in conjunction with `blocks` or
    `text`"; how Slack stores it is not documented, so it is kept as the message's text.
    """
    if markdown not in (None, ""):
        if text not in (None, "") or blocks not in (None, ""):
            raise ApiError("markdown_text_conflict")
        text = markdown
    content: Message = {}
    if text not in (None, ""):
        if len(str(text)) > MAX_TEXT:
            raise ApiError("msg_too_long")
        content["text"] = str(text)
    if blocks not in (None, ""):
        content["blocks"] = _check_blocks(blocks)
    if attachments not in (None, ""):
        content["attachments"] = _check_attachments(attachments)
    _check_newer(content, refused)
    if require and not (content.get("text") or content.get("blocks") or content.get("attachments")):
        raise ApiError("no_text")
    content.setdefault("text", "")
    return content

