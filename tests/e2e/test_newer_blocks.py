"""Tables, Markdown and alerts as Slack takes them, and the same answers said with older blocks
where the workspace refuses a kind (the emulator's `refuse_block_types`): through a response_url
(which names no block) and through the Web API (which does), remembered for an hour, logged once."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.lifecycle import Runtime
from bot.slack.fallback import REMEMBER, support_of
from sloth_emulator import Emulator
from tests.e2e.harness import FakeClock, answers, ask, running_bot

REFUSED_LOG = "this workspace refuses `table` blocks"


def kinds(body: dict[str, Any]) -> list[str]:
    return [b["type"] for b in body.get("blocks") or []]


def said(body: dict[str, Any]) -> str:
    """The sections' text of a message, one line per row of a table said the classic way."""
    return "\n".join(b["text"]["text"] for b in body.get("blocks") or [] if b["type"] == "section")


@pytest.mark.parametrize(("command", "header", "row"), [
    ("channels", "*Channel* · *Purpose* · *Members*", "#python_content · Data Science and Python · "),
    ("users wjk", "*Name* · *Handle* · *Time zone* · *Status*", "Will Koehrsen · @wjk68 · Eastern Standard Time"),
])
async def test_a_listing_is_a_table_and_lines_where_tables_are_refused(
        emulator: Emulator, bot: Runtime, caplog: pytest.LogCaptureFixture, command: str, header: str,
        row: str) -> None:
    assert "table" in kinds(await ask(emulator, bot, command))
    emulator.refuse_block_types({"table"})
    with caplog.at_level(logging.WARNING, logger="bot.slack.fallback"):
        first = await answers(emulator, bot, command)
        again = await answers(emulator, bot, command)
    # a response_url refuses with the bare error; Sloth posts the same answer again with sections
    assert [(p.status, p.error) for p in first] == [(400, "invalid_blocks"), (200, None)]
    assert "table" in kinds(first[0].body) and "table" not in kinds(first[1].body)
    assert said(first[1].body).count(header) == 1 and row in said(first[1].body)
    assert first[1].body["text"] == first[0].body["text"]  # the text for notifications stays
    # remembered: the next answer goes out the classic way at once, and the log said it once
    assert [(p.status, kinds(p.body)) for p in again] == [(200, kinds(first[1].body))]
    assert sum(REFUSED_LOG in r.getMessage() for r in caplog.records) == 1
    assert support_of(bot.client).refusing() == {"table"}


async def test_through_the_web_api_the_kind_slack_names_is_the_one_said_again(
        emulator: Emulator, bot: Runtime) -> None:
    emulator.refuse_block_types({"markdown"})
    answer = await emulator.mention("help")  # answered in the channel with chat.postMessage
    calls = emulator.calls_to("chat.postMessage")
    assert [c.error for c in calls] == ["invalid_blocks", None]
    assert calls[0].response["response_metadata"]["messages"] == [
        "[ERROR] unsupported type: markdown [json-pointer:/blocks/1/type]"]
    [post] = answer.posts
    assert [b["type"] for b in post.message["blocks"]][:2] == ["header", "section"]
    assert "• `help` — List what Sloth can do" in post.message["blocks"][1]["text"]["text"]
    assert support_of(bot.client).refusing() == {"markdown"}  # the table and alert are still taken


async def test_a_refused_kind_is_tried_again_after_an_hour(emulator: Emulator, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_bot(emulator, tmp_path, clock=clock) as runtime:
        emulator.refuse_block_types({"table"})
        assert len(await answers(emulator, runtime, "channels")) == 2
        emulator.refuse_block_types(set())  # the workspace takes tables now
        clock.advance(REMEMBER - 1)
        assert "table" not in kinds(await ask(emulator, runtime, "channels"))
        clock.advance(2)
        assert "table" in kinds(await ask(emulator, runtime, "channels"))


async def test_help_is_markdown(emulator: Emulator, bot: Runtime) -> None:
    overview = await ask(emulator, bot, "help")
    assert kinds(overview) == ["header", "markdown", "context"]
    assert "- `channels` — Channels with their purpose and member count." in overview["blocks"][1]["text"]
    detail = await ask(emulator, bot, "help history")
    assert kinds(detail) == ["markdown"]
    assert detail["blocks"][0]["text"].startswith("**The last N messages of a channel")
    assert "Usage: `/sloth history #channel [count]`" in detail["blocks"][0]["text"]


async def test_refusals_are_alerts_and_sections_where_alerts_are_refused(emulator: Emulator, bot: Runtime) -> None:
    unknown = await ask(emulator, bot, "chanels")
    [alert] = unknown["blocks"]
    assert alert["type"] == "alert" and alert["level"] == "warning"
    assert "Did you mean `channels`?" in alert["text"]["text"]
    emulator.refuse_block_types({"alert"})
    posts = await answers(emulator, bot, "chanels")
    assert [p.error for p in posts] == ["invalid_blocks", None]
    assert said(posts[1].body).startswith("⚠️ I don't know the command `chanels`.")


async def test_the_emulator_takes_every_listing_sloth_builds(emulator: Emulator, bot: Runtime) -> None:
    for command in ("channels", "users"):
        [post] = await answers(emulator, bot, command)
        assert post.error is None and "table" in kinds(post.body), command
