"""Message shortcuts: "Export this thread" (a CSV by DM), "Remind me about this" (remind's form,
filled in with a link to the message) and "Chart this channel" (plot activity), each acting for the
member who used it, answered to them alone; a feature's own shortcut, with its limit. Real Bolt
and SDK clients against the emulator.

The tests that stand for each surface run over Socket Mode and over HTTP (Slack's requests signed,
to /slack/events)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.api import MessageShortcut, Reply, Router, notice
from bot.config.limits import Limit
from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot

AMELIA, KENJI = "U01AMHART1", "U01KSATO01"


@pytest.fixture
async def sloth(emulator: Emulator, tmp_path: Path, transport: str) -> AsyncIterator[Sloth]:
    """Sloth on the real clock (chat.scheduleMessage is judged by the emulator's)."""
    async with running_bot(emulator, tmp_path, env={"SLOTH_FILES_DIR": "."}, features=[__name__],
                           transport=transport) as runtime:
        yield Sloth(emulator, runtime, runtime.clock)


async def thread_in(slack: Emulator, channel: str, *replies: str) -> str:
    """A thread started in `channel` by Amelia, with `replies` by Kenji; the thread's ts."""
    started = await slack.user_message(user="amelia", channel=channel, text="Shall we ship on Friday?")
    await started.acked()
    ts = started.payload["event"]["ts"]
    for reply in replies:
        await (await slack.user_message(user="kenji", channel=channel, text=reply, thread_ts=ts)).acked()
    return str(ts)


def csv_rows(slack: Emulator) -> list[dict[str, str]]:
    [file] = [f for f in slack.uploaded() if f.name.endswith(".csv")]
    assert file.content is not None
    return list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"))))


@pytest.mark.both_transports
async def test_export_this_thread_sends_the_thread_as_a_csv_by_dm(sloth: Sloth, slack: Emulator) -> None:
    ts = await thread_in(slack, "general", "Friday works", "Thursday is safer")
    reply = next(m for m in slack.messages("general") if m.get("text") == "Thursday is safer")
    answer = await sloth.message_shortcut("export_thread", ("general", reply["ts"]), user="kenji")
    assert all(p.ephemeral_to == KENJI for p in answer.posts if p.channel == slack.workspace.channel("general").id)
    done = await slack.wait_for(lambda: [p for p in slack.posts() if "as a CSV in a DM" in p.text])
    assert done[0].ephemeral_to == KENJI
    rows = csv_rows(slack)
    assert [r["text"] for r in rows] == ["Shall we ship on Friday?", "Friday works", "Thursday is safer"]
    assert {r["thread"] for r in rows} == {ts}
    [file] = [f for f in slack.uploaded() if f.name.endswith(".csv")]
    assert file.shares and all(slack.workspace.channels[c].is_im for c in file.shares)


@pytest.mark.both_transports
async def test_remind_me_about_this_opens_reminds_form_filled_in_for_the_member(sloth: Sloth,
                                                                                slack: Emulator) -> None:
    ts = await thread_in(slack, "random")
    form = await sloth.message_shortcut("remind_message", ("random", ts), user="amelia")
    [reminder] = [b for b in form.view["blocks"] if b.get("block_id") == "reminder"]
    filled = reminder["element"]["initial_value"]
    assert filled.startswith("in 1h about https://") and "/archives/" in filled
    answer = await sloth.submit_view(form, {"reminder": filled.replace("in 1h", "in 2h")})
    assert answer.ack is None and "I'll remind you" in answer.text
    assert answer.posts[0].ephemeral_to == AMELIA and answer.posts[0].channel == slack.workspace.channel("random").id
    [scheduled] = slack.workspace.scheduled
    assert scheduled["text"].startswith(":alarm_clock: Reminder: about https://")
    assert scheduled["post_at"] > sloth.clock() + 3600


async def test_chart_this_channel_plots_its_activity_for_the_member(sloth: Sloth, slack: Emulator) -> None:
    said = slack.messages("general")[-1]
    await sloth.message_shortcut("chart_activity", ("general", said["ts"]), user="amelia")
    done = await slack.wait_for(lambda: [p for p in slack.posts() if "the activity chart of #general" in p.text],
                                timeout=30)
    assert done[0].ephemeral_to == AMELIA
    assert [f.name for f in slack.uploaded()] == ["activity-general.png"]


# -- a feature's own shortcut -----------------------------------------------------------------------

router = Router("quoter")


@router.message_shortcut("quote_it", "Quote it", "Quote this message back to me", limit=Limit(per_hour=2))
async def quote(ctx: Any, shortcut: MessageShortcut) -> Reply:
    return notice(f"> {shortcut.text} (quoted for <@{shortcut.user}>)")


async def test_a_features_shortcut_answers_the_member_alone_within_its_limit(sloth: Sloth, slack: Emulator) -> None:
    said = await slack.user_message(user="kenji", channel="general", text="<!here> look <@U01WJK68KS>")
    await said.acked()
    ts = said.payload["event"]["ts"]
    answer = await sloth.message_shortcut("quote_it", ("general", ts), user="amelia")
    [post] = answer.posts
    assert post.ephemeral_to == AMELIA and post.text.endswith(f"(quoted for <@{AMELIA}>)")
    assert "<!here>" not in post.text and "<@U01WJK68KS>" not in post.text  # the message is input: inert
    await sloth.message_shortcut("quote_it", ("general", ts), user="amelia")
    third = await sloth.message_shortcut("quote_it", ("general", ts), user="amelia")
    assert "the most each member can" in third.text
    assert "(quoted for" in (await sloth.message_shortcut("quote_it", ("general", ts), user="kenji")).text
