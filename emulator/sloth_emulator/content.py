"""Message content as Slack accepts it from chat.* and response_url posts."""

from __future__ import annotations

import secrets
from typing import Any

from sloth_emulator.errors import ApiError
from sloth_emulator.model import Message

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
    return [b if "block_id" in b else {**b, "block_id": _block_id()} for b in blocks]


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


def message_content(text: Any, blocks: Any, attachments: Any, *, require: bool = True,
                    markdown: Any = None) -> Message:
    """Validated text/blocks/attachments; only the parts given are in the result.

    Raises ApiError with Slack's codes: no_text, msg_too_long, invalid_blocks, too_many_attachments,
    markdown_text_conflict. `markdown` is chat.*'s `markdown_text`, which the references say
    "should not be used in conjunction with `blocks` or `text`"; how Slack stores it is not
    documented, so it is kept as the message's text.
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
    if require and not (content.get("text") or content.get("blocks") or content.get("attachments")):
        raise ApiError("no_text")
    content.setdefault("text", "")
    return content

