"""Slack's history limit for apps distributed outside the Marketplace (15 messages, one call a
minute): charts, exports and `history` answer with what they could read and say why."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bot.runtime.lifecycle import Runtime
from bot.testing import Sloth
from handlers.reading import LIMITED
from sloth_emulator import Emulator
from tests.e2e.files.filework import AMELIA, KENJI, WILL, channel, file_messages, run, said, uploads
from tests.e2e.harness import visible_text


def newest_of_busy(emu: Emulator, count: int) -> list[str]:
    busy = channel(emu, "busy")
    return [m["ts"] for m in emu.messages(busy.id) if "parent_user_id" not in m][-count:]


async def test_a_chart_of_a_limited_workspace_covers_the_days_it_could_read_and_says_so(
        emu: Emulator, bot: Runtime) -> None:
    unlimited = said(await run(emu, bot, "plot activity #busy 30", channel="general"))
    assert "Posted the activity chart of #busy" in unlimited and LIMITED not in unlimited
    emu.distributed_unlisted = True
    calls_before = len(emu.calls_to("conversations.history"))
    answer = said(await run(emu, bot, "plot activity #busy 30", channel="general"))
    # One call (another would wait a minute), and every step said what happened.
    assert len(emu.calls_to("conversations.history")) == calls_before + 1
    oldest = float(newest_of_busy(emu, 15)[0])
    days = (datetime.fromtimestamp(emu.workspace.now(), UTC).date() - datetime.fromtimestamp(oldest, UTC).date()).days
    covers = "today" if days == 0 else f"the last {days + 1} days"
    assert "Posted the activity chart of #busy" in answer
    assert f"{LIMITED}: this chart covers {covers} (the newest 15 messages), not the last 30 days." in answer
    limited = file_messages(emu, "general")[-1]
    assert f"Activity of #busy over {covers}: 15 messages" in limited["text"] and LIMITED in limited["text"]
    assert uploads(emu)[-1].title.startswith(f"Activity of #busy, {datetime.fromtimestamp(oldest, UTC):%b %d}")


async def test_an_export_of_a_limited_workspace_holds_the_newest_messages_and_says_so(
        emu: Emulator, bot: Runtime) -> None:
    emu.distributed_unlisted = True
    answer = said(await run(emu, bot, "export #busy 30", channel="general"))
    im, _ = emu.workspace.open_im(emu.bot_user_id, WILL)
    [message] = file_messages(emu, im.id)
    record = emu.workspace.files[message["files"][0]["id"]]
    rows = list(csv.DictReader(io.StringIO((record.content or b"").decode("utf-8-sig"), newline="")))
    expected = newest_of_busy(emu, 15)
    assert [r["ts"] for r in rows] == expected
    since = datetime.fromtimestamp(float(expected[0]), UTC)
    note = (f"{LIMITED}: this export holds only the newest 15 messages, from {since:%Y-%m-%d %H:%M} UTC, "
            "without thread replies.")
    assert note in message["text"] and note in answer and "Sent you the export of #busy" in answer
    assert emu.calls_to("conversations.replies") == []  # each thread would cost a minute


async def test_history_of_a_limited_workspace_shows_what_slack_gave_and_says_why(
        emu: Emulator, bot: Runtime) -> None:
    emu.distributed_unlisted = True
    answer = said(await run(emu, bot, "history #busy 50", channel="general"))
    assert "Last 15 messages in #busy" in answer and f"{LIMITED}, so these are the newest 15." in answer
    emu.distributed_unlisted = False
    full = said(await run(emu, bot, "history #busy 50", channel="general"))
    assert "Last 50 messages in #busy" in full and LIMITED not in full


async def test_a_thread_export_of_a_limited_workspace_says_it_holds_the_first_messages(
        emu: Emulator, bot: Runtime) -> None:
    busy = channel(emu, "busy")
    parent = emu.workspace.post(busy, {"user": AMELIA, "text": "a long thread"})
    for i in range(20):
        emu.workspace.post(busy, {"user": KENJI, "text": f"reply {i}"}, thread_ts=parent["ts"])
    emu.distributed_unlisted = True
    sloth = Sloth(emu, bot, bot.clock)
    await sloth.message_shortcut("export_thread", ("busy", parent["ts"]), user=WILL)
    done = await emu.wait_for(lambda: [p for p in emu.posts() if "as a CSV in a DM" in p.text])
    assert f"{LIMITED}: this file holds only the thread's first messages." in visible_text(done[0].message)
    [file] = [f for f in emu.uploaded() if f.name.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO((file.content or b"").decode("utf-8-sig"))))
    assert [r["text"] for r in rows] == ["a long thread", *(f"reply {i}" for i in range(14))]
