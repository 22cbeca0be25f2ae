"""The newer blocks (table, markdown, alert, card, carousel) checked as @slack/types and Slack's
references define them (sloth_emulator.block_rules names the source of each rule), and block
kinds a workspace refuses, through chat.postMessage and a response_url."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from emulator_kit import GENERAL, WJK68, bot_client, failure

from sloth_emulator import Emulator, Workspace


def raw(text: str) -> dict[str, Any]:
    return {"type": "raw_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def table(rows: int = 2, cells: int = 2, **extra: Any) -> dict[str, Any]:
    return {"type": "table", "rows": [[raw(f"{r}.{c}") for c in range(cells)] for r in range(rows)], **extra}


IMAGE = {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a chart"}
BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "action_id": "open"}


def card(**fields: Any) -> dict[str, Any]:
    return {"type": "card", **fields}


def at(pointer: str, message: str) -> str:
    """Slack's wording of a problem in the message's first block."""
    return f"[ERROR] {message} [json-pointer:/blocks/0{pointer}]"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


async def refused(emu: Emulator, blocks: list[dict[str, Any]]) -> list[str]:
    response = await failure(bot_client(emu).chat_postMessage(channel=GENERAL, text="t", blocks=blocks))
    assert response["error"] == "invalid_blocks"
    assert response["errors"] == [m.removeprefix("[ERROR] ") for m in response["response_metadata"]["messages"]]
    messages: list[str] = response["response_metadata"]["messages"]
    return messages


GOOD = [
    table(),
    table(rows=100, cells=20, column_settings=[{"align": "right", "is_wrapped": True}] * 20),
    {"type": "table", "rows": [[raw("a"), {"type": "rich_text", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "link", "url": "https://x.example", "text": "x"}]}]}]]},
    {"type": "markdown", "text": "**bold** and a [link](https://x.example)"},
    {"type": "markdown", "text": "x" * 12_000},
    {"type": "alert", "text": mrkdwn("Careful"), "level": "warning"},
    {"type": "alert", "text": {"type": "plain_text", "text": "x" * 3000}},
    card(title=mrkdwn("t" * 150), subtitle=mrkdwn("s"), body=mrkdwn("b" * 200), hero_image=IMAGE, icon=IMAGE,
         actions=[BUTTON]),
    {"type": "carousel", "elements": [card(body=mrkdwn("b"))] * 10},
]


@pytest.mark.parametrize("block", GOOD, ids=lambda b: b["type"])
async def test_what_slack_takes_is_posted_as_it_was_sent(emu: Emulator, block: dict[str, Any]) -> None:
    posted = await bot_client(emu).chat_postMessage(channel=GENERAL, text="t", blocks=[block])
    stored = posted["message"]["blocks"][0]
    assert {k: v for k, v in stored.items() if k != "block_id"} == block


@pytest.mark.parametrize(("block", "message"), [
    # @slack/types TableBlock: "Maximum 100 rows. Each row ... a max of 20 table cells."
    (table(rows=101), at("/rows", "no more than 100 items allowed")),
    (table(cells=21), at("/rows/0", "no more than 20 items allowed")),
    ({"type": "table", "rows": []}, at("/rows", "must provide at least 1 items")),
    ({"type": "table"}, at("", "missing required field: rows")),
    # RawTextElement: "The minimum length is 1 character"; cells are raw_text or rich_text
    ({"type": "table", "rows": [[raw("")]]}, at("/rows/0/0/text", "must be at least 1 characters")),
    ({"type": "table", "rows": [[mrkdwn("a")]]}, at("/rows/0/0", "failed to match all allowed schemas")),
    # column_settings: at most 20, align left/center/right, is_wrapped a boolean
    (table(column_settings=[{}] * 21), at("/column_settings", "no more than 20 items allowed")),
    (table(column_settings=[{"align": "middle"}]), at("/column_settings/0/align", "must be a valid enum value")),
    (table(column_settings=[{"is_wrapped": "yes"}]), at("/column_settings/0/is_wrapped", "must provide a boolean")),
    # MarkdownBlock: text a string
    ({"type": "markdown"}, at("", "missing required field: text")),
    ({"type": "markdown", "text": 5}, at("/text", "must provide a string")),
    # AlertBlock: a text object, one of five levels
    ({"type": "alert", "text": "Careful"}, at("/text", "failed to match all allowed schemas")),
    ({"type": "alert", "text": mrkdwn("x"), "level": "fatal"}, at("/level", "must be a valid enum value")),
    ({"type": "alert", "text": mrkdwn("x" * 3001)}, at("/text/text", "must be less than 3001 characters")),
    ({"type": "alert", "text": mrkdwn("x"), "color": "red"}, at("", "invalid additional property: color")),
    # CardBlock: something to show, title 150, body 200, mrkdwn
    (card(subtitle=mrkdwn("s")), at("", "must provide at least one of `hero_image`, `title`, `actions` or `body`")),
    (card(title=mrkdwn("t" * 151)), at("/title/text", "must be less than 151 characters")),
    (card(body=mrkdwn("b" * 201)), at("/body/text", "must be less than 201 characters")),
    (card(title={"type": "plain_text", "text": "t"}), at("/title", "failed to match all allowed schemas")),
    (card(hero_image={"type": "image", "image_url": "https://x.example/a.png"}),
     at("/hero_image", "failed to match all allowed schemas")),
    # CarouselBlock: 1 to 10 cards
    ({"type": "carousel", "elements": [card(body=mrkdwn("b"))] * 11},
     at("/elements", "no more than 10 items allowed")),
    ({"type": "carousel", "elements": [{"type": "section", "text": mrkdwn("s")}]},
     at("/elements/0", "failed to match all allowed schemas")),
    ({"type": "carousel", "elements": [card(title=mrkdwn("t" * 151))]},
     at("/elements/0/title/text", "must be less than 151 characters")),
])
async def test_what_slack_refuses_is_refused_naming_the_field(emu: Emulator, block: dict[str, Any],
                                                             message: str) -> None:
    assert message in await refused(emu, [block])
    assert not emu.posts()


async def test_the_markdown_blocks_of_a_message_share_12000_characters(emu: Emulator) -> None:
    # The markdown block reference: "The cumulative limit for all markdown blocks in a single payload"
    half = {"type": "markdown", "text": "x" * 6000}
    await bot_client(emu).chat_postMessage(channel=GENERAL, text="t", blocks=[half, half])
    assert any("12000" in m for m in await refused(emu, [half, half, {"type": "markdown", "text": "y"}]))


async def test_one_table_to_a_message(emu: Emulator) -> None:
    response = await failure(bot_client(emu).chat_postMessage(channel=GENERAL, text="t", blocks=[table(), table()]))
    assert response["error"] == "invalid_attachments"
    assert "only_one_table_allowed" in response["response_metadata"]["messages"][0]


async def test_a_refused_kind_is_unsupported_wherever_it_is(emu: Emulator) -> None:
    emu.refuse_block_types({"table", "card"})
    blocks = [{"type": "section", "text": mrkdwn("s")}, table()]
    assert await refused(emu, blocks) == ["[ERROR] unsupported type: table [json-pointer:/blocks/1/type]"]
    carousel = {"type": "carousel", "elements": [card(body=mrkdwn("b"))]}
    assert await refused(emu, [carousel]) == ["[ERROR] unsupported type: card [json-pointer:/blocks/0/elements/0/type]"]
    response = await failure(bot_client(emu).chat_postMessage(
        channel=GENERAL, text="t", attachments=[{"blocks": [table()]}]))
    assert response["response_metadata"]["messages"] == [
        "[ERROR] unsupported type: table [json-pointer:/attachments/0/blocks/0/type]"]
    await bot_client(emu).chat_postMessage(channel=GENERAL, text="t", blocks=[{"type": "alert", "text": mrkdwn("a")}])
    emu.refuse_block_types(set())
    await bot_client(emu).chat_postMessage(channel=GENERAL, text="t", blocks=blocks)


async def test_a_response_url_refuses_as_a_webhook_does_with_the_bare_error(emu: Emulator) -> None:
    emu.refuse_block_types({"markdown"})
    target = emu.response_urls.issue("command", GENERAL, WJK68)
    async with aiohttp.ClientSession() as session:
        body = {"text": "t", "blocks": [{"type": "markdown", "text": "**hi**"}]}
        async with session.post(target.url, json=body) as response:
            assert (response.status, await response.text()) == (400, "invalid_blocks")
        async with session.post(target.url, json={"text": "t", "blocks": [{"type": "alert"}]}) as response:
            assert (response.status, await response.text()) == (400, "invalid_blocks")
        async with session.post(target.url, json={"text": "t", "blocks": [table()]}) as response:
            assert (response.status, await response.text()) == (200, "ok")
    assert [post.error for post in emu.responses] == ["invalid_blocks", "invalid_blocks", None]
    assert len(emu.ephemerals(user=WJK68)) == 1
