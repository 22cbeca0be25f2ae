"""Confirming a changing tool call with the member who asked, before anything runs.

The model's word alone never runs a tool marked `changes`: Sloth posts what exactly will be done
(the command as the member would type it) with Confirm and Cancel buttons. The call itself is
kept in the store under a random id (namespace `agent`, 15 minutes); the buttons carry only that
id, so a forged press cannot change what runs, and a press by anyone but the asker is refused.
A confirmation runs once: taking it from the store is a compare-and-set.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from bot.pure.text import shown
from bot.store import Namespaced

CONFIRM = "sloth_agent:confirm"
CANCEL = "sloth_agent:cancel"
FEEDBACK = "sloth_agent:feedback"
KEEP_SECONDS = 15 * 60


@dataclass(frozen=True)
class Pending:
    member: str
    channel: str
    thread: str | None
    tool: str
    arguments: dict[str, Any]
    what: str  # the command as the member would type it


def confirmation_blocks(key: str, pending: Pending, slash: str) -> list[dict[str, Any]]:
    said = f"<@{pending.member}>, shall I run this for you?\n`{shown(f'{slash} {pending.what}'.strip(), 500)}`"
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": said}},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": CONFIRM, "value": key, "style": "primary",
             "text": {"type": "plain_text", "text": "Confirm"}},
            {"type": "button", "action_id": CANCEL, "value": key, "text": {"type": "plain_text", "text": "Cancel"}}]},
    ]


class Confirmations:
    def __init__(self, store: Namespaced) -> None:
        self.store = store

    async def add(self, pending: Pending) -> str:
        key = secrets.token_urlsafe(18)
        await self.store.set(f"confirm:{key}", {"member": pending.member, "channel": pending.channel,
                                                 "thread": pending.thread, "tool": pending.tool,
                                                 "arguments": pending.arguments, "what": pending.what},
                             ttl=KEEP_SECONDS)
        return key

    async def peek(self, key: str) -> Pending | None:
        found = await self.store.get(f"confirm:{key}") if key else None
        if not isinstance(found, dict) or found.get("taken"):
            return None
        return Pending(member=str(found["member"]), channel=str(found["channel"]), thread=found.get("thread"),
                       tool=str(found["tool"]), arguments=dict(found["arguments"]), what=str(found["what"]))

    async def take(self, key: str) -> bool:
        """Mark it used; False when it already was (a second press, another replica's)."""
        found = await self.store.get(f"confirm:{key}")
        if not isinstance(found, dict) or found.get("taken"):
            return False
        return await self.store.compare_and_set(f"confirm:{key}", found, {**found, "taken": True}, ttl=KEEP_SECONDS)
