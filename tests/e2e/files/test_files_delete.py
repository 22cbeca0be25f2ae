"""`files` offers Delete on files Sloth uploaded: to whoever asked for the file, and to admins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.files.filework import AMELIA, JONAS, KENJI, PRIYA, WILL, run, uploads
from tests.e2e.harness import running_bot, settle, visible_text


def delete_buttons(message: dict[str, Any]) -> list[str]:
    return [b["accessory"]["action_id"] for b in message.get("blocks", [])
            if b.get("accessory", {}).get("action_id", "").startswith("files_delete:")]


async def listing_in_channel(emu: Emulator, bot: Runtime, user: str, channel: str = "general") -> dict[str, Any]:
    """`@sloth files #channel` in a channel: a list everyone there can see and click."""
    await (await emu.user_message(user=user, channel=channel,
                                  text=f"<@{emu.bot_user_id}> files #{channel}")).acked()
    await settle(bot)
    return [m for m in emu.messages(channel) if m.get("user") == emu.bot_user_id and "Recent files" in
            visible_text(m)][-1]


async def press(emu: Emulator, bot: Runtime, channel: str, message: dict[str, Any], action_id: str, user: str) -> None:
    await (await emu.click(channel, message["ts"], action_id, user=user)).acked()
    await settle(bot)


async def test_the_asker_deletes_their_chart_and_the_list_updates(emulator: Emulator, bot: Runtime) -> None:
    await run(emulator, bot, "plot members", user=AMELIA, channel="general")
    [chart] = uploads(emulator)
    listing = await listing_in_channel(emulator, bot, AMELIA)
    assert delete_buttons(listing) == [f"files_delete:{chart.id}"]
    button = next(b["accessory"] for b in listing["blocks"] if b.get("accessory"))
    assert button["style"] == "danger" and button["confirm"]["confirm"]["text"] == "Delete"
    await press(emulator, bot, "general", listing, f"files_delete:{chart.id}", AMELIA)
    assert chart.id not in emulator.workspace.files
    assert [c.args["file"] for c in emulator.calls_to("files.delete")] == [chart.id]
    edited = next(m for m in emulator.messages("general") if m["ts"] == listing["ts"])
    assert "Deleted `members-time-zones.png`" in visible_text(edited) and delete_buttons(edited) == []


async def test_someone_else_cannot_delete_but_an_admin_can(emulator: Emulator, bot: Runtime) -> None:
    await run(emulator, bot, "plot members", user=AMELIA, channel="general")
    [chart] = uploads(emulator)
    listing = await listing_in_channel(emulator, bot, KENJI)
    await press(emulator, bot, "general", listing, f"files_delete:{chart.id}", KENJI)
    [refusal] = emulator.ephemerals(user=KENJI, channel="general")
    assert "Only the member who asked me for that file, or an admin, can delete it." in visible_text(refusal)
    assert chart.id in emulator.workspace.files and not emulator.calls_to("files.delete")
    await press(emulator, bot, "general", listing, f"files_delete:{chart.id}", PRIYA)  # a workspace admin
    assert chart.id not in emulator.workspace.files


async def test_sloth_admins_may_delete_and_only_sloths_own_files(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, admins=frozenset({JONAS})) as bot:
        await run(emulator, bot, "plot members", user=AMELIA, channel="python_content")
        [chart] = uploads(emulator)
        listing = await listing_in_channel(emulator, bot, JONAS, "python_content")
        assert delete_buttons(listing) == [f"files_delete:{chart.id}"]  # not on the notebook Will shared
        # A forged button naming someone else's file: refused by Sloth before Slack is asked.
        forged = '{"f":"F01NOTEBK1","c":"files #python_content","p":0}'
        await (await emulator.click("python_content", listing["ts"], f"files_delete:{chart.id}", user=JONAS,
                                    value=forged)).acked()
        await settle(bot)
        assert "I only delete files I uploaded myself." in visible_text(emulator.ephemerals(user=JONAS)[-1])
        assert "F01NOTEBK1" in emulator.workspace.files
        await press(emulator, bot, "python_content", listing, f"files_delete:{chart.id}", JONAS)
        assert chart.id not in emulator.workspace.files


async def test_a_stale_button_is_explained(emulator: Emulator, bot: Runtime) -> None:
    await run(emulator, bot, "plot members", user=WILL, channel="general")
    [chart] = uploads(emulator)
    listing = await listing_in_channel(emulator, bot, WILL)
    del emulator.workspace.files[chart.id]  # deleted some other way meanwhile
    await press(emulator, bot, "general", listing, f"files_delete:{chart.id}", WILL)
    assert "I can't find that file." in visible_text(emulator.ephemerals(user=WILL)[-1])


async def test_exports_in_dms_are_listed_only_for_their_asker(emulator: Emulator, bot: Runtime) -> None:
    await run(emulator, bot, "export #python_content", user=AMELIA)
    [export] = uploads(emulator)
    mine = await run(emulator, bot, "files", user=AMELIA)
    assert export.name in visible_text(mine[0]) and f"files_delete:{export.id}" in visible_text(mine[0])
    theirs = await run(emulator, bot, "files", user=KENJI)
    assert export.name not in visible_text(theirs[0])
