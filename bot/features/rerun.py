"""Buttons that run a command again: the command line travels in the button's value.

Previous/Next on a long list and "Join and try again" both carry the line the member typed, so
pressing them runs it again through the same dispatch, permission checks and guard (the core
feature, `bot.runtime.core_feature`, answers the presses).

- Pages: one page of a long list at a time, the button carrying the line and the page number.
  Whatever the command lists comes from the directory cache or one Slack call, so this costs little.
- Joining: a handler raises `NotInChannel` (or calls `raise_if_not_in` on Slack's error) for a
  public channel Sloth is not in; dispatch answers with the offer, whose button joins and runs
  the same line again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot.features.invocation import Invocation
from bot.pure.blocks import Reply, actions, button, context_block, section
from bot.pure.errors import UserError
from bot.pure.text import escape

MAX_LINE = 1900  # a button's value holds at most 2,000 characters


def rerun_value(line: str, **extra: Any) -> str:
    return json.dumps({"c": line[:MAX_LINE], **extra}, separators=(",", ":"))


def read_rerun(value: str) -> tuple[str, dict[str, Any]] | None:
    """(the command line, the rest of the state), or None for a value no Sloth button made."""
    try:
        state = json.loads(value)
    except ValueError:
        return None
    if not isinstance(state, dict) or not isinstance(state.get("c"), str):
        return None
    return state.pop("c"), state


# -- pages of a long list ---------------------------------------------------------------------

T = TypeVar("T")
PAGE_ACTIONS = ("sloth_page_prev", "sloth_page_next")


def page_of(items: Sequence[T], page: int, per_page: int) -> tuple[Sequence[T], int, int]:
    """The slice for `page` (clamped), the page actually shown, and the number of pages."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(0, page), pages - 1)
    return items[page * per_page : (page + 1) * per_page], page, pages


def nav_blocks(inv: Invocation, page: int, pages: int, total: int, noun: str) -> list[dict[str, Any]]:
    summary = context_block(f"Page {page + 1} of {pages} · {total:,} {noun}")
    if pages <= 1:
        return [summary]
    buttons = []
    if page > 0:
        buttons.append(button("◀ Previous", PAGE_ACTIONS[0], rerun_value(inv.line, p=page - 1)))
    if page < pages - 1:
        buttons.append(button("Next ▶", PAGE_ACTIONS[1], rerun_value(inv.line, p=page + 1)))
    return [summary, actions(*buttons, block_id="sloth_pages")]


# -- joining a channel first ------------------------------------------------------------------

JOIN_ACTION = "sloth_join_retry"


class NotInChannel(UserError):
    """Sloth is not a member of the public channel `channel_id`; the user is offered to let it join."""

    def __init__(self, channel_id: str, name: str, doing: str = "do that there") -> None:
        super().__init__(f"I'm not a member of #{escape(name)}.")
        self.channel_id = channel_id
        self.name = name
        self.doing = doing


def raise_if_not_in(error: SlackApiError, channel: dict[str, object]) -> None:
    """Turn Slack's not_in_channel for `channel` into NotInChannel; other errors pass through."""
    if error.response.get("error") == "not_in_channel":
        raise NotInChannel(str(channel["id"]), str(channel.get("name") or channel["id"])) from error


def join_offer(inv: Invocation, error: NotInChannel) -> Reply:
    name = escape(error.name)
    text = f"I'm not in #{name} yet, so I can't {error.doing}. Shall I join it?"
    value = rerun_value(inv.line, ch=error.channel_id)
    blocks = [section(text), actions(button(f"Join #{name[:50]} and try again", JOIN_ACTION, value, style="primary"))]
    return Reply(text=text, blocks=blocks, ephemeral=True, replace=False)
