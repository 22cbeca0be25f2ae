"""What Slack refuses in a message's newer blocks (`table`, `markdown`, `alert`, `card`,
`carousel`), each problem worded as Slack words them in `response_metadata.messages`, with the
JSON pointer to the failing field; and the kinds a test makes the workspace refuse outright.

Each rule and where it comes from (node-slack-sdk's @slack/types `blocks.ts` and
`composition-objects.ts`, 2026-05, and Slack's Block Kit references):

- `table`: `rows` required, at most 100 rows (python-slack-sdk's TableBlock also refuses none),
  each row at most 20 cells, a cell `raw_text` (its `text` at least 1 character, RawTextElement)
  or a `rich_text` block; `column_settings` at most 20, each `align` left/center/right and
  `is_wrapped` a boolean (TableBlock, the table block reference);
- `markdown`: `text` a string; all the markdown blocks of one message at most 12,000 characters
  together (the markdown block reference: "The cumulative limit for all markdown blocks in a
  single payload"; @slack/types says 12,000 per block, the reference is the later word);
- `alert`: `text` a text object (plain_text or mrkdwn, 1 to 3,000 characters), `level` one of
  default/info/warning/error/success (AlertBlock; a third-party crate's 200-character limit for
  an alert's text is not in Slack's sources, so it is not applied);
- `card`: at least one of `hero_image`, `title`, `actions`, `body`; `title` and `subtitle` mrkdwn
  of at most 150 characters, `body` 200; images image elements with `alt_text`; `actions`
  buttons (CardBlock; python-slack-sdk's CardBlock has the same lengths);
- `carousel`: 1 to 10 cards (CarouselBlock);
- any of them: `block_id` at most 255 characters and no field its type does not list
  ("invalid additional property", Slack's wording for views).
- one table per message: Slack's Block Kit guidance (slackapi/slack-skills-plugin: "Only one
  table block per message"); the answer, `invalid_attachments` with `only_one_table_allowed`,
  is as developers report it (not in Slack's references).

Refused kinds (`Emulator.refuse_block_types`) answer as Slack answers a kind it does not take:
"[ERROR] unsupported type: table [json-pointer:/blocks/0/type]" (quoted in node-slack-sdk's
WebClient tests; the same answer reported for markdown blocks in a workspace without them).
Where the wording of a problem is not sourced, it follows Slack's for the same kind of problem.
"""

from __future__ import annotations

from typing import Any

from sloth_emulator.view_rules import MAX_ID, error, too_long

NEW_KINDS = frozenset({"table", "markdown", "alert", "card", "carousel"})
FIELDS = {
    "table": {"type", "block_id", "rows", "column_settings"},
    "markdown": {"type", "block_id", "text"},
    "alert": {"type", "block_id", "text", "level"},
    "card": {"type", "block_id", "hero_image", "icon", "title", "subtitle", "body", "actions"},
    "carousel": {"type", "block_id", "elements"},
}
MAX_ROWS = 100
MAX_CELLS = 20
MAX_MARKDOWN = 12_000
MAX_TEXT = 3000
LEVELS = ("default", "info", "warning", "error", "success")
ALIGNS = ("left", "center", "right")
MAX_CARDS = 10


def block_problems(blocks: list[dict[str, Any]], where: str, refused: frozenset[str] = frozenset()) -> list[str]:
    """Every problem Slack would name in the newer blocks of one list of a message's blocks."""
    problems: list[str] = []
    for index, block in enumerate(blocks):
        pointer = f"{where}/{index}"
        kind = block.get("type")
        if kind in refused:
            problems.append(error(f"unsupported type: {kind}", f"{pointer}/type"))
        elif kind in NEW_KINDS:
            problems += _block(block, pointer, refused)
    return problems


def markdown_total(lists: list[list[dict[str, Any]]]) -> int:
    return sum(len(b["text"]) for blocks in lists for b in blocks
               if b.get("type") == "markdown" and isinstance(b.get("text"), str))


def tables(lists: list[list[dict[str, Any]]]) -> int:
    return sum(1 for blocks in lists for b in blocks if b.get("type") == "table")


def _block(block: dict[str, Any], where: str, refused: frozenset[str]) -> list[str]:
    kind = str(block["type"])
    problems = [error(f"invalid additional property: {k}", where) for k in block if k not in FIELDS[kind]]
    block_id = block.get("block_id")
    if block_id is not None and (not isinstance(block_id, str) or len(block_id) > MAX_ID):
        problems.append(too_long(MAX_ID, f"{where}/block_id"))
    return problems + {"table": _table, "markdown": _markdown, "alert": _alert, "card": _card,
                       "carousel": lambda b, w: _carousel(b, w, refused)}[kind](block, where)


def _table(block: dict[str, Any], where: str) -> list[str]:
    rows = block.get("rows")
    if rows is None:
        return [error("missing required field: rows", where)]
    problems = _count(rows, 1, MAX_ROWS, f"{where}/rows")
    if problems:
        return problems
    for r, row in enumerate(rows):
        problems += _count(row, 1, MAX_CELLS, f"{where}/rows/{r}")
        for c, cell in enumerate(row if isinstance(row, list) else []):
            problems += _cell(cell, f"{where}/rows/{r}/{c}")
    settings = block.get("column_settings")
    if settings is not None:
        problems += _count(settings, 0, MAX_CELLS, f"{where}/column_settings")
        for i, setting in enumerate(settings if isinstance(settings, list) else []):
            problems += _column(setting, f"{where}/column_settings/{i}")
    return problems


def _cell(cell: Any, where: str) -> list[str]:
    if not isinstance(cell, dict) or cell.get("type") not in ("raw_text", "rich_text"):
        return [error("failed to match all allowed schemas", where)]
    if cell["type"] == "rich_text":
        return [] if isinstance(cell.get("elements"), list) else [error("missing required field: elements", where)]
    text = cell.get("text")
    if not isinstance(text, str):
        return [error("missing required field: text", where)]
    return [error("must be at least 1 characters", f"{where}/text")] if not text else []


def _column(setting: Any, where: str) -> list[str]:
    if not isinstance(setting, dict):
        return [error("must provide an object", where)]
    problems = [error(f"invalid additional property: {k}", where) for k in setting if k not in ("align", "is_wrapped")]
    if "align" in setting and setting["align"] not in ALIGNS:
        problems.append(error("must be a valid enum value", f"{where}/align"))
    if "is_wrapped" in setting and not isinstance(setting["is_wrapped"], bool):
        problems.append(error("must provide a boolean", f"{where}/is_wrapped"))
    return problems


def _markdown(block: dict[str, Any], where: str) -> list[str]:
    if "text" not in block:
        return [error("missing required field: text", where)]
    return [] if isinstance(block["text"], str) else [error("must provide a string", f"{where}/text")]


def _alert(block: dict[str, Any], where: str) -> list[str]:
    if "text" not in block:
        return [error("missing required field: text", where)]
    problems = _text(block["text"], MAX_TEXT, f"{where}/text", ("plain_text", "mrkdwn"))
    if "level" in block and block["level"] not in LEVELS:
        problems.append(error("must be a valid enum value", f"{where}/level"))
    return problems


def _card(block: dict[str, Any], where: str) -> list[str]:
    if not any(key in block for key in ("hero_image", "title", "actions", "body")):
        return [error("must provide at least one of `hero_image`, `title`, `actions` or `body`", where)]
    problems: list[str] = []
    for key, limit in (("title", 150), ("subtitle", 150), ("body", 200)):
        if key in block:
            problems += _text(block[key], limit, f"{where}/{key}", ("mrkdwn",))
    for key in ("hero_image", "icon"):
        if key in block:
            problems += _image(block[key], f"{where}/{key}")
    buttons = block.get("actions", [])
    if not isinstance(buttons, list):
        return [*problems, error("must provide an array", f"{where}/actions")]
    for i, button in enumerate(buttons):
        if not isinstance(button, dict) or button.get("type") != "button":
            problems.append(error("failed to match all allowed schemas", f"{where}/actions/{i}"))
    return problems


def _carousel(block: dict[str, Any], where: str, refused: frozenset[str]) -> list[str]:
    cards = block.get("elements")
    if cards is None:
        return [error("missing required field: elements", where)]
    problems = _count(cards, 1, MAX_CARDS, f"{where}/elements")
    if problems:
        return problems
    for i, card in enumerate(cards):
        pointer = f"{where}/elements/{i}"
        if not isinstance(card, dict) or card.get("type") != "card":
            problems.append(error("failed to match all allowed schemas", pointer))
        elif "card" in refused:
            problems.append(error("unsupported type: card", f"{pointer}/type"))
        else:
            problems += _block(card, pointer, refused)
    return problems


def _text(value: Any, limit: int, where: str, kinds: tuple[str, ...]) -> list[str]:
    if not isinstance(value, dict) or value.get("type") not in kinds or not isinstance(value.get("text"), str):
        return [error("failed to match all allowed schemas", where)]
    if not value["text"]:
        return [error("must be at least 1 characters", f"{where}/text")]
    return [too_long(limit, f"{where}/text")] if len(value["text"]) > limit else []


def _image(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict) or value.get("type") != "image" or not isinstance(value.get("alt_text"), str):
        return [error("failed to match all allowed schemas", where)]
    if not (isinstance(value.get("image_url"), str) or isinstance(value.get("slack_file"), dict)):
        return [error("must provide one of `image_url` or `slack_file`", where)]
    return []


def _count(items: Any, least: int, most: int, where: str) -> list[str]:
    if not isinstance(items, list):
        return [error("must provide an array", where)]
    if len(items) < least:
        return [error(f"must provide at least {least} items", where)]
    return [error(f"no more than {most} items allowed", where)] if len(items) > most else []
