"""Admin commands on channels: `create`, `purpose`, `invite`, `archive`, and the join-and-retry button."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.harness import ask, running_bot, settle, table_rows, visible_text

WJK68, AMELIA, JONAS, KENJI, PRIYA = "U01WJK68KS", "U01AMHART1", "U01JBECKER", "U01KSATO01", "U01PNAIR01"
CHANGES = ("conversations.create", "conversations.setPurpose", "conversations.invite", "conversations.archive",
           "conversations.join")


def changes(emu: Emulator) -> list[str]:
    return [c.method for c in emu.calls if c.method in CHANGES]


def channel_named(emu: Emulator, name: str):  # type: ignore[no-untyped-def]
    return next((c for c in emu.workspace.channels.values() if c.name == name), None)


async def test_create_with_purpose_adds_the_admin(emulator: Emulator, bot: Runtime) -> None:
    body = await ask(emulator, bot, "create ml-papers Papers we are reading", user=WJK68)
    made = channel_named(emulator, "ml-papers")
    assert made is not None and made.purpose == "Papers we are reading" and WJK68 in made.members
    assert f"Created <#{made.id}> with the purpose “Papers we are reading” and added you" in visible_text(body)
    listed = table_rows(await ask(emulator, bot, "channels ml-papers", user=WJK68))
    assert any("ml-papers" in row[0] and "Papers we are reading" in " ".join(row) for row in listed[1:]), listed


@pytest.mark.parametrize(("typed", "says"), [
    ("create Data-Team", "Try `data-team`"),
    ("create data.team", "Try `data-team`"),
    ("create " + "x" * 81, "at most 80"),
    ("create ---", "at least one letter or number"),
    ("create general", "already a channel called #general"),
    ("create fine-name " + "p" * 251, "at most 250"),
])
async def test_create_refusals_leave_nothing_behind(emulator: Emulator, bot: Runtime, typed: str, says: str) -> None:
    before = set(emulator.workspace.channels)
    body = await ask(emulator, bot, typed, user=WJK68)
    assert body["response_type"] == "ephemeral" and says in visible_text(body)
    assert set(emulator.workspace.channels) == before


async def test_create_says_when_the_purpose_failed(emulator: Emulator, bot: Runtime) -> None:
    emulator.fail_next("conversations.setPurpose", "fatal_error")
    body = await ask(emulator, bot, "create half-done Some purpose", user=WJK68)
    made = channel_named(emulator, "half-done")
    assert made is not None and made.purpose == ""
    shown = visible_text(body)
    assert f"Created <#{made.id}>, but setting its purpose failed" in shown and "fatal_error" in shown
    assert "/sloth purpose #half-done" in shown


async def test_non_admins_are_refused_and_nothing_changes(emulator: Emulator, bot: Runtime) -> None:
    for line in ("create sneaky", "purpose #random new", "invite #random @kenji", "archive #random"):
        body = await ask(emulator, bot, line, user=AMELIA)
        assert "Only Sloth's admins" in visible_text(body), line
    assert changes(emulator) == []


async def test_sloth_admins_setting_and_workspace_admins_both_count(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, admins=frozenset({AMELIA})) as bot:
        await ask(emulator, bot, "purpose #random Philosophy, mostly", user=AMELIA)
        await ask(emulator, bot, "purpose #random Tuesdays only", user=PRIYA)  # a workspace admin
        assert emulator.workspace.channel("random").purpose == "Tuesdays only"  # type: ignore[union-attr]
        assert "Only Sloth's admins" in visible_text(await ask(emulator, bot, "archive #random", user=JONAS))


async def test_purpose_invite_and_archive_where_sloth_must_join_first(emulator: Emulator, bot: Runtime) -> None:
    ws = emulator.workspace
    lab = ws.create_channel("lab", AMELIA)
    body = await ask(emulator, bot, "purpose #lab Experiments <!here>", user=WJK68)
    assert "I'm not in #lab yet" in visible_text(body) and ws.channels[lab.id].purpose == ""
    [offer] = emulator.ephemerals(user=WJK68)
    await (await emulator.click(offer["channel"], offer["ts"], "sloth_join_retry", user=WJK68)).acked()
    await settle(bot)
    assert emulator.bot_user_id in lab.members and lab.purpose == "Experiments <!here>"
    [done] = emulator.ephemerals(user=WJK68)  # the offer was replaced by the result
    assert "is now “Experiments @here”" in visible_text(done) and "<!here>" not in visible_text(done)

    invited = await ask(emulator, bot, "invite #lab @jonas <@U01KSATO01|kenji> @amelia", user=WJK68)
    assert {JONAS, KENJI} <= set(lab.members)
    assert "Invited Jonas Becker, Kenji Sato" in visible_text(invited)
    assert "Already there: Amelia Hart" in visible_text(invited)

    archived = await ask(emulator, bot, "archive #lab", user=WJK68)
    assert lab.is_archived and "Archived #lab" in visible_text(archived)
    assert "already archived" in visible_text(await ask(emulator, bot, "archive #lab", user=WJK68))
    for line in ("purpose #lab again", "invite #lab @priya"):
        assert "archived, so nothing was changed" in visible_text(await ask(emulator, bot, line, user=WJK68))


async def test_invite_names_everyone_it_cannot_find_and_invites_nobody(emulator: Emulator, bot: Runtime) -> None:
    lab = emulator.workspace.create_channel("lab", emulator.bot_user_id)
    body = await ask(emulator, bot, "invite #lab @jonas @nobody-here @ghost", user=WJK68)
    assert "`@nobody-here`, `@ghost`" in visible_text(body) and "nobody was invited" in visible_text(body)
    assert set(lab.members) == {emulator.bot_user_id}


@pytest.mark.parametrize(("typed", "says"), [
    ("archive #general", "general channel"),
    ("archive #nowhere", "can't find the channel `nowhere`"),
    ("purpose #random " + "p" * 251, "at most 250"),
    ("invite #random @nobody", "can't find `@nobody`"),
])
async def test_refusals(emulator: Emulator, bot: Runtime, typed: str, says: str) -> None:
    assert says in visible_text(await ask(emulator, bot, typed, user=WJK68))
    assert changes(emulator) == []


async def test_the_join_button_checks_permission_again_before_joining(emulator: Emulator, bot: Runtime) -> None:
    lab = emulator.workspace.create_channel("lab", AMELIA)
    await ask(emulator, bot, "archive #lab", user=WJK68)
    [offer] = emulator.ephemerals(user=WJK68)
    will = emulator.workspace.users[WJK68]
    will.is_admin = will.is_owner = will.is_primary_owner = False  # no longer an admin when clicking
    await (await emulator.click(offer["channel"], offer["ts"], "sloth_join_retry", user=WJK68)).acked()
    await settle(bot)
    assert any("Only Sloth's admins" in visible_text(m) for m in emulator.ephemerals(user=WJK68))
    assert emulator.bot_user_id not in lab.members and not lab.is_archived
    assert changes(emulator) == ["conversations.archive"]  # the first try, refused with not_in_channel


async def test_a_missing_scope_is_named(emulator: Emulator, bot: Runtime) -> None:
    scopes = {"users:read", "chat:write", "commands", "channels:read", "groups:read", "im:write"}
    emulator.restrict_scopes(emulator.bot_token, scopes)
    body = await ask(emulator, bot, "create new-thing", user=WJK68)
    assert "missing the `channels:manage` permission" in visible_text(body)
    assert channel_named(emulator, "new-thing") is None
