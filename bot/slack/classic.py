"""The newer blocks as older ones, and a message's blocks kept to what Slack takes as a whole.

`classic_blocks` says the same with sections, context and actions for a workspace (or client)
that refuses a newer kind: a table as one line per row (the header in bold, rich-text cells
keeping their links), a markdown block as mrkdwn sections, an alert as a section led by a sign
of its level, a card as a section with its image and an actions block with its buttons, a
carousel as its cards. `fit_blocks` applies the limits that hold for a whole message: the
markdown blocks share 12,000 characters (the markdown block's reference) and a message holds one
table (Slack's Block Kit guidance: "only one table block per message"); what is past them is said
the classic way. Both keep a message to 50 blocks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from bot.pure.blocks import MAX_MARKDOWN, actions, context_block, divider, section
from bot.pure.text import escape
from bot.slack.mrkdwn import markdown_mrkdwn

NEW_KINDS = frozenset({"table", "markdown", "alert", "card", "carousel"})
MAX_BLOCKS = 50
SECTION = 3000
SIGNS = {"info": "ℹ️", "warning": "⚠️", "error": "🚫", "success": "✅", "default": "📣"}


def kinds_in(blocks: Iterable[Any]) -> set[str]:
    """The newer kinds among `blocks` (a carousel's cards included)."""
    found: set[str] = set()
    for block in blocks:
        if isinstance(block, dict) and block.get("type") in NEW_KINDS:
            found.add(str(block["type"]))
            if block["type"] == "carousel":
                found |= kinds_in(block.get("elements") or [])
    return found


def classic_blocks(blocks: list[dict[str, Any]], kinds: Collection[str] = NEW_KINDS) -> list[dict[str, Any]]:
    """`blocks` with every block of `kinds` said with older blocks."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        out += _classic(block, kinds) if isinstance(block, dict) and block.get("type") in kinds else [block]
    return _at_most(out, len(blocks))


def fit_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`blocks` kept to a message's limits: markdown past the 12,000 characters all the markdown
    blocks share, and every table after the first, said the classic way."""
    budget, tables = MAX_MARKDOWN, 0
    out: list[dict[str, Any]] = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "markdown":
            size = len(str(block.get("text") or ""))
            if size <= budget:
                budget -= size
                out.append(block)
                continue
        elif kind == "table":
            tables += 1
            if tables == 1:
                out.append(block)
                continue
        else:
            out.append(block)
            continue
        out += _classic(block, NEW_KINDS)
    return _at_most(out, len(blocks)) if out != blocks else blocks


def _classic(block: dict[str, Any], kinds: Collection[str]) -> list[dict[str, Any]]:
    kind = block.get("type")
    if kind == "table":
        return _sections(table_lines(block))
    if kind == "markdown":
        return _sections(markdown_mrkdwn(str(block.get("text") or "")).split("\n"))
    if kind == "alert":
        return [_alert(block)]
    if kind == "card":
        return _card(block)
    out: list[dict[str, Any]] = []  # a carousel
    for number, card in enumerate(block.get("elements") or []):
        if number:
            out.append(divider())
        out += _card(card) if isinstance(card, dict) else []
    return out


def table_lines(block: dict[str, Any]) -> list[str]:
    """A table's rows as mrkdwn lines, cells apart by ` · `, the first (the header) in bold."""
    rows = [[cell_mrkdwn(c) for c in row] for row in block.get("rows") or [] if isinstance(row, list)]
    if rows:
        rows[0] = [f"*{text}*" if text and not text.startswith("*") else text for text in rows[0]]
    return [" · ".join(row) for row in rows]


def cell_mrkdwn(cell: Any) -> str:
    if not isinstance(cell, dict):
        return ""
    if cell.get("type") == "raw_text":
        return escape(str(cell.get("text") or ""))  # raw text shows as typed: nothing in it is markup
    return rich_mrkdwn(cell.get("elements") or [])


def rich_mrkdwn(elements: list[Any]) -> str:
    """Rich text (sections, lists, quotes, preformatted) as mrkdwn: styles, links, mentions, emoji."""
    parts: list[str] = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind in ("rich_text_section", "rich_text_quote", "rich_text_preformatted"):
            inner = rich_mrkdwn(element.get("elements") or [])
            parts.append({"rich_text_quote": "> ", "rich_text_preformatted": "```"}.get(str(kind), "") + inner
                         + ("```" if kind == "rich_text_preformatted" else ""))
        elif kind == "rich_text_list":
            parts.append("\n".join("• " + rich_mrkdwn([item]) for item in element.get("elements") or []))
        else:
            parts.append(_rich_element(element))
    return "".join(parts)


def _rich_element(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "link":
        label = escape(str(element.get("text") or "")).replace("|", "¦")
        text = f"<{element.get('url')}|{label}>" if label else f"<{element.get('url')}>"
    elif kind == "user":
        text = f"<@{element.get('user_id')}>"
    elif kind == "channel":
        text = f"<#{element.get('channel_id')}>"
    elif kind == "usergroup":
        text = f"<!subteam^{element.get('usergroup_id')}>"
    elif kind == "broadcast":
        text = f"<!{element.get('range', 'here')}>"
    elif kind == "emoji":
        return f":{element.get('name')}:"
    elif kind == "date":
        return escape(str(element.get("fallback") or element.get("timestamp") or ""))
    else:
        text = escape(str(element.get("text") or ""))  # rich text's text is literal
    found = element.get("style")
    style: dict[str, Any] = found if isinstance(found, dict) else {}
    for name, mark in (("code", "`"), ("strike", "~"), ("italic", "_"), ("bold", "*")):
        if style.get(name) and text:
            text = f"{mark}{text}{mark}"
    return text


def _alert(block: dict[str, Any]) -> dict[str, Any]:
    given = block.get("text")
    text: dict[str, Any] = given if isinstance(given, dict) else {"type": "mrkdwn", "text": ""}
    sign = SIGNS.get(str(block.get("level") or "default"), SIGNS["default"])
    return {"type": "section", "text": {**text, "text": f"{sign} {text.get('text', '')}"[:SECTION]}}


def _card(card: dict[str, Any]) -> list[dict[str, Any]]:
    lines = []
    for key, mark in (("title", "*"), ("subtitle", "_"), ("body", "")):
        value = card.get(key)
        if isinstance(value, dict) and value.get("text"):
            lines.append(f"{mark}{value['text']}{mark}")
    image = card.get("hero_image") or card.get("icon")
    accessory = image if isinstance(image, dict) and image.get("type") == "image" else None
    out = [section("\n".join(lines) or " ", accessory)] if lines or accessory else []
    buttons = [b for b in card.get("actions") or [] if isinstance(b, dict)]
    if buttons:
        out.append(actions(*buttons))
    return out


def _sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines as sections of at most 3,000 characters each (a longer line split at a space)."""
    chunks: list[str] = []
    for line in (piece for whole in lines for piece in _pieces(whole)):
        if chunks and len(chunks[-1]) + 1 + len(line) <= SECTION:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return [section(chunk) for chunk in chunks if chunk.strip()] or [section(" ")]


def _pieces(line: str) -> list[str]:
    pieces = []
    while len(line) > SECTION:
        cut = line.rfind(" ", SECTION // 2, SECTION)
        cut = cut if cut > 0 else SECTION
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    return [*pieces, line]


def _at_most(blocks: list[dict[str, Any]], given: int) -> list[dict[str, Any]]:
    """At most 50 blocks: what the classic way spread past them is cut, and says so."""
    if len(blocks) <= MAX_BLOCKS or given > MAX_BLOCKS:
        return blocks
    return [*blocks[: MAX_BLOCKS - 1], context_block("… shortened to fit one Slack message")]
