"""`status`, `snooze` and `search` with the member's own token: every form, every refusal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.browser import link_buttons, oauth_settings
from tests.e2e.harness import ask, running_bot, settle, visible_text

WJK68, AMELIA = "U01WJK68KS", "U01AMHART1"
ACTING = ("users.profile.set", "dnd.setSnooze", "dnd.endSnooze", "search.messages")


@pytest.fixture
async def will(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Runtime]:
    """Sloth configured with Will's user token (SLACK_USER_TOKEN); nobody else has connected."""
    async with running_bot(emulator, tmp_path, user_token=emulator.user_token, **oauth_settings(emulator)) as bot:
        yield bot


def acting_calls(emu: Emulator) -> list[tuple[str, str | None]]:
    return [(c.method, emu.token_owner(c.token)) for c in emu.calls if c.method in ACTING]


async def test_status_for_until_and_clear(emulator: Emulator, will: Runtime) -> None:
    me = emulator.workspace.users[WJK68]
    body = await ask(emulator, will, "status :palm_tree: On holiday for 2h")
    assert me.status_emoji == ":palm_tree:" and me.status_text == "On holiday"
    assert abs(me.status_expiration - (will.ctx.clock() + 7200)) < 5
    assert "Your status is now :palm_tree: On holiday, until <!date^" in visible_text(body)
    await ask(emulator, will, "status :calendar: In a meeting until 17:00")
    local = datetime.fromtimestamp(me.status_expiration, ZoneInfo(me.tz))  # Will's own zone, New York
    assert (local.hour, local.minute, me.status_text) == (17, 0, "In a meeting")
    await ask(emulator, will, "status waiting for 2 people")  # "for 2 people" is words, not a duration
    assert (me.status_emoji, me.status_text, me.status_expiration) == ("", "waiting for 2 people", 0)
    assert "cleared" in visible_text(await ask(emulator, will, "status clear"))
    assert (me.status_emoji, me.status_text) == ("", "")
    assert {owner for _, owner in acting_calls(emulator)} == {WJK68}


@pytest.mark.parametrize(("typed", "says"), [
    ("status :x: Busy for -5m", "negative"),
    ("status :x: Busy for 9999d", "too far ahead"),
    ("status :x: Busy for 0m", "longer than zero"),
    ("status :x: Busy for 2x", "not a duration"),
    ("status :x: Busy until 25:00", "not a time of day"),
    ("status :not an emoji: hi", "not an emoji name"),
    ("status :notanemoji: hi", "not an emoji in this workspace"),
    ("status 🌴 away", "emoji by name"),
    ("status :x: " + "a" * 101, "at most 100"),
    ("status", "Usage:"),
    ("snooze 0", "longer than zero"),
    ("snooze -5m", "negative"),
    ("snooze 9999d", "between a minute and"),
    ("snooze soon", "not a duration"),
])
async def test_bad_input_changes_nothing(emulator: Emulator, will: Runtime, typed: str, says: str) -> None:
    before = json.dumps(emulator.workspace.users[WJK68].__dict__, sort_keys=True)
    body = await ask(emulator, will, typed)
    assert body["response_type"] == "ephemeral" and says in visible_text(body)
    assert json.dumps(emulator.workspace.users[WJK68].__dict__, sort_keys=True) == before
    assert emulator.workspace.dnd_of(WJK68).snooze_endtime == 0
    assert "error id" not in visible_text(body)


async def test_snooze_minutes_durations_and_off(emulator: Emulator, will: Runtime) -> None:
    dnd = emulator.workspace.dnd_of(WJK68)
    await ask(emulator, will, "snooze 120")
    assert abs(dnd.snooze_endtime - (will.ctx.clock() + 7200)) < 5
    body = await ask(emulator, will, "snooze 1h30m")
    assert abs(dnd.snooze_endtime - (will.ctx.clock() + 5400)) < 5
    assert "paused for 1 hour 30 minutes" in visible_text(body)
    assert "back on" in visible_text(await ask(emulator, will, "snooze off"))
    assert dnd.snooze_endtime == 0
    assert "were not paused" in visible_text(await ask(emulator, will, "snooze off"))


async def test_members_who_have_not_connected_get_the_button_and_nothing_else(
    emulator: Emulator, will: Runtime
) -> None:
    for line in ("status :x: mine", "snooze 2h", "search pandas"):
        body = await ask(emulator, will, line, user=AMELIA)
        assert body["response_type"] == "ephemeral" and "Connect to Slack" in visible_text(body)
        [link] = link_buttons(body)
        assert link.startswith(f"{will.settings.public_url}/slack/install?state=")
    assert acting_calls(emulator) == []
    assert emulator.workspace.users[AMELIA].status_text == "In a meeting"


async def test_search_shows_channel_author_time_and_permalink_a_page_at_a_time(
    emulator: Emulator, will: Runtime
) -> None:
    for n in range(23):
        await (await emulator.user_message(user=AMELIA, channel="random", text=f"deploy number {n}")).acked()
    await settle(will)
    body = await ask(emulator, will, "search deploy in:<#C01RANDOM1|random>")
    shown = visible_text(body)
    assert "23 messages match" in shown and "#random" in shown and "Amelia Hart" in shown
    assert "deploy number 22" in shown and "<!date^" in shown
    assert "https://data-analysis.slack.com/archives/C01RANDOM1/p" in shown and "Page 1 of 3" in shown
    [call] = emulator.calls_to("search.messages")
    assert call.args["query"] == "deploy in:#random" and emulator.token_owner(call.token) == WJK68
    [shown] = emulator.ephemerals(user=WJK68)
    await (await emulator.click(shown["channel"], shown["ts"], "sloth_page_next", user=WJK68)).acked()
    await settle(will)
    [shown] = emulator.ephemerals(user=WJK68)  # the same message, on its second page
    assert "Page 2 of 3" in visible_text(shown) and "deploy number 12" in visible_text(shown)
    assert emulator.calls_to("search.messages")[-1].args["page"] in (2, "2")
    empty = await ask(emulator, will, "search zebra-stripes")
    assert "No messages match `zebra-stripes`" in visible_text(empty)


async def test_search_from_a_mention_is_shown_only_to_the_asker(emulator: Emulator, will: Runtime) -> None:
    await (await emulator.user_message(user=WJK68, channel="general",
                                       text=f"<@{emulator.bot_user_id}> search pandas")).acked()
    await settle(will)
    assert [m for m in emulator.messages("general") if m.get("user") == emulator.bot_user_id] == []
    [private] = emulator.ephemerals(WJK68, "general")
    assert "pandas" in visible_text(private) and "#python_content" in visible_text(private)


async def test_status_from_a_dm(emulator: Emulator, will: Runtime) -> None:
    im, _ = emulator.workspace.open_im(WJK68, emulator.bot_user_id)
    await (await emulator.user_message(user=WJK68, channel=im.id, text="status :memo: Writing")).acked()
    await settle(will)
    assert emulator.workspace.users[WJK68].status_text == "Writing"
    assert "Your status is now :memo: Writing" in emulator.messages(im.id)[-1]["text"]
