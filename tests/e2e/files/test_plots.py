"""`plot activity` and `plot members`: real PNGs uploaded with files upload v2, from every entry point."""

from __future__ import annotations

import pytest

from bot.runtime.lifecycle import Runtime
from handlers.reading import PAGE
from sloth_emulator import Emulator
from tests.e2e.files.filework import (
    AMELIA,
    PNG_SIZE,
    WILL,
    channel,
    distinct_colours,
    file_messages,
    png_size,
    run,
    said,
    uploads,
)
from tests.e2e.harness import settle, visible_text


async def test_activity_chart_is_a_real_png_posted_where_asked(emu: Emulator, bot: Runtime) -> None:
    bodies = await run(emu, bot, "plot activity #busy 30", channel="general")
    assert "Drawing the activity of #busy over the last 30 days" in visible_text(bodies[0])
    assert all(b["response_type"] == "ephemeral" for b in bodies)
    [record] = uploads(emu)
    assert png_size(record.content or b"") == PNG_SIZE
    assert distinct_colours(record.content or b"") > 20
    assert record.name == "activity-busy.png" and record.title.startswith("Activity of #busy")
    [message] = file_messages(emu, "general")
    assert message["files"][0]["id"] == record.id
    assert "Activity of #busy over the last 30 days" in message["text"] and "asked for by Will Koehrsen" in message[
        "text"]
    assert "Posted the activity chart of #busy" in visible_text(bodies[-1])
    # Every page of the history was read, and only that window.
    calls = emu.calls_to("conversations.history")
    assert all(c.args.get("oldest") for c in calls)
    assert int(calls[-1].args["limit"]) == PAGE and len(calls) > 1


async def test_activity_defaults_to_this_channel_and_takes_days_alone(emu: Emulator, bot: Runtime) -> None:
    await run(emu, bot, "plot activity", channel="busy")
    await run(emu, bot, "plot activity 7", channel="busy")
    first, second = uploads(emu)
    assert len(file_messages(emu, "busy")) == 2
    assert png_size(first.content or b"") == png_size(second.content or b"") == PNG_SIZE
    week = [c for c in emu.calls_to("conversations.history") if c.args["channel"] == channel(emu, "busy").id][-1]
    assert emu.workspace.now() - float(week.args["oldest"]) <= 7 * 86400


async def test_members_chart_of_the_workspace_and_of_a_channel(emu: Emulator, bot: Runtime) -> None:
    bodies = await run(emu, bot, "plot members", channel="general")
    assert "Posted the time-zone chart of the workspace" in said(bodies)
    quiet = emu.workspace.create_channel("duo", WILL)
    quiet.members.update(dict.fromkeys([AMELIA, emu.bot_user_id]))
    await run(emu, bot, "plot members #duo", channel="general")
    workspace_chart, duo_chart = uploads(emu)
    assert png_size(workspace_chart.content or b"") == png_size(duo_chart.content or b"") == PNG_SIZE
    assert "5 members of the workspace" in file_messages(emu, "general")[0]["text"]
    assert "2 members of #duo" in file_messages(emu, "general")[1]["text"]


async def test_a_mention_in_a_thread_gets_the_chart_in_the_thread(emu: Emulator, bot: Runtime) -> None:
    parent = emu.messages("random")[0]
    delivery = await emu.user_message(user=WILL, channel="random", thread_ts=parent["ts"],
                                      text=f"<@{emu.bot_user_id}> plot activity #busy 14")
    await delivery.acked()
    await settle(bot)
    [message] = file_messages(emu, "random")
    assert message["thread_ts"] == parent["ts"]
    notes = emu.ephemerals(user=WILL, channel="random")
    assert "Drawing" in visible_text(notes[0]) and "Posted" in visible_text(notes[-1])


async def test_a_dm_gets_the_chart_in_the_dm(emu: Emulator, bot: Runtime) -> None:
    im, _ = emu.workspace.open_im(AMELIA, emu.bot_user_id)
    await (await emu.user_message(user=AMELIA, channel=im.id, text="plot members")).acked()
    await settle(bot)
    [message] = file_messages(emu, im.id)
    assert png_size(emu.workspace.files[message["files"][0]["id"]].content or b"") == PNG_SIZE


async def test_a_slash_command_where_sloth_cannot_post_sends_the_chart_by_dm(emu: Emulator, bot: Runtime) -> None:
    outside = emu.workspace.create_channel("no-sloth", WILL)
    bodies = await run(emu, bot, "plot activity #busy", channel=outside.id)
    assert "I can't post in this conversation, so I sent you the activity chart of #busy in a DM" in said(bodies)
    assert file_messages(emu, outside.id) == []
    im, _ = emu.workspace.open_im(emu.bot_user_id, WILL)
    assert len(file_messages(emu, im.id)) == 1


async def test_a_private_channel_chart_never_goes_to_another_channel(emu: Emulator, bot: Runtime) -> None:
    secret = emu.workspace.create_channel("secret", WILL, is_private=True)
    secret.members[emu.bot_user_id] = None
    emu.workspace.post(secret, {"user": WILL, "text": "plans"})
    bodies = await run(emu, bot, "plot activity #secret", channel="general")
    assert "It comes from a private channel, so I sent you the activity chart of #secret in a DM" in said(bodies)
    assert file_messages(emu, "general") == []
    refused = await run(emu, bot, "plot activity #secret", user=AMELIA, channel="general")
    assert "I can't find the channel `secret` (or it is private and you are not in it)." in said(refused)
    assert len(uploads(emu)) == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("plot activity #nowhere", "I can't find the channel `nowhere`"),
    ("plot activity #busy 0", "days should be between 1 and 365"),
    ("plot activity #busy 366", "days should be between 1 and 365"),
    ("plot activity 400", "days should be between 1 and 365"),
    ("plot pie #busy", "I can plot `activity` or `members`, not `pie`"),
    ("plot", "Usage: `plot activity|members [#channel] [days]`"),
    ("plot members 7", "takes a channel but no number of days"),
    ("plot activity <!channel>", "should be a channel"),
])
async def test_bad_input_gets_a_clear_private_answer(emu: Emulator, bot: Runtime, text: str, expected: str) -> None:
    bodies = await run(emu, bot, text, channel="general")
    assert expected in said(bodies)
    assert all(b["response_type"] == "ephemeral" for b in bodies)
    assert "<!channel>" not in said(bodies)
    assert uploads(emu) == [] and not emu.calls_to("files.getUploadURLExternal")


async def test_archived_and_empty_channels(emu: Emulator, bot: Runtime) -> None:
    old = emu.workspace.create_channel("old-news", WILL)
    old.members[emu.bot_user_id] = None
    old.is_archived = True
    empty = emu.workspace.create_channel("empty", WILL)
    empty.members[emu.bot_user_id] = None
    assert "#old-news is archived, so I can't plot it" in said(await run(emu, bot, "plot activity #old-news"))
    assert "#empty has no messages from the last 30 days" in said(await run(emu, bot, "plot activity #empty"))
    assert uploads(emu) == []


async def test_missing_scope_is_explained_and_nothing_is_left_half_done(emu: Emulator, bot: Runtime) -> None:
    emu.fail_next("files.getUploadURLExternal", "missing_scope", needed="files:write", provided="chat:write")
    bodies = await run(emu, bot, "plot activity #busy", channel="general")
    assert "missing the `files:write` permission (scope)" in said(bodies)
    assert uploads(emu) == [] and file_messages(emu, "general") == []
    emu.fail_next("conversations.history", "missing_scope", needed="channels:history")
    assert "missing the `channels:history` permission (scope)" in said(await run(emu, bot, "plot activity #busy"))


async def test_not_in_channel_offers_to_join_and_then_plots(emu: Emulator, bot: Runtime) -> None:
    busy = channel(emu, "busy")
    del busy.members[emu.bot_user_id]
    bodies = await run(emu, bot, "plot activity #busy 7", channel="general")
    assert "I'm not in #busy yet, so I can't plot it. Shall I join it?" in said(bodies)
    assert uploads(emu) == []
    [offer] = emu.ephemerals(user=WILL, channel="general")
    await (await emu.click("general", offer["ts"], "sloth_join_retry", user=WILL)).acked()
    await settle(bot)
    assert emu.bot_user_id in busy.members
    assert [c.args["channel"] for c in emu.calls_to("conversations.join")] == [busy.id]
    [chart] = uploads(emu)
    assert png_size(chart.content or b"") == PNG_SIZE
    assert "Posted the activity chart of #busy" in visible_text(emu.ephemerals(user=WILL, channel="general")[-1])


async def test_a_private_channel_sloth_is_not_in_is_not_found(emu: Emulator, bot: Runtime) -> None:
    hidden = emu.workspace.create_channel("hidden", WILL, is_private=True)
    bodies = await run(emu, bot, f"plot activity <#{hidden.id}>")
    assert "can't find that channel (or it is private and I'm not in it)" in said(bodies)
