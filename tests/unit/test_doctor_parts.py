"""The doctor's pure parts: the table, the exit code, channel references, the PNG, config tokens."""

from __future__ import annotations

import io

from PIL import Image

from bot.doctor.app_settings import read_config_token
from bot.doctor.channel import parse_ref
from bot.doctor.files import share_stamps, tiny_png
from bot.doctor.report import Check, exit_code, failed, ok, render, skipped
from bot.doctor.socket import url_app_id


def test_exit_code_is_1_only_when_something_failed() -> None:
    assert exit_code([ok("a", "fine"), skipped("b", "not asked")]) == 0
    assert exit_code([]) == 0
    assert exit_code([ok("a", "fine"), failed("b", "broken", "mend it")]) == 1


def test_the_table_wraps_long_cells_within_their_columns() -> None:
    checks = [ok("bot token", "fine"), failed("socket", "word " * 30, "do this " * 20),
              skipped("channel test", "no --channel given")]
    table = render(checks, width=100)
    rows = table.splitlines()
    assert rows[0].split() == ["check", "result", "what", "to", "change"]
    assert set(rows[1].replace(" ", "")) == {"-"}
    assert all(len(row) <= 100 for row in rows)
    result_column = rows[0].index("result")
    change_column = rows[0].index("what to change")
    wrapped = [row for row in rows if row.startswith(" ")]
    assert wrapped and all(row[result_column - 1] == " " for row in wrapped)
    assert all(row[change_column:].strip() for row in rows[3:6])  # the change text runs on in its own column
    assert "FAILED: word word" in table and "not checked: no --channel given" in table
    assert rows[-1] == "1 failed, 1 passed, 1 not checked."


def test_check_shows_its_status_first() -> None:
    assert Check("x", "skipped", "needs a token").shown == "not checked: needs a token"
    assert failed("x", "refused", "fix").shown == "FAILED: refused"


def test_channel_references() -> None:
    assert parse_ref("#sloth-test") == "sloth-test"
    assert parse_ref(" sloth-test ") == "sloth-test"
    assert parse_ref("C0123ABCD") == "C0123ABCD"
    assert parse_ref("<#C0123ABCD|sloth-test>") == "C0123ABCD"


def test_the_png_is_a_real_png() -> None:
    data = tiny_png()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == "PNG" and image.size == (16, 16)
        assert image.getpixel((3, 7)) == (0x4A, 0x3B, 0x2C)


def test_share_stamps_read_files_info_shares() -> None:
    info = {"shares": {"public": {"C1": [{"ts": "1.000001"}, {"ts": "2.000002"}], "C2": [{"ts": "3.0"}]},
                       "private": {"C1": [{"ts": "4.0"}]}}}
    assert share_stamps(info, "C1") == ["1.000001", "2.000002", "4.0"]
    assert share_stamps({"shares": {}}, "C1") == []


def test_config_tokens_are_checked_like_the_other_tokens() -> None:
    problems: list[str] = []
    assert read_config_token({}, problems) is None and not problems
    assert read_config_token({"SLACK_CONFIG_TOKEN": " xoxe.xoxp-1-abcdef "}, problems) == "xoxe.xoxp-1-abcdef"
    assert read_config_token({"SLACK_CONFIG_TOKEN": "xoxe-1-abcdef"}, problems) is None
    assert read_config_token({"SLACK_CONFIG_TOKEN": "xoxp-1-abcdef"}, problems) is None
    assert len(problems) == 2 and "refresh token" in problems[0] and "xoxe.xoxp-" in problems[1]
    assert all("abcdef" not in p for p in problems)


def test_the_socket_url_names_the_app() -> None:
    assert url_app_id("wss://wss.example/link/?ticket=12348&app_id=A5678") == "A5678"
    assert url_app_id("ws://127.0.0.1:1/link/?ticket=1") is None
