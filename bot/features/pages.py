"""One page of a long list at a time, with Previous/Next buttons that edit the same message.

A page button carries the command line and the page number, so turning a page re-runs the
command (through the same dispatch and permission checks) for that page. Whatever the command
lists comes from the directory cache or one Slack call, so this costs little.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from bot.features.invocation import Invocation
from bot.features.rerun import rerun_value
from bot.pure.blocks import actions, button, context_block

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
