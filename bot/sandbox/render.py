"""Drawing Slack messages in a terminal with rich: pure functions of the message.

Sections, fields, headers, context, images (as links), rich text, attachments with their colour
bar, the newer blocks (a table as a table, markdown as Markdown, an alert in a box of its level's
colour, cards and carousels), and buttons numbered so the sandbox can press them by number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.slack.classic import SIGNS, cell_mrkdwn, rich_mrkdwn

COLOURS = {"good": "green", "warning": "yellow", "danger": "red"}
LEVELS = {"info": "blue", "warning": "yellow", "error": "red", "success": "green", "default": "white"}


@dataclass(frozen=True)
class Button:
    """A button drawn on screen, pressable by its number."""

    number: int
    channel: str
    ts: str
    action_id: str
    label: str
    url: str = ""  # a link button: pressing it opens the address, as Slack does
    view: str = ""  # a button of a view (the Home tab): pressed in that view, not in a message
    value: str | None = None  # what the press sends, when the button says (feedback buttons)


def mrkdwn(text: str, names: Callable[[str], str]) -> Text:
    """Slack mrkdwn to rich Text: *bold*, _italic_, `code`, links, mentions, dates."""
    text = re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>", lambda m: "@" + (m.group(2) or names(m.group(1))), text)
    text = re.sub(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>", lambda m: "#" + (m.group(2) or names(m.group(1))), text)
    text = re.sub(r"<!(\w+)(?:\|([^>]*))?>", lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = re.sub(r"<([^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r"<([^>]+)>", r"\1", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    out = Text()
    for part in re.split(r"(```[\s\S]+?```|`[^`]+`|\*[^*\n]+\*|\b_[^_\n]+_\b)", text):
        if part.startswith("```") and part.endswith("```") and len(part) > 6:
            out.append(part[3:-3].strip("\n"), style="cyan")
        elif part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(part[1:-1], style="cyan")
        elif part.startswith("*") and part.endswith("*") and len(part) > 1:
            out.append(part[1:-1], style="bold")
        elif part.startswith("_") and part.endswith("_") and len(part) > 1:
            out.append(part[1:-1], style="italic")
        else:
            out.append(part)
    return out


class Renderer:
    """Turns messages into renderables, numbering buttons as it goes.

    `saved(file_id)` tells where the sandbox saved an uploaded file's bytes, if it did.
    """

    def __init__(self, names: Callable[[str], str], saved: Callable[[str], str | None] = lambda _: None) -> None:
        self.names = names
        self.saved = saved
        self.buttons: list[Button] = []

    def message(self, message: dict[str, Any], channel: str, title: str) -> RenderableType:
        parts: list[RenderableType] = []
        ts = str(message.get("ts", ""))
        blocks = message.get("blocks") or []
        if blocks:
            parts.extend(self.blocks(blocks, channel, ts))
        elif message.get("text"):
            parts.append(mrkdwn(message["text"], self.names))
        for attachment in message.get("attachments") or []:
            parts.append(self.attachment(attachment, channel, ts))
        parts.extend(self.file(f) for f in message.get("files") or [])
        return Panel(Group(*parts), title=title, title_align="left", border_style="bright_black")

    def attachment(self, attachment: dict[str, Any], channel: str, ts: str) -> RenderableType:
        parts: list[RenderableType] = []
        for key, style in (("pretext", ""), ("title", "bold")):
            if attachment.get(key):
                parts.append(Text(str(attachment[key]), style=style))
        if attachment.get("text"):
            parts.append(mrkdwn(attachment["text"], self.names))
        if attachment.get("fields"):
            parts.append(self.field_table([(f.get("title", ""), f.get("value", "")) for f in attachment["fields"]]))
        parts.extend(self.blocks(attachment.get("blocks") or [], channel, ts))
        if attachment.get("image_url"):
            parts.append(Text(f"[image] {attachment['image_url']}", style="blue underline"))
        if attachment.get("footer"):
            parts.append(Text(str(attachment["footer"]), style="dim"))
        colour = str(attachment.get("color", "bright_black"))
        colour = COLOURS.get(colour, colour if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) else "bright_black")
        return Panel(Group(*parts) if parts else Text(attachment.get("fallback", "")), border_style=colour)

    def blocks(self, blocks: list[dict[str, Any]], channel: str, ts: str) -> list[RenderableType]:
        out: list[RenderableType] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                out.append(Text(block["text"]["text"], style="bold underline"))
            elif kind == "section":
                out.append(self.section(block, channel, ts))
            elif kind == "context":
                texts = [e.get("text", "") if e.get("type") != "image" else "🖼" for e in block.get("elements", [])]
                out.append(mrkdwn("  ".join(texts), self.names).copy())
                out[-1].stylize("dim")  # type: ignore[union-attr]
            elif kind == "divider":
                out.append(Text("─" * 40, style="bright_black"))
            elif kind == "image":
                out.append(self.image(block))
            elif kind == "actions":
                out.append(self.buttons_line(block.get("elements", []), channel, ts))
            elif kind == "context_actions":
                out.append(self.feedback_line(block.get("elements", []), channel, ts))
            elif kind == "rich_text":
                out.append(mrkdwn(rich_mrkdwn(block.get("elements") or []), self.names))
            elif kind in ("table", "markdown", "alert", "card", "carousel"):
                out.append(self.newer(block, channel, ts))
        return out

    def newer(self, block: dict[str, Any], channel: str, ts: str) -> RenderableType:
        kind = block["type"]
        if kind == "table":
            return self.table(block)
        if kind == "markdown":
            return Markdown(str(block.get("text") or ""))
        if kind == "alert":
            level = str(block.get("level") or "default")
            text = mrkdwn(f"{SIGNS.get(level, '')} {(block.get('text') or {}).get('text', '')}", self.names)
            return Panel(text, border_style=LEVELS.get(level, "white"))
        cards = block.get("elements") or [] if kind == "carousel" else [block]
        return Group(*[self.card(card, channel, ts) for card in cards if isinstance(card, dict)])

    def table(self, block: dict[str, Any]) -> Table:
        """A table block: its first row the header, each column aligned as its settings say."""
        rows = [row for row in block.get("rows") or [] if isinstance(row, list)]
        settings = block.get("column_settings") or []
        drawn = Table(show_header=bool(rows), header_style="bold", border_style="bright_black")
        for number in range(max((len(r) for r in rows), default=0)):
            setting = settings[number] if number < len(settings) and isinstance(settings[number], dict) else {}
            head = cell_mrkdwn(rows[0][number]) if number < len(rows[0]) else ""
            drawn.add_column(mrkdwn(head, self.names), justify=setting.get("align", "left"),
                             no_wrap=not setting.get("is_wrapped", False), overflow="fold")
        for row in rows[1:]:
            drawn.add_row(*[mrkdwn(cell_mrkdwn(c), self.names) for c in row])
        return drawn

    def card(self, card: dict[str, Any], channel: str, ts: str) -> Panel:
        parts: list[RenderableType] = []
        for key, style in (("title", "bold"), ("subtitle", "italic"), ("body", "")):
            if isinstance(card.get(key), dict):
                text = mrkdwn(str(card[key].get("text", "")), self.names)
                if style:
                    text.stylize(style)
                parts.append(text)
        image = card.get("hero_image") or card.get("icon")
        if isinstance(image, dict):
            parts.append(self.image(image))
        if card.get("actions"):
            parts.append(self.buttons_line(card["actions"], channel, ts))
        return Panel(Group(*parts), border_style="bright_black")

    def section(self, block: dict[str, Any], channel: str, ts: str) -> RenderableType:
        parts: list[RenderableType] = []
        if block.get("text"):
            parts.append(mrkdwn(block["text"].get("text", ""), self.names))
        if block.get("fields"):
            pairs = []
            for field in block["fields"]:
                label, _, value = field.get("text", "").partition("\n")
                pairs.append((label.strip("*"), value))
            parts.append(self.field_table(pairs))
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "image":
            parts.append(self.image(accessory))
        elif accessory.get("type") == "button":
            parts.append(self.buttons_line([accessory], channel, ts))
        return Group(*parts)

    def file(self, file: dict[str, Any]) -> Text:
        """An uploaded file: name, kind and size, and where to open it."""
        if file.get("mode") == "tombstone":
            return Text("📎 (a deleted file)", style="dim")
        line = Text("📎 ").append(str(file.get("title") or file.get("name") or "file"), style="bold")
        line.append(f"  {file.get('pretty_type', 'file')} · {_size(int(file.get('size') or 0))}", style="dim")
        where = self.saved(str(file.get("id", "")))
        if where:
            line.append(f"\n   saved to {where}", style="blue")
        return line

    def image(self, element: dict[str, Any]) -> Text:
        return Text(f"[image: {element.get('alt_text', '')}] {element.get('image_url', '')}", style="blue")

    def field_table(self, pairs: list[tuple[str, str]]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for label, value in pairs:
            table.add_row(label, mrkdwn(value, self.names))
        return table

    def buttons_line(self, elements: list[dict[str, Any]], channel: str, ts: str) -> Text:
        line = Text()
        for element in elements:
            if element.get("type") != "button":
                continue
            number = len(self.buttons) + 1
            label = element.get("text", {}).get("text", "?")
            url = str(element.get("url", ""))
            self.buttons.append(Button(number, channel, ts, element.get("action_id", ""), label, url))
            style = {"primary": "bold green", "danger": "bold red"}.get(element.get("style", ""), "bold")
            line.append(f"[{number}] ", style="magenta").append(label, style=style)
            if url:
                line.append(" ↗", style="blue")
            line.append("   ")
        return line


    def feedback_line(self, elements: list[dict[str, Any]], channel: str, ts: str) -> Text:
        """A context_actions block's feedback buttons: 👍 and 👎, each pressed by its number with its value."""
        line = Text()
        for element in elements:
            if element.get("type") != "feedback_buttons":
                continue
            for key, sign in (("positive_button", "👍"), ("negative_button", "👎")):
                found = element.get(key) or {}
                number = len(self.buttons) + 1
                label = f"{sign} {found.get('text', {}).get('text', '')}".strip()
                self.buttons.append(Button(number, channel, ts, element.get("action_id", ""), label,
                                           value=found.get("value")))
                line.append(f"[{number}] ", style="magenta").append(label, style="bold").append("   ")
        return line


def _size(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB" if size < 1024**2 else f"{size / 1024**2:.1f} MB"
