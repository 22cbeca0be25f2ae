"""Workspace questions through the slash command, against the emulator's default workspace."""

from __future__ import annotations

import re

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.harness import ask, table_rows, visible_text

pytestmark = pytest.mark.both_transports  # every test here, over Socket Mode and over HTTP


async def test_team(emulator: Emulator, bot: Runtime) -> None:
    body = await ask(emulator, bot, "team")
    shown = visible_text(body)
    assert "Data Analysis" in shown and "data-analysis.slack.com" in shown
    assert body["response_type"] == "ephemeral"
    humans = [u for u in emulator.workspace.users.values() if not (u.is_bot or u.deleted or u.id == "USLACKBOT")]
    assert f"*Members*\\n{len(humans)}" in shown
    assert "*Channels*\\n4" in shown


async def test_channels_with_purposes_and_filter(emulator: Emulator, bot: Runtime) -> None:
    rows = table_rows(await ask(emulator, bot, "channels"))
    assert rows[0] == ["Channel", "Purpose", "Members"]
    for name, purpose in [("python_content", "Data Science and Python"), ("random", "Deep philosophical discussions"),
                          ("testing_exp", "Experimental testing of interactions.")]:
        assert [f"#{name}", purpose] in [row[:2] for row in rows]
    assert all(row[2].replace(",", "").isdigit() for row in rows[1:])
    filtered = visible_text(await ask(emulator, bot, "channels python"))
    assert "python_content" in filtered and "random" not in filtered


async def test_users_show_time_zone_and_status(emulator: Emulator, bot: Runtime) -> None:
    body = await ask(emulator, bot, "users wjk")
    rows = table_rows(body)
    assert rows[0] == ["Name", "Handle", "Time zone", "Status"]
    assert rows[1][:3] == ["Will Koehrsen", "@wjk68", "Eastern Standard Time"]
    assert "Amelia" not in visible_text(body)


async def test_whois_card(emulator: Emulator, bot: Runtime) -> None:
    will = next(u for u in emulator.workspace.users.values() if u.name == "wjk68")
    for how in ("@wjk68", f"<@{will.id}|wjk68>"):
        shown = visible_text(await ask(emulator, bot, f"whois {how}"))
        assert "Will Koehrsen" in shown and "Eastern Standard Time" in shown
        assert "Local time" in shown and "Do Not Disturb" in shown
        assert re.search(r"\d\d:\d\d \(\w{3}\)", shown)
    assert emulator.calls_to("dnd.info")[-1].args["user"] == will.id


async def test_history_resolves_names_without_a_call_per_row(emulator: Emulator, bot: Runtime) -> None:
    shown = visible_text(await ask(emulator, bot, "history #python_content 5"))
    assert "*Will Koehrsen*" in shown and "pandas" in shown
    assert emulator.calls_to("conversations.history")[-1].args["limit"] in (5, "5")
    assert not emulator.calls_to("users.info")  # names came from the directory


async def test_files_and_dnd(emulator: Emulator, bot: Runtime) -> None:
    assert "slack_analysis.py" in visible_text(await ask(emulator, bot, "files #python_content"))
    assert "Not snoozed" in visible_text(await ask(emulator, bot, "dnd @wjk68"))


async def test_unknown_channel_and_member_are_explained(emulator: Emulator, bot: Runtime) -> None:
    assert "can't find the channel `nope`" in visible_text(await ask(emulator, bot, "history #nope"))
    assert "can't find the member `ghost`" in visible_text(await ask(emulator, bot, "whois @ghost"))


async def test_second_question_costs_no_list_calls(emulator: Emulator, bot: Runtime) -> None:
    await ask(emulator, bot, "users")
    await ask(emulator, bot, "channels")
    lists = len(emulator.calls_to("users.list")) + len(emulator.calls_to("conversations.list"))
    await ask(emulator, bot, "users will")
    await ask(emulator, bot, "team")
    await ask(emulator, bot, "channels random")
    assert len(emulator.calls_to("users.list")) + len(emulator.calls_to("conversations.list")) == lists
