"""Standard Markdown as Slack's mrkdwn, for a `markdown` block a workspace refuses.

Parsed by markdown-it-py (CommonMark, with tables and strikethrough, raw HTML off) and written
back as mrkdwn: `**bold**` as `*bold*`, `_em_` as `_em_`, `~~gone~~` as `~gone~`, `[label](url)` as
`<url|label>`, headings as bold lines, lists with `•` and numbers, quotes with `>`, code kept in
backticks, a table as one line per row. `&`, `<` and `>` are escaped, except in Slack's own
references (`<@U…>`, `<#C…>`, `<!…>`), which pass as written: what may ping is the guard's to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

SLACK_REFERENCE = re.compile(r"(<[@#!][^<>\s][^<>]*>)")


def markdown_mrkdwn(text: str) -> str:
    """`text` (standard Markdown) as mrkdwn."""
    from markdown_it import MarkdownIt  # only a refused markdown block needs the parser

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    writer = _Writer()
    for token in parser.parse(text):
        writer.take(token)
    return "\n".join(writer.lines).strip("\n")


def escape_text(text: str) -> str:
    """`&`, `<` and `>` escaped for mrkdwn, Slack's references left whole."""
    parts = SLACK_REFERENCE.split(text)
    return "".join(p if i % 2 else p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   for i, p in enumerate(parts))


@dataclass
class _Writer:
    lines: list[str] = field(default_factory=list)
    lists: list[int | None] = field(default_factory=list)  # a number per ordered list, None per bullet list
    quotes: int = 0
    marker: str | None = None  # the next line starts a list item
    heading: bool = False
    row: list[str] | None = None
    in_head: bool = False

    def take(self, token: Token) -> None:
        kind = token.type
        if kind == "inline":
            self.inline(inline(token.children or []))
        elif kind == "heading_open":
            self.heading = True
        elif kind == "heading_close":
            self.heading = False
            self.gap()
        elif kind == "paragraph_close" and not self.lists:
            self.gap()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append(int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
            if not self.lists:
                self.gap()
        elif kind == "list_item_open":
            number = self.lists[-1]
            self.marker = "• " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] = number + 1
        elif kind == "blockquote_open":
            self.quotes += 1
        elif kind == "blockquote_close":
            self.quotes -= 1
            self.gap()
        elif kind in ("fence", "code_block"):
            self.line("```\n" + token.content.rstrip("\n").replace("&", "&amp;").replace("<", "&lt;")
                      .replace(">", "&gt;") + "\n```")
            self.gap()
        elif kind == "hr":
            self.line("———")
            self.gap()
        else:
            self.table(kind)

    def table(self, kind: str) -> None:
        if kind == "thead_open":
            self.in_head = True
        elif kind == "thead_close":
            self.in_head = False
        elif kind == "tr_open":
            self.row = []
        elif kind == "tr_close" and self.row is not None:
            self.line(" · ".join(self.row))
            self.row = None
        elif kind == "table_close":
            self.gap()

    def inline(self, text: str) -> None:
        if self.row is not None:
            self.row.append(f"*{text}*" if self.in_head and text else text)
        elif self.heading:
            self.line(f"*{text}*")
        else:
            self.line(text)

    def line(self, text: str) -> None:
        indent = "    " * max(0, len(self.lists) - 1)
        if self.marker is not None:
            text, self.marker = indent + self.marker + text, None
        elif self.lists:
            text = indent + "   " + text  # a list item's later paragraph
        quote = "> " * self.quotes
        self.lines += [quote + part for part in text.split("\n")]

    def gap(self) -> None:
        if self.lines and not self.lines[-1].strip("> "):
            self.lines[-1] = ">" if self.quotes else ""  # a quote's blank line ends with the quote
        elif self.lines:
            self.lines.append(">" if self.quotes else "")


def inline(children: list[Token]) -> str:
    out: list[str] = []
    links: list[tuple[str, int]] = []
    marks = {"strong": "*", "em": "_", "s": "~"}
    for token in children:
        kind = token.type
        if kind == "text":
            out.append(escape_text(token.content))
        elif kind == "code_inline":
            out.append("`" + token.content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "`")
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind.endswith(("_open", "_close")) and kind.rsplit("_", 1)[0] in marks:
            out.append(marks[kind.rsplit("_", 1)[0]])
        elif kind == "link_open":
            links.append((_address(str(token.attrGet("href") or "")), len(out)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            label = "".join(out[start:]).replace("|", "¦")
            del out[start:]
            out.append(f"<{href}|{label}>" if label and label != href else f"<{href}>")
        elif kind == "image":
            alt = escape_text(token.content or "image").replace("|", "¦")
            out.append(f"<{_address(str(token.attrGet('src') or ''))}|{alt}>")
    return "".join(out)


def _address(url: str) -> str:
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")
