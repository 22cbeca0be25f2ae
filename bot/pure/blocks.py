"""What a handler says, independent of where it is said: a `Reply`, and Block Kit's blocks as
plain dicts (each cut to what Slack accepts in that field)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Reply:
    """A message to send back.

    `ephemeral=None` means the natural default for the source: only the asker sees a slash
    command's answer; a mention is answered in its channel or thread; a DM in the DM.
    `replace` applies to button clicks: edit the clicked message instead of adding one.
    `outputs` are what a Workflow Builder step hands the workflow's next steps (`Step(outputs=...)`).
    """

    text: str
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    ephemeral: bool | None = None
    replace: bool = True
    metadata: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None

    def private(self) -> Reply:
        return replace(self, ephemeral=True)


def notice(text: str) -> Reply:
    """A private answer of one section, seen only by the asker; after a button press it comes
    below the message instead of replacing it."""
    return Reply(text=text, blocks=[section(text)], ephemeral=True, replace=False)


def section(text: str, accessory: dict[str, Any] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}
    if accessory:
        block["accessory"] = accessory
    return block


def fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A section of up to 10 label/value fields."""
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": f"*{label}*\n{value}"[:2000]} for label, value in pairs[:10]],
    }


def context_block(*texts: str) -> dict[str, Any]:
    """Slack's `context` block: small grey lines under a message (up to 10)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:3000]} for t in texts[:10]]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def image(url: str, alt: str) -> dict[str, Any]:
    return {"type": "image", "image_url": url, "alt_text": alt[:2000] or "image"}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block
