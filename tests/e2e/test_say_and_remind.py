"""`say` as a custom identity and `remind` through chat.scheduleMessage, in the member's own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.harness import ask, visible_text

WJK68, AMELIA, KENJI = "U01WJK68KS", "U01AMHART1", "U01KSATO01"


def posts(emu: Emulator, channel: str) -> list[dict]:
    return [m for m in emu.messages(channel) if m.get("bot_id")]


async def test_say_as_a_custom_name_and_icon(emulator: Emulator, bot: Runtime) -> None:
    body = await ask(emulator, bot, "say #python_content Tests passed as Python Test icon :snake:", user=AMELIA)
    [post] = posts(emulator, "python_content")
    assert (post["text"], post["username"], post["icons"]) == ("Tests passed", "Python Test", {"emoji": ":snake:"})
    assert post["metadata"] == {"event_type": "sloth_say", "event_payload": {"requested_by": AMELIA}}
    assert "Posted in <#C01PYTHONC> as *Python Test*" in visible_text(body) and "See it" in visible_text(body)
    await ask(emulator, bot, 'say #general "Deploy failed as usual" icon <https://example.com/a.png> as Alert',
              user=AMELIA)
    [alert] = posts(emulator, "general")
    assert (alert["text"], alert["username"]) == ("Deploy failed as usual", "Alert")
    assert alert["icons"]["image_48"] == "https://example.com/a.png"


async def test_mass_mentions_only_for_admins(emulator: Emulator, bot: Runtime) -> None:
    for mention in ("<!here>", "<!channel>", "<!everyone>", "<!subteam^S0123|@data>"):
        body = await ask(emulator, bot, f"say #general Standup now {mention}", user=AMELIA)
        assert "Only Sloth's admins" in visible_text(body) and "nothing was posted" in visible_text(body)
    assert posts(emulator, "general") == []
    await ask(emulator, bot, "say #general Standup now <!here> as Standup Bot", user=WJK68)  # an owner
    [post] = posts(emulator, "general")
    assert post["text"] == "Standup now <!here>"


@pytest.mark.parametrize(("typed", "says"), [
    ("say #general hello as Will Koehrsen", "reads as the name of a member (@wjk68)"),
    ("say #general hello as amelia", "reads as the name of a member (@amelia)"),
    ("say #general hello icon :not an emoji:", "not an emoji name"),
    ("say #general hello icon bananas", "emoji like `:snake:` or an image address"),
    ("say #general hello as " + "n" * 81, "at most 80"),
    ("say #general " + "w" * 4001, "at most 4,000"),
    ("say #general as Alert", "What should I say?"),
    ("say #nowhere hello", "can't find the channel `nowhere`"),
    ('say #general "hello" then more', "only `as <name>` and `icon"),
])
async def test_say_refusals_post_nothing(emulator: Emulator, bot: Runtime, typed: str, says: str) -> None:
    body = await ask(emulator, bot, typed, user=AMELIA)
    assert says in visible_text(body) and body["response_type"] == "ephemeral"
    assert emulator.calls_to("chat.postMessage") == []


async def test_say_in_an_archived_channel(emulator: Emulator, bot: Runtime) -> None:
    emulator.workspace.channels["C01TESTEXP"].is_archived = True
    body = await ask(emulator, bot, "say #testing_exp hello", user=AMELIA)
    assert "#testing_exp is archived, so nothing was posted" in visible_text(body)


def scheduled(emu: Emulator) -> dict:
    [entry] = emu.workspace.scheduled
    return entry


def dm_of(emu: Emulator, user: str) -> str:
    return emu.workspace.open_im(emu.bot_user_id, user)[0].id


async def test_remind_in_at_and_tomorrow_in_the_members_own_zone(emulator: Emulator, bot: Runtime) -> None:
    body = await ask(emulator, bot, "remind in 20m stretch your legs", user=AMELIA)
    entry = scheduled(emulator)
    assert abs(entry["post_at"] - (bot.ctx.clock() + 1200)) < 5 and entry["channel_id"] == dm_of(emulator, AMELIA)
    assert entry["text"] == ":alarm_clock: Reminder: stretch your legs"
    assert "I'll remind you <!date^" in visible_text(body) and "Greenwich Mean Time" in visible_text(body)
    emulator.workspace.scheduled.clear()
    await ask(emulator, bot, "remind at 17:00 send the report", user=AMELIA)
    local = datetime.fromtimestamp(scheduled(emulator)["post_at"], ZoneInfo("Europe/London"))
    assert (local.hour, local.minute) == (17, 0)
    emulator.workspace.scheduled.clear()
    await ask(emulator, bot, "remind tomorrow 9am call Amelia <!here>", user=KENJI)
    entry = scheduled(emulator)
    local = datetime.fromtimestamp(entry["post_at"], ZoneInfo("Asia/Tokyo"))
    today = datetime.fromtimestamp(bot.ctx.clock(), ZoneInfo("Asia/Tokyo")).date()
    assert (local.hour, (local.date() - today).days) == (9, 1)
    assert entry["text"].endswith("call Amelia @here") and entry["channel_id"] == dm_of(emulator, KENJI)


async def test_a_reminder_arrives_as_a_dm(emulator: Emulator, bot: Runtime) -> None:
    await ask(emulator, bot, "remind in 2s look up", user=AMELIA)
    dm = dm_of(emulator, AMELIA)
    arrived = await emulator.wait_for(lambda: [m for m in emulator.messages(dm) if "look up" in m.get("text", "")],
                                      timeout=10)
    assert arrived[0]["text"] == ":alarm_clock: Reminder: look up"


@pytest.mark.parametrize(("typed", "says"), [
    ("remind in -5m now", "negative"),
    ("remind in 200d later", "at most 17 weeks"),
    ("remind yesterday oops", "can't tell when"),
    ("remind tomorrow", "at what time"),
    ("remind in 20m", "What should I remind you of?"),
    ("remind at 25:00 late", "not a time of day"),
    ("remind at 5 tea", "in the morning or the evening"),
    ("remind in 5m " + "r" * 4001, "at most 4,000"),
])
async def test_remind_refusals_schedule_nothing(emulator: Emulator, bot: Runtime, typed: str, says: str) -> None:
    body = await ask(emulator, bot, typed, user=AMELIA)
    assert says in visible_text(body)
    assert emulator.calls_to("chat.scheduleMessage") == []


async def test_no_spelling_of_a_members_name_posts_as_them(emulator: Emulator, bot: Runtime) -> None:
    from tests.unit.test_lookalike import SPELLINGS

    for spelling in [*SPELLINGS[:20], "Amelia", "am\u0435lia", "Amelia Hart."]:
        body = await ask(emulator, bot, f"say #general deploy done as {spelling}", user=KENJI)
        assert "reads as the name of a member" in visible_text(body), spelling
    assert emulator.calls_to("chat.postMessage") == []
    await ask(emulator, bot, "say #general deploy done as Deploy Bot", user=KENJI)
    assert [p["username"] for p in posts(emulator, "general")] == ["Deploy Bot"]
