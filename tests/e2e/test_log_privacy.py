"""At DEBUG, what members type and what Sloth posts stays out of the log (unless
SLOTH_LOG_MESSAGE_TEXT asks for it), and tokens never appear."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime import logs
from sloth_emulator import Emulator
from tests.e2e.harness import ask, running_bot, settle, visible_text

TYPED = "zebra-crossing-at-noon"  # what a member types (Sloth quotes it back)
LOGGERS = ("slack_sdk", "slack_bolt", "aiohttp.access", "aiosqlite", "slack_sdk.web.sloth")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in LOGGERS}
    # The Web API client's logger keeps the level it had when a client was first made (bot.slack.client);
    # as in a fresh process, it follows what logs.configure sets.
    logging.getLogger("slack_sdk.web.sloth").setLevel(logging.NOTSET)
    yield
    root.handlers[:], level, levels = saved
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


async def debug_log_of_a_conversation(emu: Emulator, data: Path, message_text: bool) -> tuple[list[dict], str]:
    """Sloth at DEBUG (JSON lines) through a slash command and a mention; the records, and the
    text of the reply Sloth posted."""
    out = io.StringIO()
    logs.configure("DEBUG", "json", message_text, stream=out)
    async with running_bot(emu, data) as runtime:
        slash = await ask(emu, runtime, f"whois {TYPED}")
        assert TYPED in visible_text(slash)
        will = emu.workspace.first_human().id
        await (await emu.user_message(user=will, channel="general", text=f"<@{emu.bot_user_id}> whois {TYPED}")).acked()
        await (await emu.user_message(user=will, channel="general", text=f"<@{emu.bot_user_id}> team")).acked()
        await settle(runtime)
        assert [TYPED in visible_text(m) for m in emu.ephemerals(user=will, channel="general")] == [True, True]
        [posted] = [m for m in emu.messages("general") if m.get("user") == emu.bot_user_id]
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return records, posted["text"]


async def test_debug_logs_hold_no_message_text(emulator: Emulator, tmp_path: Path, restore_logging: None) -> None:
    records, reply = await debug_log_of_a_conversation(emulator, tmp_path, message_text=False)
    text = "\n".join(json.dumps(record) for record in records)
    assert TYPED not in text and reply not in text
    assert emulator.bot_token not in text and emulator.app_token not in text
    # Not an empty log: the Web API calls that carried the text are there, their bodies withheld.
    sdk = [r["message"] for r in records if r["logger"].startswith("slack_sdk") and r["level"] == "DEBUG"]
    assert any("chat.postEphemeral" in m and m.endswith(logs.WITHHELD) for m in sdk)
    assert any("chat.postMessage" in m and m.endswith(logs.WITHHELD) for m in sdk)


async def test_the_setting_lets_message_text_in(emulator: Emulator, tmp_path: Path, restore_logging: None) -> None:
    records, reply = await debug_log_of_a_conversation(emulator, tmp_path, message_text=True)
    text = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    assert TYPED in text and reply in text
    assert emulator.bot_token not in text and emulator.app_token not in text
