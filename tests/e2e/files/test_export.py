"""`export #channel [days]`: a CSV in the asker's DM that parses back to the channel's history."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest

import handlers.reading
from bot.runtime.lifecycle import Runtime
from handlers.tally import CSV_COLUMNS
from sloth_emulator import Emulator, Workspace
from tests.e2e.files.filework import (
    AMELIA,
    KENJI,
    WILL,
    channel,
    file_messages,
    run,
    said,
    uploads,
    workspace_with_busy_channel,
)
from tests.e2e.harness import settle, visible_text


@pytest.fixture
def slack_workspace() -> Workspace:
    return workspace_with_busy_channel(messages=800, days=40)


def dm_of(emu: Emulator, user: str) -> str:
    im, _ = emu.workspace.open_im(emu.bot_user_id, user)
    return im.id


def exported_rows(emu: Emulator, user: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    [message] = file_messages(emu, dm_of(emu, user))
    record = emu.workspace.files[message["files"][0]["id"]]
    text = (record.content or b"").decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return message, list(reader)


def history_since(emu: Emulator, name: str, days: int) -> list[dict[str, Any]]:
    """What the export should hold: top-level messages of the last `days` UTC days, each followed by its replies."""
    now = emu.workspace.now()
    start = now - now % 86400 - (days - 1) * 86400
    found = channel(emu, name)
    expected = []
    for message in emu.messages(found.id):
        if "parent_user_id" in message or float(message["ts"]) < start:
            continue
        expected.append(message)
        if message.get("reply_count"):
            expected += emu.workspace.replies(found, message["ts"])[1:]
    return expected


def readable(emu: Emulator, text: str) -> str:
    text = re.sub(r"<@(U[A-Z0-9]+)>", lambda m: "@" + emu.workspace.users[m.group(1)].real_name, text)
    return text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")


async def test_the_csv_parses_back_to_the_history(emu: Emulator, bot: Runtime) -> None:
    bodies = await run(emu, bot, "export #busy 30", channel="general")
    assert "Exporting #busy over the last 30 days… I'll send you the CSV in a DM." in visible_text(bodies[0])
    assert "Sent you the export of #busy in a DM" in visible_text(bodies[-1])
    message, rows = exported_rows(emu, WILL)
    expected = history_since(emu, "busy", 30)
    replies = [m for m in expected if "parent_user_id" in m]
    assert len(replies) > 10 and len(expected) > 300
    assert [r["ts"] for r in rows] == [m["ts"] for m in expected]
    for row, original in zip(rows, expected, strict=True):
        person = emu.workspace.users[original["user"]]
        assert (row["user"], row["real_name"]) == (person.id, person.real_name)
        assert row["text"] == readable(emu, original["text"])
        assert row["thread"] == original.get("thread_ts", "")
        assert row["reactions"] == " ".join(f":{r['name']}: {r['count']}" for r in original.get("reactions", []))
        assert row["time"] == datetime.fromtimestamp(float(original["ts"]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert any("@" in r["text"] and "<@" not in r["text"] for r in rows)  # mentions became names
    top_level = len(expected) - len(replies)
    assert f"{top_level:,} messages and {len(replies):,} thread replies" in message["text"]
    assert re.fullmatch(r"busy-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv", uploads(emu)[0].name)
    assert not file_messages(emu, "general")  # the history goes to the asker only


async def test_a_mention_gets_private_notes_and_the_file_by_dm(emu: Emulator, bot: Runtime) -> None:
    await (await emu.user_message(user=AMELIA, channel="random",
                                  text=f"<@{emu.bot_user_id}> export #busy 3")).acked()
    await settle(bot)
    assert [m for m in emu.messages("random") if m.get("user") == emu.bot_user_id] == []
    assert "Sent you the export" in visible_text(emu.ephemerals(user=AMELIA, channel="random")[-1])
    _, rows = exported_rows(emu, AMELIA)
    assert [r["ts"] for r in rows] == [m["ts"] for m in history_since(emu, "busy", 3)]


async def test_a_reply_sent_to_the_channel_too_is_exported_once(emu: Emulator, bot: Runtime) -> None:
    busy = channel(emu, "busy")
    parent = emu.workspace.post(busy, {"user": WILL, "text": "thread starter"})
    emu.workspace.post(busy, {"user": AMELIA, "text": "quiet reply"}, thread_ts=parent["ts"])
    emu.workspace.post(busy, {"user": KENJI, "text": "loud reply", "subtype": "thread_broadcast"},
                       thread_ts=parent["ts"])
    await run(emu, bot, "export #busy 1")
    _, rows = exported_rows(emu, WILL)
    texts = [r["text"] for r in rows]
    assert texts[-3:] == ["thread starter", "quiet reply", "loud reply"] and texts.count("loud reply") == 1


async def test_too_many_threads_keeps_the_newest_and_says_so(
    emu: Emulator, bot: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers.reading, "MAX_THREADS", 2)
    expected = history_since(emu, "busy", 30)
    threads = [m for m in expected if m.get("reply_count")]
    await run(emu, bot, "export #busy")
    message, rows = exported_rows(emu, WILL)
    assert f"Replies of the {len(threads) - 2:,} oldest threads are left out" in message["text"]
    expanded = {r["thread"] for r in rows if r["thread"] and r["thread"] != r["ts"]}
    assert expanded == {t["ts"] for t in threads[-2:]}
    assert len(emu.calls_to("conversations.replies")) == 2


async def test_private_channels_export_only_for_their_members(emu: Emulator, bot: Runtime) -> None:
    secret = emu.workspace.create_channel("secret", WILL, is_private=True)
    secret.members[emu.bot_user_id] = None
    emu.workspace.post(secret, {"user": WILL, "text": "plans"})
    refused = said(await run(emu, bot, "export #secret", user=KENJI))
    assert "I can't find the channel `secret` (or it is private and you are not in it)." in refused
    assert uploads(emu) == []
    await run(emu, bot, "export #secret", user=WILL)
    _, rows = exported_rows(emu, WILL)
    assert [r["text"] for r in rows] == ["plans"]


@pytest.mark.parametrize(("text", "expected"), [
    ("export", "Usage: `export #channel [days]`"),
    ("export #busy 0", "days should be between 1 and 365"),
    ("export #busy lots", "days should be a whole number"),
    ("export #ghost", "I can't find the channel `ghost`"),
    ("export @wjk68", "channel should be a channel, like #general"),
])
async def test_bad_input(emu: Emulator, bot: Runtime, text: str, expected: str) -> None:
    assert expected in said(await run(emu, bot, text))
    assert uploads(emu) == []


async def test_archived_empty_and_unjoined_channels(emu: Emulator, bot: Runtime) -> None:
    archived = emu.workspace.create_channel("archived", WILL)
    archived.members[emu.bot_user_id] = None
    archived.is_archived = True
    empty = emu.workspace.create_channel("empty", WILL)
    empty.members[emu.bot_user_id] = None
    outside = emu.workspace.create_channel("outside", WILL)
    emu.workspace.post(outside, {"user": WILL, "text": "hello"})
    assert "#archived is archived, so I can't export it" in said(await run(emu, bot, "export #archived"))
    assert "#empty has no messages from the last 30 days" in said(await run(emu, bot, "export #empty"))
    assert "I'm not in #outside yet" in said(await run(emu, bot, "export #outside"))
    assert uploads(emu) == []
    [offer] = [m for m in emu.ephemerals(user=WILL) if "Join #outside" in visible_text(m)]
    await (await emu.click(offer["channel"], offer["ts"], "sloth_join_retry", user=WILL)).acked()
    await settle(bot)
    _, rows = exported_rows(emu, WILL)
    assert [r["text"] for r in rows] == ["hello"]


async def test_a_failed_dm_upload_is_explained(emu: Emulator, bot: Runtime) -> None:
    emu.fail_next("files.completeUploadExternal", "missing_scope", needed="files:write")
    assert "missing the `files:write` permission (scope)" in said(await run(emu, bot, "export #busy 2"))
    assert file_messages(emu, dm_of(emu, WILL)) == []


async def test_export_from_a_dm(emu: Emulator, bot: Runtime) -> None:
    im, _ = emu.workspace.open_im(KENJI, emu.bot_user_id)
    await (await emu.user_message(user=KENJI, channel=im.id, text="export #busy 2")).acked()
    await settle(bot)
    _, rows = exported_rows(emu, KENJI)
    assert [r["ts"] for r in rows] == [m["ts"] for m in history_since(emu, "busy", 2)]
    assert "Sent you the export of #busy" in " ".join(m.get("text", "") for m in emu.messages(im.id))
