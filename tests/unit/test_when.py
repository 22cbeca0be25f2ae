"""Durations, clock times, zones and "when" phrases, read the way people type them; dates as Slack shows them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.pure import (
    Expected,
    WhenError,
    check_ahead,
    describe_duration,
    kinds,
    looks_like_duration,
    parse_duration,
    parse_moment,
    parse_time_of_day,
    slack_date,
    time_zone,
    zone_of,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 2025-03-05 10:30 in London (UTC+0).
NOW = datetime(2025, 3, 5, 10, 30, tzinfo=LONDON).timestamp()


@pytest.mark.parametrize(("typed", "seconds"), [
    ("2h", 7200), ("90m", 5400), ("1h30m", 5400), ("1 hour 30 minutes", 5400), ("1.5h", 5400),
    ("45", 2700), ("3d", 3 * 86400), ("1w", 604800), ("30s", 30), ("2 Hours", 7200), ("+15m", 900),
    ("1 day 2 hours", 93600),
])
def test_durations(typed: str, seconds: int) -> None:
    assert parse_duration(typed) == seconds


def test_a_bare_number_uses_the_given_unit() -> None:
    assert parse_duration("120", bare_unit=60) == 7200
    assert parse_duration("10", bare_unit=1) == 10


@pytest.mark.parametrize(("typed", "says"), [
    ("-5m", "negative"), ("0m", "longer than zero"), ("", "missing"), ("2x", "not a duration"),
    ("soon", "not a duration"), ("5m5", "not a duration"), ("h", "not a duration"), ("0.001s", "longer than zero"),
])
def test_bad_durations(typed: str, says: str) -> None:
    with pytest.raises(WhenError, match=says):
        parse_duration(typed)


def test_errors_never_echo_markup() -> None:
    with pytest.raises(WhenError) as caught:
        parse_duration("<!here>")
    # Quoted back as the plain words a reader sees, as every other answer quotes what was typed.
    assert "<!here>" not in str(caught.value) and "`@here` is not a duration" in str(caught.value)
    with pytest.raises(WhenError) as caught:
        parse_time_of_day("<@U1|boss> `x`")
    assert "<@U1" not in str(caught.value) and "`@boss 'x'` is not a time of day" in str(caught.value)


def test_what_looks_like_a_duration() -> None:
    assert looks_like_duration("2h") and looks_like_duration("-5m") and looks_like_duration("+3d")
    assert not looks_like_duration("lunch") and not looks_like_duration("")


def test_describe_duration() -> None:
    assert describe_duration(7200) == "2 hours"
    assert describe_duration(5400) == "1 hour 30 minutes"
    assert describe_duration(60) == "1 minute"
    assert describe_duration(8 * 86400 + 3600 + 60) == "1 week 1 day"


@pytest.mark.parametrize(("typed", "clock"), [
    ("17:00", time(17)), ("5pm", time(17)), ("5 pm", time(17)), ("5:30pm", time(17, 30)), ("9am", time(9)),
    ("12am", time(0)), ("12pm", time(12)), ("noon", time(12)), ("midnight", time(0)), ("09.15", time(9, 15)),
    ("0:05", time(0, 5)),
])
def test_times_of_day(typed: str, clock: time) -> None:
    assert parse_time_of_day(typed) == clock


@pytest.mark.parametrize(("typed", "says"), [
    ("25:00", "not a time of day"), ("13pm", "not a time of day"), ("17:61", "not a time of day"),
    ("5", "morning or the evening"), ("teatime", "not a time of day"),
])
def test_bad_clock_times(typed: str, says: str) -> None:
    with pytest.raises(WhenError, match=says):
        parse_time_of_day(typed)


def local(moment_words: list[str], zone: ZoneInfo = LONDON) -> tuple[datetime, int]:
    moment = parse_moment(moment_words, NOW, zone)
    return moment.at.astimezone(zone), moment.words


def test_moments() -> None:
    assert local(["in", "20m", "buy", "milk"]) == (datetime(2025, 3, 5, 10, 50, tzinfo=LONDON), 2)
    assert local(["in", "1", "hour", "30", "minutes", "call"])[1] == 5
    assert local(["at", "17:00", "go"])[0] == datetime(2025, 3, 5, 17, 0, tzinfo=LONDON)
    assert local(["at", "9am"])[0] == datetime(2025, 3, 6, 9, 0, tzinfo=LONDON)  # 9:00 has passed today
    assert local(["at", "5", "pm", "tea"]) == (datetime(2025, 3, 5, 17, 0, tzinfo=LONDON), 3)
    assert local(["tomorrow", "9am", "x"]) == (datetime(2025, 3, 6, 9, 0, tzinfo=LONDON), 2)
    assert local(["tomorrow", "at", "9am"])[1] == 3
    assert local(["friday", "10:00"])[0] == datetime(2025, 3, 7, 10, 0, tzinfo=LONDON)
    assert local(["wednesday", "9am"])[0] == datetime(2025, 3, 12, 9, 0, tzinfo=LONDON)  # today's has passed
    assert local(["17:00"])[0] == datetime(2025, 3, 5, 17, 0, tzinfo=LONDON)


def test_moments_are_read_in_the_members_zone_across_dst() -> None:
    # New York moves its clocks forward on 2025-03-09: "tomorrow 9am" stays 9am local either side.
    saturday = datetime(2025, 3, 8, 12, 0, tzinfo=NEW_YORK).timestamp()
    sunday_nine = parse_moment(["tomorrow", "9am"], saturday, NEW_YORK).at
    assert sunday_nine.astimezone(NEW_YORK).hour == 9
    assert sunday_nine.timestamp() - saturday == 20 * 3600  # 21 wall-clock hours, one of them skipped


@pytest.mark.parametrize(("words", "says"), [
    (["yesterday", "x"], "can't tell when"), (["tomorrow"], "at what time"), (["in"], "In how long"),
    (["in", "-5m"], "negative"), (["at"], "At what time"), ([], "When?"), (["at", "teatime"], "not a time"),
])
def test_bad_moments(words: list[str], says: str) -> None:
    with pytest.raises(WhenError, match=says):
        parse_moment(words, NOW, LONDON)


def test_check_ahead() -> None:
    check_ahead(NOW + 60, NOW, 3600, "it")
    with pytest.raises(WhenError, match="already passed"):
        check_ahead(NOW - 1, NOW, 3600, "it")
    with pytest.raises(WhenError, match="at most 1 hour"):
        check_ahead(NOW + 3601, NOW, 3600, "it")


def test_zone_of_a_member() -> None:
    assert zone_of({"tz": "Asia/Tokyo"}) == ZoneInfo("Asia/Tokyo")
    assert zone_of({"tz": "Not/AZone", "tz_offset": 3600}).utcoffset(None) == timedelta(hours=1)
    assert zone_of({}).utcoffset(None) == timedelta(0)


def test_slack_date_shows_each_reader_their_own_time_and_falls_back_to_the_zone_given() -> None:
    assert slack_date(NOW) == f"<!date^{int(NOW)}^{{date_short_pretty}} at {{time}}|2025-03-05 10:30 UTC>"
    assert slack_date(NOW, zone=ZoneInfo("Asia/Tokyo")).endswith("|2025-03-05 19:30 JST>")
    assert slack_date(NOW, "{time}") == f"<!date^{int(NOW)}^{{time}}|10:30 UTC>"
    assert slack_date(NOW, "{time_secs}").endswith("^{time_secs}|10:30:00 UTC>")
    assert slack_date(NOW, "{date_short_pretty}").endswith("|2025-03-05>")
    # A stored time no calendar can show is said plainly, never raised.
    assert slack_date(float("inf")) == "an unknown time"
    assert slack_date(1e20, unknown="at an unknown time") == "at an unknown time"


def test_time_zones_are_named_or_refused_in_one_place() -> None:
    assert time_zone("Europe/London") == LONDON
    assert time_zone(LONDON) is LONDON
    for bad in ("Europe/Londn", "", "../etc/passwd"):
        with pytest.raises(Expected, match="a time zone like Europe/London"):
            time_zone(bad)


def test_setting_kinds_read_what_members_type_and_say_what_they_expect() -> None:
    assert kinds.time_of_day("09:30") == time(9, 30)
    assert kinds.time_of_day("5pm") == time(17)
    assert kinds.time_zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    assert str(kinds.channel("#standup")) == "#standup" and kinds.channel("C0123ABCD").id == "C0123ABCD"
    assert kinds.positive("minutes")("2.5") == 2.5
    refused = ((kinds.time_of_day, "25:00", "a time of day"), (kinds.time_zone, "Mars", "a time zone"),
               (kinds.channel, "not a channel!", "a channel"), (kinds.positive("minutes"), "0", "minutes"))
    for kind, bad, says in refused:
        with pytest.raises(Expected, match=says):
            kind(bad)
