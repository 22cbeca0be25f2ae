"""What Sloth makes of Slack's refusals of the newer blocks (bot.slack.fallback), and how the
sandbox draws those blocks."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from rich.console import Console

from bot.pure import alert, cell, markdown, section, table
from bot.sandbox.render import Renderer
from bot.slack.fallback import REMEMBER, BlockSupport, blocks_of
from bot.testing import FakeClock


def refusal(*messages: str) -> dict[str, Any]:
    return {"ok": False, "error": "invalid_blocks", "response_metadata": {"messages": list(messages)}}


MESSAGE = {"channel": "C1", "text": "t", "blocks": [section("a"), table([["x"]]), alert("b", "warning")]}


def test_the_kind_slack_names_is_remembered_and_said_the_classic_way() -> None:
    support = BlockSupport(FakeClock())
    kinds = support.refused_by(refusal("[ERROR] unsupported type: table [json-pointer:/blocks/1/type]"), MESSAGE)
    assert kinds == {"table"} and support.refusing() == {"table"}
    prepared = support.prepared(MESSAGE)
    assert [b["type"] for b in prepared["blocks"]] == ["section", "section", "alert"]  # the alert is still taken


def test_a_refusal_naming_no_block_counts_against_every_newer_kind_held() -> None:
    support = BlockSupport(FakeClock())
    assert support.refused_by({"error": "invalid_blocks"}, MESSAGE) == {"table", "alert"}
    assert support.refusing() == {"table", "alert"}


def test_a_problem_inside_a_newer_block_is_said_the_classic_way_without_remembering(
        caplog: pytest.LogCaptureFixture) -> None:
    support = BlockSupport(FakeClock())
    answer = refusal("[ERROR] no more than 100 items allowed [json-pointer:/blocks/1/rows]")
    with caplog.at_level(logging.WARNING, logger="bot.slack.fallback"):
        assert support.refused_by(answer, MESSAGE) == {"table"}
        assert support.refused_by(answer, MESSAGE) == {"table"}
    assert support.refusing() == frozenset()
    assert len(caplog.records) == 1  # logged once


def test_a_refusal_about_something_else_is_left_to_the_caller() -> None:
    support = BlockSupport(FakeClock())
    assert support.refused_by(refusal("[ERROR] must define either `text` or `fields` [json-pointer:/blocks/0]"),
                              MESSAGE) == set()
    assert support.refused_by({"error": "channel_not_found"}, MESSAGE) == set()
    assert support.refused_by({"error": "invalid_blocks"}, {"text": "t", "blocks": [section("a")]}) == set()


def test_remembered_for_an_hour() -> None:
    clock = FakeClock()
    support = BlockSupport(clock)
    support.remember({"markdown"}, "test")
    clock.advance(REMEMBER - 1)
    assert support.refusing() == {"markdown"}
    clock.advance(1)
    assert support.refusing() == frozenset()


def test_blocks_sent_as_json_text_and_in_attachments_are_found_and_changed() -> None:
    args = {"data": {"channel": "C1", "blocks": json.dumps([table([["x"]])]),
                     "attachments": [{"color": "good", "blocks": [markdown("**m**")]}]}}
    assert [b[0]["type"] for b in blocks_of(args)] == ["table", "markdown"]
    support = BlockSupport(FakeClock())
    support.remember({"table", "markdown"}, "test")
    prepared = support.prepared(args)["data"]
    assert json.loads(prepared["blocks"])[0]["type"] == "section"
    assert prepared["attachments"][0] == {"color": "good", "blocks": [section("*m*")]}
    answer = refusal("[ERROR] unsupported type: markdown [json-pointer:/attachments/0/blocks/0/type]")
    assert BlockSupport(FakeClock()).refused_by(answer, args) == {"markdown"}


def test_blocks_in_streamed_chunks_are_found_and_changed() -> None:
    args = {"channel": "C1", "ts": "1", "chunks": [{"type": "markdown_text", "text": "m"},
                                                   {"type": "blocks", "blocks": [section("a"), alert("b", "error")]}]}
    assert [[b["type"] for b in found] for found in blocks_of(args)] == [["section", "alert"]]
    support = BlockSupport(FakeClock())
    support.remember({"alert"}, "test")
    prepared = support.prepared(args)
    assert prepared["chunks"][0] == {"type": "markdown_text", "text": "m"}
    assert [b["type"] for b in prepared["chunks"][1]["blocks"]] == ["section", "section"]
    inside = refusal("[ERROR] must be at most 200 characters [json-pointer:/chunks/1/blocks/1/text]")
    assert BlockSupport(FakeClock()).refused_by(inside, args) == {"alert"}


def test_the_sandbox_draws_tables_markdown_and_alerts() -> None:
    message = {"ts": "1", "blocks": [
        table([["general", cell("card", url="https://x.example/c"), "1,204"]], header=["Channel", "Card", "Members"],
              align=["left", "left", "right"]),
        markdown("# Help\n\n**bold** and `code`\n\n- one\n- two"),
        alert("Only admins can use `archive`.", "warning"),
        {"type": "carousel", "elements": [{"type": "card", "title": {"type": "mrkdwn", "text": "A run"},
                                           "actions": [{"type": "button", "text": {"type": "plain_text",
                                                                                    "text": "Open"},
                                                        "action_id": "open"}]}]},
    ]}
    renderer = Renderer(lambda ref: ref)
    console = Console(width=100, record=True, color_system=None)
    console.print(renderer.message(message, "C1", "sloth"))
    drawn = console.export_text()
    header = next(line for line in drawn.splitlines() if "Channel" in line)
    assert "Card" in header and "Members" in header  # one row of headings
    assert "card (https://x.example/c)" in drawn and "1,204 │" in drawn  # the link, the number aligned right
    assert "Help" in drawn and "**" not in drawn and "• one" in drawn  # Markdown drawn, not shown raw
    assert "⚠️ Only admins can use archive." in drawn
    assert "A run" in drawn and "[1] Open" in drawn and renderer.buttons[0].action_id == "open"
