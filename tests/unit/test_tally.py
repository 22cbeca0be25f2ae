"""Counting and tabulating history and members: per day, top posters, time zones, CSV rows."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, date, datetime

from handlers.tally import (
    CSV_COLUMNS,
    Post,
    awake_by_hour,
    cell,
    csv_bytes,
    csv_row,
    local_day,
    mentioned_ids,
    per_day,
    plain_text,
    rolling_mean,
    to_post,
    top_posters,
    utc_label,
    zone_name,
    zones,
)


def at(text: str) -> str:
    """A Slack ts for an ISO time (UTC)."""
    return f"{datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp():.6f}"


def post(ts: str, user: str = "U1", text: str = "hi", author: str = "", thread: str = "") -> Post:
    return Post(ts, user, author, text, thread, 0, ())


def test_messages_become_compact_posts() -> None:
    human = to_post({"ts": "1.000001", "user": "U1", "text": "hey", "thread_ts": "1.000001", "reply_count": 2,
                     "reactions": [{"name": "tada", "count": 3, "users": ["U2"]}]})
    assert human == Post("1.000001", "U1", "", "hey", "1.000001", 2, (("tada", 3),))
    bot = to_post({"ts": "2.0", "bot_id": "B1", "bot_profile": {"name": "deploys"}, "text": "shipped"})
    assert (bot.user, bot.author) == ("", "deploys")
    assert to_post({"ts": "3.0", "subtype": "bot_message", "username": "Alert"}).author == "Alert"
    assert mentioned_ids("thanks <@U1> and <@U2|amelia>, not <#C1> or <!here>") == {"U1", "U2"}


def test_per_day_uses_the_viewers_days_and_keeps_empty_days() -> None:
    posts = [post(at("2024-03-10T02:00:00")), post(at("2024-03-10T15:00:00")), post(at("2024-03-12T23:30:00"))]
    assert local_day(posts[0].ts, -5 * 3600) == date(2024, 3, 9)
    new_york = per_day(posts, -5 * 3600, date(2024, 3, 9), date(2024, 3, 12))
    assert new_york == [(date(2024, 3, 9), 1), (date(2024, 3, 10), 1), (date(2024, 3, 11), 0), (date(2024, 3, 12), 1)]
    tokyo = per_day(posts, 9 * 3600, date(2024, 3, 10), date(2024, 3, 13))
    assert [n for _, n in tokyo] == [1, 1, 0, 1]  # 23:30 UTC on the 12th is the 13th in Tokyo
    assert per_day([], 0, date(2024, 1, 1), date(2024, 1, 1)) == [(date(2024, 1, 1), 0)]


def test_rolling_mean_is_shorter_at_the_start() -> None:
    assert rolling_mean([7, 0, 7, 0, 7, 0, 7, 14], 7) == [7.0, 3.5, 14 / 3, 3.5, 4.2, 3.5, 4.0, 5.0]
    assert rolling_mean([]) == []


def test_top_posters_rank_by_count_then_name_and_sum_the_rest() -> None:
    posts = [post("1", "U2"), post("2", "U1"), post("3", "U2"), post("4", "", author="deploys"), post("5", "U3"),
             post("6", "U1"), post("7", "U4")]
    assert top_posters(posts, 3) == [("U1", 2), ("U2", 2), ("U3", 1), ("", 2)]
    assert top_posters(posts, 10)[-1] == ("bot:deploys", 1)
    assert top_posters([]) == []


def test_awake_and_working_hours_in_the_viewers_day() -> None:
    london = awake_by_hour([0], 0)
    assert [h.hour for h in london if h.working] == list(range(9, 17))
    assert [h.hour for h in london if h.awake] == list(range(7, 23))
    seen_from_new_york = awake_by_hour([0], -5 * 3600)
    assert [h.hour for h in seen_from_new_york if h.working] == list(range(4, 12))
    kolkata = awake_by_hour([19800], 0)  # UTC+5:30: at hh:30 UTC it is (hh+6):00 there
    assert [h.hour for h in kolkata if h.working] == list(range(3, 11))
    both = awake_by_hour([0, 32400], 0)  # London and Tokyo
    assert both[9] == (9, 1, 2)  # 09:30 in London (working), 18:30 in Tokyo (awake)
    assert both[14] == (14, 1, 1) and both[0] == (0, 1, 1) and both[3].awake == 1 and both[22].awake == 2


def test_time_zones_are_named_by_city_and_ordered_west_to_east() -> None:
    members = [{"tz": "Asia/Tokyo", "tz_offset": 32400}, {"tz": "America/Los_Angeles", "tz_offset": -28800},
               {"tz": "Asia/Tokyo", "tz_offset": 32400}, {"tz_label": "Coordinated Universal Time", "tz_offset": 0},
               {}]
    assert zones(members) == [("Los Angeles", -28800, 1), ("Coordinated Universal Time", 0, 1), ("UTC+0", 0, 1),
                              ("Tokyo", 32400, 2)]
    assert zone_name({"tz": "America/Argentina/Buenos_Aires"}) == "Buenos Aires"
    assert (utc_label(19800), utc_label(-28800), utc_label(0), utc_label(-9000)) == (
        "UTC+5:30", "UTC−8", "UTC+0", "UTC−2:30")


def test_plain_text_reads_like_slack_shows_it() -> None:
    names = {"U1": "Will Koehrsen"}
    text = "hi <@U1>, see <#C1|general> &amp; <https://x.io/a?b=1&amp;c=2|the doc> &lt;3 <!here> <@U9> <https://y.io>"
    assert plain_text(text, names) == (
        "hi @Will Koehrsen, see #general & the doc (https://x.io/a?b=1&c=2) <3 @here @U9 https://y.io")


def test_cells_that_a_spreadsheet_would_run_are_made_text() -> None:
    assert [cell(v) for v in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "fine", "")] == [
        "'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "fine", ""]


def test_csv_rows_and_file_parse_back() -> None:
    names = {"U1": "Will Koehrsen", "U2": "=evil"}
    posts = [
        Post(at("2024-03-10T12:00:00"), "U1", "", 'a "quoted", comma\nand a newline', at("2024-03-10T12:00:00"), 1,
             (("tada", 2), ("eyes", 1))),
        Post(at("2024-03-10T12:05:00"), "U2", "", "<@U1> =1+1", at("2024-03-10T12:00:00"), 0, ()),
        Post(at("2024-03-10T13:00:00"), "", "deploys", "shipped ☕", "", 0, ()),
    ]
    assert csv_row(posts[1], names) == ["2024-03-10T12:05:00Z", posts[1].ts, "U2", "'=evil", "'@Will Koehrsen =1+1",
                                        posts[0].ts, ""]
    data = csv_bytes(posts, names)
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1] == ["2024-03-10T12:00:00Z", posts[0].ts, "U1", "Will Koehrsen", 'a "quoted", comma\nand a newline',
                       posts[0].ts, ":tada: 2 :eyes: 1"]
    assert rows[3] == ["2024-03-10T13:00:00Z", posts[2].ts, "", "deploys", "shipped ☕", "", ""]
    assert len(rows) == 4


def test_tally_and_charts_load_no_slack_or_runtime_module() -> None:
    # A fresh interpreter: the worker processes import these, and nothing of the bot should come along.
    probe = "import sys, handlers.charts; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.split())
    for forbidden in ("slack_sdk", "slack_bolt", "aiohttp", "bot", "bot.features.context"):
        assert forbidden not in loaded
