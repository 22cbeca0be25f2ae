"""The stand-up feature as members meet it, through Sloth's test kit (its pytest fixtures)."""

from __future__ import annotations

import json
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.api import ChannelRef
from bot.config.problems import Problems
from bot.features.loader import load_features
from bot.testing import Posted, Sloth
from sloth_emulator import Emulator

# The kit's fake clock starts on Tuesday 2023-11-14 at 22:13:20 UTC (22:13 in London too).
TUESDAY, WEDNESDAY = "2023-11-14", "2023-11-15"
# Tuesday as Slack words it for each reader ("Today", "Yesterday", "Nov 14th"): its noon in London.
SHOWN_TUESDAY = "<!date^1699963200^{date_short_pretty}|2023-11-14>"
HOUR = 3600.0
standup = pytest.mark.sloth(features=["sloth_standup"], builtins=["handlers.help"],
                            env={"STANDUP_CHANNEL": "#standup", "STANDUP_TIMEZONE": "Europe/London"})


def member(slack: Emulator, name: str) -> str:
    return next(u.id for u in slack.workspace.users.values() if u.name == name)


def channel_id(slack: Emulator, name: str = "standup") -> str:
    found = slack.workspace.channel(name)
    assert found is not None
    return found.id


def bot_posts(sloth: Sloth, slack: Emulator) -> list[dict[str, Any]]:
    return [m for m in sloth.messages(channel_id(slack)) if m.get("user") == slack.bot_user_id]


async def post(sloth: Sloth, slack: Emulator, text: str, user: str = "wjk68") -> Posted:
    """`/sloth standup <text>` as `user`; the stand-up's card in #standup."""
    answer = await sloth.command(f"standup {text}", user=user)
    [card] = [p for p in answer.posts if p.channel == channel_id(slack)]
    return card


async def day(sloth: Sloth, date: str = TUESDAY) -> dict[str, Any]:
    stored = await sloth.context("standup").store.get(f"day:{date}")
    assert isinstance(stored, dict), f"nothing stored for {date}"
    return stored


@standup
async def test_a_stand_up_is_posted_in_the_channel_keeping_its_lines(sloth: Sloth, slack: Emulator) -> None:
    amelia = member(slack, "amelia")
    typed = f"standup Shipped the login page\nNext: the signup form\n\nPaired with <@{amelia}|amelia>"
    answer = await sloth.command(typed)
    [note] = [p for p in answer.posts if p.ephemeral_to]
    assert note.text == f"Posted your stand-up in <#{channel_id(slack)}>."
    [card] = bot_posts(sloth, slack)
    text = card["blocks"][0]["text"]["text"]
    assert text == (f"*Stand-up of Will Koehrsen* · {SHOWN_TUESDAY}\n"
                    ">Shipped the login page\n>Next: the signup form\n>\n>Paired with @amelia")
    assert f"<@{amelia}" not in Posted(channel_id(slack), card["ts"], card).visible  # named, never pinged
    assert set(Posted(channel_id(slack), card["ts"], card).buttons) == {"standup:done", "standup:blocked",
                                                                      "standup:help"}


@standup
async def test_posting_again_the_same_day_rewrites_the_same_message(sloth: Sloth, slack: Emulator) -> None:
    first = await post(sloth, slack, "Reviewed two pull requests")
    answer = await sloth.command("standup Reviewed three pull requests")
    assert "Rewrote your stand-up" in answer.text
    [card] = bot_posts(sloth, slack)
    assert card["ts"] == first.ts and "Reviewed three pull requests" in card["blocks"][0]["text"]["text"]
    assert len(sloth.calls("chat.postMessage")) == 1 and len(sloth.calls("chat.update")) == 1


@standup
async def test_the_store_holds_each_members_entry_for_the_day(sloth: Sloth, slack: Emulator) -> None:
    will, amelia = member(slack, "wjk68"), member(slack, "amelia")
    will_card = await post(sloth, slack, "Fixed the flaky test")
    amelia_card = await post(sloth, slack, "Wrote the migration", user="amelia")
    assert await day(sloth) == {
        will: {"text": "Fixed the flaky test", "status": "open", "helpers": [], "channel": channel_id(slack),
               "ts": will_card.ts},
        amelia: {"text": "Wrote the migration", "status": "open", "helpers": [], "channel": channel_id(slack),
                 "ts": amelia_card.ts},
    }
    board = await sloth.command("standup")
    assert f"Stand-ups for {SHOWN_TUESDAY}* (2)" in board.visible
    assert board.visible.index("Amelia") < board.visible.index("Will Koehrsen")


@pytest.mark.sloth(features=["sloth_standup"], builtins=False,
                   env={"STANDUP_CHANNEL": "#standup", "STANDUP_TIMEZONE": "Asia/Tokyo"})
async def test_today_is_the_day_in_the_teams_time_zone(sloth: Sloth, slack: Emulator) -> None:
    await post(sloth, slack, "Early start")  # 22:13 UTC is 07:13 the next morning in Tokyo
    assert set(await day(sloth, WEDNESDAY)) == {member(slack, "wjk68")}
    assert await sloth.context("standup").store.get(f"day:{TUESDAY}") is None


@standup
async def test_done_edits_the_same_message_and_only_its_author_may_press_it(sloth: Sloth, slack: Emulator) -> None:
    card = await post(sloth, slack, "Deployed the API")
    pressed = await sloth.click(card, "standup:done", user="wjk68")
    [edited] = pressed.posts
    assert (edited.channel, edited.ts) == (card.channel, card.ts) and "✅ Done" in edited.visible
    assert (await day(sloth))[member(slack, "wjk68")]["status"] == "done"

    before = bot_posts(sloth, slack)
    refused = await sloth.click(card, "standup:blocked", user="amelia")
    [note] = refused.posts
    assert note.ephemeral_to == member(slack, "amelia")
    assert note.text.startswith("Only Will Koehrsen can mark this stand-up blocked")
    assert bot_posts(sloth, slack) == before
    assert (await day(sloth))[member(slack, "wjk68")]["status"] == "done"


@standup
async def test_colleagues_offer_help_and_can_take_it_back(sloth: Sloth, slack: Emulator) -> None:
    card = await post(sloth, slack, "Stuck on the VPN")
    await sloth.click(card, "standup:blocked", user="wjk68")
    await sloth.click(card, "standup:help", user="amelia")
    second = await sloth.click(card, "standup:help", user="jonas")
    assert "🚧 Blocked · Can help: Amelia Hart, Jonas Becker" in second.visible
    again = await sloth.click(card, "standup:help", user="amelia")
    assert "Can help: Jonas Becker" in again.visible and "Amelia" not in again.visible
    assert (await day(sloth))[member(slack, "wjk68")]["helpers"] == [member(slack, "jonas")]
    own = await sloth.click(card, "standup:help", user="wjk68")
    assert own.posts[0].ephemeral_to and "your own stand-up" in own.text


@standup
async def test_a_forged_or_old_button_changes_nothing(sloth: Sloth, slack: Emulator) -> None:
    will_card = await post(sloth, slack, "Planning")
    await post(sloth, slack, "Interviews", user="amelia")
    before, stored = bot_posts(sloth, slack), await day(sloth)

    # Will's card, with a value naming Amelia's stand-up: the value does not belong to the message.
    amelia = member(slack, "amelia")
    forged = await sloth.click(will_card, "standup:done", user="amelia", value=f"{TUESDAY}/{amelia}")
    assert "does not belong to this stand-up" in forged.text
    made_up = await sloth.click(will_card, "standup:done", user="wjk68", value="DROP TABLE")
    assert "not one I made" in made_up.text

    await sloth.advance(24 * HOUR)  # Wednesday: Tuesday's card is history
    old = await sloth.click(will_card, "standup:done", user="wjk68")
    assert f"That stand-up was for {SHOWN_TUESDAY}" in old.text
    assert [m for m in bot_posts(sloth, slack) if m["ts"] in {p["ts"] for p in before}] == before
    assert await day(sloth) == stored


@standup
async def test_the_reminder_comes_once_a_day_at_its_time(sloth: Sloth, slack: Emulator) -> None:
    card = await post(sloth, slack, "Waiting for access to the cluster")
    await sloth.click(card, "standup:blocked", user="wjk68")

    def reminders() -> list[dict[str, Any]]:
        return [m for m in bot_posts(sloth, slack) if m["text"].startswith("Time for stand-up!")]

    await sloth.advance(11 * HOUR)  # Wednesday 09:13
    assert reminders() == []
    await sloth.advance(20 * 60)  # 09:33: the 09:30 reminder is due
    [first] = reminders()
    assert "`/sloth standup <what you did" in first["text"]
    assert "Blocked at the end of yesterday: Will Koehrsen" in first["blocks"][1]["elements"][0]["text"]
    await sloth.advance(HOUR)
    assert len(reminders()) == 1
    await sloth.advance(23 * HOUR)  # Thursday 09:33
    [_, second] = reminders()
    assert len(second["blocks"]) == 1  # nobody was blocked on Wednesday


@pytest.mark.sloth(features=["sloth_standup"], builtins=False,
                   env={"STANDUP_REMINDER": "8:00", "STANDUP_TIMEZONE": "America/New_York"})
async def test_the_reminder_time_and_zone_are_settings(sloth: Sloth, slack: Emulator) -> None:
    # 08:00 in New York (UTC-5 in November) is 13:00 UTC: 14 h 46 min 40 s after the clock's start.
    await sloth.advance(14 * HOUR + 46 * 60)
    assert bot_posts(sloth, slack) == []
    await sloth.advance(60)
    [reminder] = bot_posts(sloth, slack)
    assert reminder["text"].startswith("Time for stand-up!")


@pytest.mark.sloth(features=["sloth_standup"], builtins=False, env={"STANDUP_CHANNEL": "#nowhere"})
async def test_a_missing_channel_is_explained(sloth: Sloth) -> None:
    answer = await sloth.command("standup Did things")
    assert "There is no channel `#nowhere` for stand-ups" in answer.text and "STANDUP_CHANNEL" in answer.text
    assert sloth.calls("chat.postMessage") == []


@standup
async def test_help_shows_usage_and_examples(sloth: Sloth) -> None:
    answer = await sloth.command("help standup")
    assert "Usage: `/sloth standup [update…]`" in answer.visible
    assert "/sloth standup Shipped the login page. Next: the signup form." in answer.visible


def test_bad_settings_stop_sloth_at_start_each_one_said() -> None:
    env = {"SLOTH_FEATURES": "sloth_standup", "STANDUP_REMINDER": "25:99", "STANDUP_TIMEZONE": "Mars/Olympus",
           "STANDUP_CHANNEL": "#not a channel"}
    with pytest.raises(Problems) as caught:
        load_features(env, builtins=(), installed=False)
    assert caught.value.problems == [
        "STANDUP_CHANNEL must be a channel like #standup, not '#not a channel'.",
        "STANDUP_REMINDER must be a time of day like 09:30 or 5pm, not '25:99'.",
        "STANDUP_TIMEZONE must be a time zone like Europe/London, not 'Mars/Olympus'.",
    ]


def test_with_no_settings_at_all_the_defaults_hold() -> None:
    registry = load_features({"SLOTH_FEATURES": "sloth_standup"}, builtins=(), installed=False)
    feature = registry.feature("standup")
    assert feature is not None
    assert dict(feature.config) == {"channel": ChannelRef(name="standup"), "reminder": time(9, 30),
                                    "timezone": ZoneInfo("UTC")}


@standup
async def test_standup_gets_a_form_without_view_code(sloth: Sloth, slack: Emulator) -> None:
    menu = await sloth.open_form(user="amelia")
    assert "standup" in [o["value"] for o in menu.view["blocks"][0]["element"]["options"]]
    form = await sloth.submit_view(menu, {"command": "standup"})
    [field] = [b for b in form.view["blocks"] if b["type"] == "input"]
    assert field["block_id"] == "update" and field["optional"] is True
    assert field["element"]["type"] == "plain_text_input" and field["element"]["multiline"] is True
    answer = await sloth.submit_view(form, {"update": "Fixed the flaky test\nNext: <the release> & notes"})
    assert answer.ack is None and [p.text for p in answer.posts if p.ephemeral_to] == [
        f"Posted your stand-up in <#{channel_id(slack)}>."]
    [card] = bot_posts(sloth, slack)
    shown = " ".join(str(b.get("text", {}).get("text", "")) for b in card["blocks"])
    assert ">Fixed the flaky test\n>Next: &lt;the release&gt; &amp; notes" in shown  # its lines, made inert


@standup
async def test_a_workflow_posts_the_stand_up_of_the_member_who_runs_it(sloth: Sloth, slack: Emulator) -> None:
    run = await sloth.step("standup", {"update": "Shipped the login page"}, user="amelia")
    assert run.status == "completed", run.error
    assert run.outputs == {"channel": channel_id(slack), "text": "Posted your stand-up in #standup."}
    [card] = bot_posts(sloth, slack)
    assert "Stand-up of Amelia" in str(card["blocks"]) and "Shipped the login page" in str(card["blocks"])
    assert list(await day(sloth)) == [member(slack, "amelia")]  # hers, whoever built the workflow


@pytest.mark.sloth(features=["sloth_standup"], env={"STANDUP_CHANNEL": "#nowhere"})
async def test_a_workflow_step_that_cannot_post_fails_with_the_reason(sloth: Sloth, slack: Emulator) -> None:
    run = await sloth.step("standup", {"update": "Shipped"}, user="amelia")
    assert run.status == "failed" and run.error is not None
    assert run.error.startswith("There is no channel `#nowhere` for stand-ups")
    assert bot_posts(sloth, slack) == []


@standup
async def test_the_home_tab_shows_the_members_stand_up_today(sloth: Sloth, slack: Emulator) -> None:
    before = json.dumps((await sloth.home("kenji")).view["blocks"])
    assert "You have not posted today's yet" in before and "Today's stand-ups" in before
    await post(sloth, slack, "Wrote the tests", user="kenji")
    await sloth.advance(5)  # the Home tab is redrawn shortly after the change
    after = json.dumps(slack.views("kenji")[0]["blocks"], ensure_ascii=False)
    assert f"Today's is posted in <#{channel_id(slack)}>" in after and "Open" in after
    board = await sloth.click((await sloth.home("kenji")), "sloth_home:run:standup")
    assert "Kenji Sato: ⚪ Open" in board.visible
