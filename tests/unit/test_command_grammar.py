"""The grammars of `status`, `say`, `remind` and `search`: plain functions of what was typed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.pure.errors import UserError
from handlers.remind import parse_reminder
from handlers.say import Post, borrowed_name, parse_post
from handlers.search import slack_query
from handlers.status import StatusChange, parse_status

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2025, 6, 2, 8, 0, tzinfo=TOKYO).timestamp()  # a Monday morning in Tokyo


def at(hour: int, minute: int = 0, day: int = 2) -> int:
    return int(datetime(2025, 6, day, hour, minute, tzinfo=TOKYO).timestamp())


@pytest.mark.parametrize(("typed", "change"), [
    ("clear", StatusChange("", "")),
    (":palm_tree: On holiday", StatusChange(":palm_tree:", "On holiday")),
    (":palm_tree: On holiday for 2h", StatusChange(":palm_tree:", "On holiday", int(NOW) + 7200)),
    (":calendar: Meeting until 15:30", StatusChange(":calendar:", "Meeting", at(15, 30))),
    (":zzz: Off until tomorrow 9am", StatusChange(":zzz:", "Off", at(9, day=3))),
    (":bento:", StatusChange(":bento:", "")),
    ("Heads down for 1 hour 30 minutes", StatusChange("", "Heads down", int(NOW) + 5400)),
    ("waiting for 2 people", StatusChange("", "waiting for 2 people")),
    ("back for lunch", StatusChange("", "back for lunch")),
    ("pairing with <@U01AMHART1|amelia> &amp; co", StatusChange("", "pairing with @amelia & co")),
])
def test_status(typed: str, change: StatusChange) -> None:
    assert parse_status(typed, NOW, TOKYO) == change


@pytest.mark.parametrize(("typed", "says"), [
    (":x: for -5m", "negative"), (":x: Busy for 9999d", "too far ahead"), (":x: Busy until 25:00", "not a time"),
    (":x: Busy until 9", "morning or the evening"), (":bad emoji: x", "not an emoji name"), ("", "What should"),
    ("for 2h", "What should"), (":x: " + "y" * 101, "at most 100"), (":x: Busy until 15:30 sharp", "can't tell when"),
])
def test_bad_status(typed: str, says: str) -> None:
    with pytest.raises(UserError, match=says):
        parse_status(typed, NOW, TOKYO)


@pytest.mark.parametrize(("typed", "post"), [
    ("Tests passed", Post("Tests passed")),
    ("Tests passed as Python Test", Post("Tests passed", "Python Test")),
    ("Tests passed as Python Test icon :snake:", Post("Tests passed", "Python Test", icon_emoji=":snake:")),
    ("Down! icon :rotating_light: as Alert", Post("Down!", "Alert", icon_emoji=":rotating_light:")),
    ("hi icon <https://x.example/i.png>", Post("hi", icon_url="https://x.example/i.png")),
    ("hi icon https://x.example/i.png", Post("hi", icon_url="https://x.example/i.png")),
    ('"see you as usual"', Post("see you as usual")),
    ("“smart quotes as well” as Bot", Post("smart quotes as well", "Bot")),
    ("we met as a team as Standup", Post("we met as a team", "Standup")),
    ("tell them <!here>", Post("tell them <!here>")),
])
def test_say(typed: str, post: Post) -> None:
    assert parse_post(typed) == post


@pytest.mark.parametrize(("typed", "says"), [
    ("as Alert", "What should I say"), ("hi icon nope", "emoji like"), ("hi icon :no pe:", "not an emoji name"),
    ('"hi" and more', "only `as <name>`"), ("x" * 4001, "at most 4,000"), ("hi as " + "n" * 81, "at most 80"),
])
def test_bad_say(typed: str, says: str) -> None:
    with pytest.raises(UserError, match=says):
        parse_post(typed)


def test_borrowed_names() -> None:
    members = [{"name": "wjk68", "real_name": "Will Koehrsen", "profile": {"display_name": "Will"}}]
    assert borrowed_name("will koehrsen", members) == "wjk68"
    assert borrowed_name("WILL", members) == "wjk68" and borrowed_name("@wjk68", members) == "wjk68"
    assert borrowed_name("Python Test", members) is None


def test_reminders() -> None:
    assert parse_reminder("in 20m stretch  your legs", NOW, TOKYO) == (int(NOW) + 1200, "stretch  your legs")
    assert parse_reminder("at 17:00 report", NOW, TOKYO) == (at(17), "report")
    assert parse_reminder("tomorrow at 9 am call <@U1>", NOW, TOKYO) == (at(9, day=3), "call <@U1>")
    assert parse_reminder("7am run", NOW, TOKYO) == (at(7, day=3), "run")  # 7:00 has passed today
    assert parse_reminder("in 5m ping <!channel>", NOW, TOKYO)[1] == "ping @channel"


@pytest.mark.parametrize(("typed", "says"), [
    ("in 20m", "What should I remind you of"), ("in 121d x", "at most"), ("someday x", "can't tell when"),
    ("in -1h x", "negative"),
])
def test_bad_reminders(typed: str, says: str) -> None:
    with pytest.raises(UserError, match=says):
        parse_reminder(typed, NOW, TOKYO)


def test_search_queries_as_slack_reads_them() -> None:
    names = {"C1": "general"}.get
    assert slack_query("report in:<#C1|general> from:<@U1|will>", names) == "report in:#general from:<@U1>"
    assert slack_query("in:<#C1>", lambda c: names(c) or c) == "in:#general"
