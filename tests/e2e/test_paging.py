"""Long lists: one page at a time, Next/Previous edit the same message, events keep the cache fresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator, Workspace
from tests.e2e.harness import ask, running_bot, settle, table_rows, visible_text


@pytest.fixture
async def big() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.generated(users=95, channels=45, seed=3)) as emu:
        yield emu


pytestmark = pytest.mark.both_transports  # buttons and events, over Socket Mode and over HTTP


@pytest.fixture
async def big_bot(big: Emulator, tmp_path: Path, transport: str) -> AsyncIterator[Runtime]:
    async with running_bot(big, tmp_path, transport=transport) as runtime:
        yield runtime


def members(emu: Emulator) -> list:
    return [u for u in emu.workspace.users.values() if not u.deleted and u.id != "USLACKBOT"]


def member_pages(emu: Emulator) -> int:
    return -(-len(members(emu)) // 10)


def names_on(message: dict) -> list[str]:
    """The handles listed on a page of `users` (its table's second column)."""
    return [row[1].removeprefix("@") for row in table_rows(message)[1:]]


async def press(emu: Emulator, runtime: Runtime, message: dict, action_id: str, user: str) -> None:
    await (await emu.click(channel=message["channel"], ts=message["ts"], action_id=action_id, user=user)).acked()
    await settle(runtime)


async def test_next_and_previous_edit_the_same_message(big: Emulator, big_bot: Runtime) -> None:
    asker = big.workspace.first_human().id
    pages = member_pages(big)
    assert pages > 2
    body = await ask(big, big_bot, "users", user=asker)
    assert f"Page 1 of {pages}" in visible_text(body)
    [shown] = big.ephemerals(user=asker)
    first_page = names_on(shown)
    assert len(first_page) == 10

    await press(big, big_bot, shown, "sloth_page_next", asker)
    [shown] = big.ephemerals(user=asker)  # still one message: edited, not added
    assert f"Page 2 of {pages}" in visible_text(shown)
    second_page = names_on(shown)
    assert len(second_page) == 10 and not set(first_page) & set(second_page)

    await press(big, big_bot, shown, "sloth_page_prev", asker)
    [shown] = big.ephemerals(user=asker)
    assert names_on(shown) == first_page
    assert len(big.calls_to("users.list")) == 1  # pages come from the directory, not new list calls


async def test_all_members_reachable_through_pages(big: Emulator, big_bot: Runtime) -> None:
    asker = big.workspace.first_human().id
    await ask(big, big_bot, "users", user=asker)
    seen: list[str] = []
    pages = member_pages(big)
    for page in range(pages):
        [shown] = big.ephemerals(user=asker)
        seen += names_on(shown)
        if page < pages - 1:
            await press(big, big_bot, shown, "sloth_page_next", asker)
    [shown] = big.ephemerals(user=asker)
    assert "Next" not in visible_text(shown)
    assert len(seen) == len(members(big)) == len(set(seen))


async def test_channel_events_keep_the_directory_fresh(big: Emulator, big_bot: Runtime) -> None:
    await ask(big, big_bot, "channels")
    lists = len(big.calls_to("conversations.list"))
    fresh = big.workspace.create_channel("fresh-news", creator=big.workspace.first_human().id)
    await (await big.send_event({"type": "channel_created", "channel": {"id": fresh.id, "name": fresh.name,
                                                                       "created": 1, "creator": "U1"}})).acked()
    await settle(big_bot)
    assert "fresh-news" in visible_text(await ask(big, big_bot, "channels fresh"))
    await (await big.send_event({"type": "channel_rename", "channel": {"id": fresh.id, "name": "old-news"}})).acked()
    await (await big.send_event({"type": "channel_archive", "channel": fresh.id, "user": "U1"})).acked()
    await settle(big_bot)
    assert "No channels matching" in visible_text(await ask(big, big_bot, "channels news"))
    assert len(big.calls_to("conversations.list")) == lists


async def test_member_events_keep_the_directory_fresh(big: Emulator, big_bot: Runtime) -> None:
    await ask(big, big_bot, "users")
    lists = len(big.calls_to("users.list"))
    newcomer = {"id": "U0NEWCOMER", "name": "newcomer", "real_name": "Nova Newcomer", "tz_label": "Pacific Time",
                "profile": {"real_name": "Nova Newcomer", "status_text": "First day!", "status_emoji": ":wave:"}}
    await (await big.send_event({"type": "team_join", "user": newcomer})).acked()
    await settle(big_bot)
    assert "First day!" in visible_text(await ask(big, big_bot, "users nova"))
    changed = {**newcomer, "profile": {**newcomer["profile"], "status_text": "Settled in"}}
    await (await big.send_event({"type": "user_change", "user": changed})).acked()
    await settle(big_bot)
    assert "Settled in" in visible_text(await ask(big, big_bot, "users nova"))
    assert len(big.calls_to("users.list")) == lists


async def test_periodic_resync_catches_changes_missed_while_away(big: Emulator, big_bot: Runtime) -> None:
    from sloth_emulator.model import User

    await ask(big, big_bot, "users")
    template = big.workspace.first_human()
    big.workspace.add_user(User(id="U0QUIET", name="quiet.one", real_name="Quinn Quiet", email="q@example.com",
                                tz=template.tz, tz_label=template.tz_label, tz_offset=template.tz_offset))
    assert "No members matching" in visible_text(await ask(big, big_bot, "users quiet.one"))  # no event was sent
    await big_bot.directory.resync()
    assert "Quinn Quiet" in visible_text(await ask(big, big_bot, "users quiet.one"))
