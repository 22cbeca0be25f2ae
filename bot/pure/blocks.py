"""What a handler says, independent of where it is said: a `Reply`, and Block Kit's blocks as
plain dicts (each cut to what Slack accepts in that field).

The newer blocks (`table`, `markdown`, `alert`) keep to the limits Slack publishes for them:
@slack/types' `TableBlock` (100 rows of at most 20 cells, raw_text or rich_text, at most 20
column settings), `AlertBlock` (a text object and one of five levels) and the markdown block's
reference (12,000 characters for all markdown blocks of one message, which `bot.slack.classic`
keeps to when a message holds several). Where a workspace refuses them, Sloth sends the same
content as older blocks (`bot.slack.classic`, `bot.slack.fallback`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.pure.dates import DATE_AND_TIME, date_fallback


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


def notice(text: str, level: str | None = None) -> Reply:
    """A private answer of one block, seen only by the asker; after a button press it comes
    below the message instead of replacing it. A section, or with `level` ("info", "warning",
    "error", "success") Slack's alert of that level: a refusal or a failure reads as one."""
    block = section(text) if level is None else alert(text, level)
    return Reply(text=text, blocks=[block], ephemeral=True, replace=False)


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


# -- the newer blocks -------------------------------------------------------------------------

MAX_TABLE_ROWS = 100  # the header row included
MAX_TABLE_CELLS = 20  # per row; column settings too
MAX_MARKDOWN = 12_000  # for all the markdown blocks of one message together
ALERT_LEVELS = ("default", "info", "warning", "error", "success")
ALIGNS = ("left", "center", "right")
Cell = str | dict[str, Any]


def cell(text: str, *, url: str | None = None, bold: bool = False, emoji: str | None = None,
         at: float | None = None) -> dict[str, Any]:
    """One table cell: plain text (`raw_text`, shown as typed: no mrkdwn, so nothing to escape),
    or rich text when it links somewhere (`url`), is bold, starts with an `emoji` (a name,
    `"tada"` or `":tada:"`) or is a moment (`at`, a Unix time each reader sees in their own time
    zone; `text` is shown where the time cannot be). A cell holds at least one character: an empty
    one shows "–"."""
    name = (emoji or "").strip(":")
    if at is not None and (fallback := date_fallback(at)) is not None:
        moment = {"type": "date", "timestamp": int(at), "format": DATE_AND_TIME, "fallback": fallback}
        return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [moment]}]}
    text = text or ("" if name else "–")
    if url is None and not bold and not name:
        return {"type": "raw_text", "text": text}
    elements: list[dict[str, Any]] = [{"type": "emoji", "name": name}] if name else []
    if text:
        element: dict[str, Any] = {"type": "link", "url": url, "text": text} if url else {"type": "text", "text": text}
        if name:
            element["text"] = " " + text
        if bold:
            element["style"] = {"bold": True}
        elements.append(element)
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}


def table(rows: Sequence[Sequence[Cell]], *, header: Sequence[str] | None = None,
          align: Sequence[str | None] = (), wrap: Sequence[bool] = ()) -> dict[str, Any]:
    """Slack's `table` block: `rows` of cells (text, or `cell(...)`), under an optional `header`
    row (Slack draws a table's first row as its header). `align` ("left", "center", "right")
    and `wrap` describe the first columns.

    Slack takes 100 rows (the header counts) of 20 cells: cells past the 20th are left out, and
    past the 100th row the last row kept says how many were left out. A page of a long list
    belongs in one table (`page_of`), the rest behind the Next button."""
    width = min(MAX_TABLE_CELLS, max([len(header or ())] + [len(r) for r in rows] + [1]))
    body = [_row(r, width) for r in rows]
    room = MAX_TABLE_ROWS - (1 if header else 0)
    if len(body) > room:
        left_out = len(body) - room + 1
        body = [*body[: room - 1], _row([f"… and {left_out:,} more"], width)]
    top = [_row(list(header), width)] if header else []
    block: dict[str, Any] = {"type": "table", "rows": top + body}
    settings = [_column(a, w) for a, w in zip(_padded(align, width), _padded(wrap, width), strict=True)]
    while settings and settings[-1] == {}:
        settings.pop()  # columns past the settings given keep Slack's defaults
    if settings:
        block["column_settings"] = settings
    return block


def _row(cells: Sequence[Cell], width: int) -> list[dict[str, Any]]:
    row = [c if isinstance(c, dict) else cell(c) for c in cells[:width]]
    return row + [cell("")] * (width - len(row))  # every row as wide as the widest


def _padded(values: Sequence[Any], width: int) -> list[Any]:
    return list(values[:width]) + [None] * (width - len(values[:width]))


def _column(align: str | None, wrap: bool | None) -> dict[str, Any]:
    setting: dict[str, Any] = {}
    if align is not None:
        if align not in ALIGNS:
            raise ValueError(f"a column aligns {', '.join(ALIGNS)}, not {align!r}")
        setting["align"] = align
    if wrap is not None:
        setting["is_wrapped"] = bool(wrap)
    return setting


def markdown(text: str) -> dict[str, Any]:
    """Slack's `markdown` block: standard Markdown (`**bold**`, `# headings`, `- lists`,
    `[label](url)`, tables), for long text such as help. Cut at 12,000 characters, on a line
    boundary where there is one; several in one message share that budget (`bot.slack.classic`
    turns what is past it into sections)."""
    if len(text) <= MAX_MARKDOWN:
        return {"type": "markdown", "text": text}
    cut = text.rfind("\n", 0, MAX_MARKDOWN - 1)
    return {"type": "markdown", "text": (text[: cut + 1] if cut > 0 else text[: MAX_MARKDOWN - 1]) + "…"}


def alert(text: str, level: str = "default") -> dict[str, Any]:
    """Slack's `alert` block: a notice drawn by its level ("default", "info", "warning", "error",
    "success"), its text mrkdwn of at most 3,000 characters (a text object's limit)."""
    if level not in ALERT_LEVELS:
        raise ValueError(f"an alert's level is one of {', '.join(ALERT_LEVELS)}, not {level!r}")
    return {"type": "alert", "text": {"type": "mrkdwn", "text": text[:3000]}, "level": level}
