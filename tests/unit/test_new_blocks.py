"""The newer blocks' builders keep to Slack's limits, and say the same with older blocks when asked."""

from __future__ import annotations

import json

import pytest

from bot.api import classic_blocks
from bot.pure import alert, cell, markdown, notice, section, table
from bot.pure.blocks import MAX_MARKDOWN
from bot.slack.classic import fit_blocks, kinds_in
from bot.slack.mrkdwn import markdown_mrkdwn


def texts(row: list[dict]) -> list[str]:
    return [c["text"] if c["type"] == "raw_text" else c["elements"][0]["elements"][0]["text"] for c in row]


def test_a_table_has_a_header_row_and_cells_of_text_or_rich_text() -> None:
    block = table([["general", cell("the card", url="https://x.example/c")]], header=["Name", "Card"],
                  align=["left", "right"])
    assert block["type"] == "table"
    assert texts(block["rows"][0]) == ["Name", "Card"]
    assert block["rows"][1][0] == {"type": "raw_text", "text": "general"}
    link = block["rows"][1][1]["elements"][0]["elements"][0]
    assert link == {"type": "link", "url": "https://x.example/c", "text": "the card"}
    assert block["column_settings"] == [{"align": "left"}, {"align": "right"}]


def test_rows_are_as_wide_as_the_widest_and_no_cell_is_empty() -> None:
    block = table([["a", "b", "c"], ["d"], [""]])
    assert [len(r) for r in block["rows"]] == [3, 3, 3]
    assert all(c["text"] for r in block["rows"] for c in r if c["type"] == "raw_text")  # Slack: at least 1 character


def test_101_rows_are_cut_to_100_saying_how_many_were_left_out() -> None:
    block = table([[str(n)] for n in range(101)])
    assert len(block["rows"]) == 100
    assert texts(block["rows"][-1]) == ["… and 2 more"]
    assert texts(block["rows"][-2]) == ["98"]
    with_header = table([[str(n)] for n in range(101)], header=["n"])
    assert len(with_header["rows"]) == 100 and texts(with_header["rows"][-1]) == ["… and 3 more"]
    assert len(table([[str(n)] for n in range(100)])["rows"]) == 100  # 100 fit as they are


def test_21_cells_are_cut_to_20_and_so_are_the_column_settings() -> None:
    block = table([[str(n) for n in range(21)]], header=[f"h{n}" for n in range(21)],
                  align=["right"] * 21, wrap=[True] * 21)
    assert all(len(row) == 20 for row in block["rows"])
    assert len(block["column_settings"]) == 20
    assert block["column_settings"][0] == {"align": "right", "is_wrapped": True}


def test_a_bad_alignment_or_level_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="left, center, right"):
        table([["a"]], align=["middle"])
    with pytest.raises(ValueError, match="default, info, warning, error, success"):
        alert("x", "fatal")


def test_12001_markdown_characters_are_cut_at_a_line() -> None:
    text = ("word " * 19 + "\n") * 200  # 100 characters a line, 20,000 in all
    block = markdown(text[:12_001])
    assert len(block["text"]) <= MAX_MARKDOWN and block["text"].endswith("…")
    assert block["text"][:-1].endswith("\n")
    assert markdown("x" * 12_000)["text"] == "x" * 12_000
    assert len(markdown("x" * 12_001)["text"]) == 12_000  # no line to cut at: cut where it must be


def test_a_notice_with_a_level_is_an_alert_and_keeps_its_text() -> None:
    reply = notice("Only admins can do that.", level="warning")
    assert reply.blocks == [{"type": "alert", "text": {"type": "mrkdwn", "text": "Only admins can do that."},
                             "level": "warning"}]
    assert reply.text == "Only admins can do that." and reply.ephemeral
    assert notice("plain").blocks == [section("plain")]


def test_a_table_said_the_classic_way_keeps_every_row_and_its_links() -> None:
    block = table([["general", cell("card", url="https://x.example/c")], ["<!here> & co", "x"]],
                  header=["Name", "Card"])
    [said] = classic_blocks([block])
    assert said["type"] == "section"
    assert said["text"]["text"].split("\n") == ["*Name* · *Card*", "general · <https://x.example/c|card>",
                                                "&lt;!here&gt; &amp; co · x"]  # raw text stays text: no ping


def test_a_long_table_becomes_several_sections_of_at_most_3000_characters() -> None:
    block = table([["x" * 50, "y" * 50] for _ in range(100)])
    said = classic_blocks([block])
    assert len(said) > 1 and all(len(s["text"]["text"]) <= 3000 for s in said)
    assert sum(s["text"]["text"].count("\n") + 1 for s in said) == 100


def test_alerts_markdown_cards_and_carousels_said_the_classic_way() -> None:
    card = {"type": "card", "title": {"type": "mrkdwn", "text": "Run"}, "body": {"type": "mrkdwn", "text": "done"},
            "hero_image": {"type": "image", "image_url": "https://x.example/i.png", "alt_text": "curve"},
            "actions": [{"type": "button", "text": {"type": "plain_text", "text": "Open"}, "action_id": "open"}]}
    blocks = [alert("Careful", "warning"), markdown("**Bold** and [docs](https://x.example)"),
              {"type": "carousel", "elements": [card, card]}, section("kept")]
    said = classic_blocks(blocks)
    assert kinds_in(said) == set()
    assert said[0]["text"]["text"] == "⚠️ Careful"
    assert said[1]["text"]["text"] == "*Bold* and <https://x.example|docs>"
    assert said[2]["accessory"]["image_url"] == "https://x.example/i.png" and "*Run*" in said[2]["text"]["text"]
    assert said[3]["elements"][0]["action_id"] == "open" and said[4] == {"type": "divider"}
    assert said[-1] == section("kept")
    assert classic_blocks(blocks, {"alert"})[1:] == blocks[1:]  # only the kinds asked for


def test_a_message_keeps_to_one_table_and_12000_markdown_characters() -> None:
    blocks = [markdown("a" * 8000), table([["first"]]), markdown("b" * 5000), table([["second"]])]
    fitted = fit_blocks(blocks)
    assert [b["type"] for b in fitted] == ["markdown", "table", "section", "section", "section"]
    assert "second" in fitted[-1]["text"]["text"]
    assert sum(len(b["text"]) for b in fitted if b["type"] == "markdown") <= MAX_MARKDOWN
    kept = blocks[:2]
    assert fit_blocks(kept) is kept  # within the limits: the very list, not a copy


def test_said_the_classic_way_a_message_still_holds_at_most_50_blocks() -> None:
    blocks = [markdown(("line " * 100 + "\n") * 20), *[section(str(n)) for n in range(48)]]
    said = classic_blocks(blocks)
    assert len(said) == 50 and said[-1]["type"] == "context"


def test_markdown_as_mrkdwn() -> None:
    said = markdown_mrkdwn("# Title\n\n**b** _i_ ~~s~~ `a <b>` [l](https://x.example) <@U1> 1 < 2 & 3\n\n"
                           "- one\n- two\n  1. inner\n\n> quoted\n\n| h | k |\n|---|---|\n| 1 | 2 |")
    assert said.split("\n") == [
        "*Title*", "",
        "*b* _i_ ~s~ `a &lt;b&gt;` <https://x.example|l> <@U1> 1 &lt; 2 &amp; 3", "",
        "• one", "• two", "    1. inner", "",
        "> quoted", "",
        "*h* · *k*", "1 · 2",
    ]


def test_the_classic_way_survives_json_round_trips() -> None:
    blocks = json.loads(json.dumps([table([["a"]]), alert("b"), markdown("c")]))
    assert kinds_in(classic_blocks(blocks)) == set()
