"""The emulator's pieces without a server: workspace data, ids, limits, content rules, payloads."""

from __future__ import annotations

import time

import pytest

from sloth_emulator import Emulator, RateLimits, Workspace
from sloth_emulator.content import message_content
from sloth_emulator.errors import ApiError
from sloth_emulator.generated import add_history
from sloth_emulator.ids import TsClock, decode_cursor, encode_cursor, parse_ts
from sloth_emulator.index import index_of
from sloth_emulator.payloads import action_from, find_action
from sloth_emulator.ratelimit import RateLimiter
from sloth_emulator.webapi.conversations import check_channel_name
from sloth_emulator.webapi.users import parse_reminder_time


def test_default_workspace_is_the_articles() -> None:
    ws = Workspace.default()
    assert ws.team.name == "Data Analysis"
    will = ws.first_human()
    assert (will.name, will.real_name, will.tz, will.tz_label, will.tz_offset) == (
        "wjk68", "Will Koehrsen", "America/New_York", "Eastern Standard Time", -18000)
    purposes = {c.name: c.purpose for c in ws.channels.values()}
    assert purposes["python_content"] == "Data Science and Python"
    assert purposes["random"] == "Deep philosophical discussions"
    assert purposes["testing_exp"] == "Experimental testing of interactions."
    assert ws.general().name == "general"
    assert all(ws.bot_user_id in c.members for c in ws.channels.values())
    assert ws.bot_user.is_bot and ws.bot_user.name == "sloth"
    zones = {u.tz for u in ws.users.values() if u.is_human}
    assert {"Europe/London", "Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo"} <= zones
    parent = next(m for m in ws.channels["C01PYTHONC"].messages.values() if m.get("reply_count"))
    assert parent["reply_count"] == 2 and len(parent["reply_users"]) == 2
    assert ws.files["F01NOTEBK1"].content


def test_generated_workspace_is_fast_and_deterministic() -> None:
    started = time.perf_counter()
    big = Workspace.generated(users=20_000, channels=5_000, seed=1)
    assert time.perf_counter() - started < 2
    assert len(big.users) == 20_000 + len(Workspace.default().users)
    assert len(big.channels) == 5_000 + 4
    again = Workspace.generated(users=20_000, channels=5_000, seed=1)
    assert [u.name for u in big.users.values()] == [u.name for u in again.users.values()]
    seed_one = [u.name for u in Workspace.generated(users=100, channels=10, seed=1).users.values()]
    seed_two = [u.name for u in Workspace.generated(users=100, channels=10, seed=2).users.values()]
    assert seed_one != seed_two
    assert big.first_human().name == "wjk68"


def test_ts_are_unique_and_increasing_even_when_the_clock_stands_still() -> None:
    clock = TsClock(lambda: 1_700_000_000.0)
    stamps = [clock.next() for _ in range(3)]
    assert stamps == ["1700000000.000000", "1700000000.000001", "1700000000.000002"]
    assert parse_ts(stamps[2]) - parse_ts(stamps[0]) == 2


def test_cursors_round_trip_and_reject_garbage() -> None:
    assert decode_cursor(encode_cursor(1234)) == 1234
    for bad in ("", "bm9wZQ==", "%%%"):
        with pytest.raises(ValueError):
            decode_cursor(bad)


def test_rate_limiter_counts_fixed_windows_per_method_and_token_kind() -> None:
    now = [100.0]
    limiter = RateLimiter(RateLimits(window=60.0, per_window={2: 2}), clock=lambda: now[0])
    assert limiter.check("users.list", "bot") is None
    assert limiter.check("users.list", "bot") is None
    assert limiter.check("users.list", "bot") == 60
    assert limiter.check("users.list", "user") is None  # another token kind
    assert limiter.check("users.info", "bot") is None  # tier 4 has no allowance here: unlimited
    now[0] += 59.5
    assert limiter.check("users.list", "bot") == 1  # never less than one second
    now[0] += 0.5
    assert limiter.check("users.list", "bot") is None


@pytest.mark.parametrize(("name", "error"), [
    ("", "invalid_name_required"), ("a" * 81, "invalid_name_maxlength"), ("Upper", "invalid_name_specials"),
    ("with space", "invalid_name_specials"), ("dot.ted", "invalid_name_specials"), ("-_-", "invalid_name_punctuation"),
])
def test_channel_name_rules(name: str, error: str) -> None:
    with pytest.raises(ApiError) as failure:
        check_channel_name(name)
    assert failure.value.error == error


def test_channel_name_rules_accept_slack_style_names() -> None:
    check_channel_name("data-science_2024")
    check_channel_name("a" * 80)


def test_message_content_rules() -> None:
    with pytest.raises(ApiError, match="no_text"):
        message_content("", None, None)
    with pytest.raises(ApiError, match="msg_too_long"):
        message_content("x" * 40_001, None, None)
    with pytest.raises(ApiError, match="too_many_attachments"):
        message_content("x", None, [{"text": "a"}] * 101)
    with pytest.raises(ApiError, match="invalid_blocks"):
        message_content("x", [{"no": "type"}], None)
    content = message_content(None, [{"type": "divider"}], [{"text": "a", "blocks": [{"type": "divider"}]}])
    assert content["text"] == "" and content["blocks"][0]["block_id"]
    assert content["attachments"][0]["id"] == 1 and content["attachments"][0]["blocks"][0]["block_id"]


def test_reminder_times() -> None:
    assert parse_reminder_time("in 5 minutes", 1000) == 1300
    assert parse_reminder_time("60", 1000) == 1060
    assert parse_reminder_time("1900000000", 1000) == 1_900_000_000
    assert parse_reminder_time("whenever", 1000) is None


def test_find_action_looks_in_blocks_accessories_and_attachments() -> None:
    select = {"type": "static_select", "action_id": "pick", "options": [
        {"text": {"type": "plain_text", "text": "A"}, "value": "a"},
        {"text": {"type": "plain_text", "text": "B"}, "value": "b"}]}
    button = {"type": "button", "action_id": "go", "value": "v", "text": {"type": "plain_text", "text": "Go"}}
    message = {"ts": "1.000001", "blocks": [{"type": "section", "block_id": "s", "accessory": select}],
               "attachments": [{"id": 1, "blocks": [{"type": "actions", "block_id": "x", "elements": [button]}]}]}
    element, block_id, attachment = find_action(message, "pick")
    assert (block_id, attachment) == ("s", None)
    assert action_from(element, block_id, "b")["selected_option"]["value"] == "b"
    element, block_id, attachment = find_action(message, "go")
    assert (block_id, attachment) == ("x", 1) and action_from(element, block_id, None)["value"] == "v"
    with pytest.raises(ValueError):
        find_action(message, "missing")


def test_thread_summary_and_tombstone_for_deleted_parents() -> None:
    ws = Workspace.default()
    channel = ws.channels["C01RANDOM1"]
    parent = ws.post(channel, {"user": "U01KSATO01", "text": "thread?"})
    reply = ws.post(channel, {"user": "U01PNAIR01", "text": "yes"}, thread_ts=parent["ts"])
    assert parent["reply_count"] == 1 and parent["latest_reply"] == reply["ts"]
    assert reply["parent_user_id"] == "U01KSATO01"
    ws.delete_message(channel, parent["ts"])
    assert channel.messages[parent["ts"]]["subtype"] == "tombstone"
    ws.delete_message(channel, reply["ts"])
    assert "reply_count" not in channel.messages[parent["ts"]]


def test_token_kinds_are_checked_before_the_method_runs() -> None:
    emu = Emulator(Workspace.default())
    assert emu.api.handle("dnd.setSnooze", {"num_minutes": 5}, emu.bot_token).body["error"] == "not_allowed_token_type"
    assert emu.api.handle("apps.connections.open", {}, emu.user_token).body["error"] == "not_allowed_token_type"
    assert emu.api.handle("users.list", {}, emu.app_token).body["error"] == "not_allowed_token_type"
    assert emu.api.handle("auth.test", {"token": "x"}, "xoxb-unknown").body["error"] == "invalid_auth"
    assert [c.ok for c in emu.calls] == [False] * 4


def test_response_urls_expire_after_thirty_minutes_and_triggers_after_three_seconds() -> None:
    now = [1_800_000_000.0]
    emu = Emulator(Workspace.default(), clock=lambda: now[0])
    target = emu.response_urls.issue("command", "C01GENERAL", "U01WJK68KS")
    assert emu.response_urls.post(target.id, {"text": "first"}) == (200, None)
    trigger = emu.triggers.issue("U01WJK68KS")
    now[0] += 3.5
    with pytest.raises(ApiError, match="expired_trigger_id"):
        emu.triggers.use(trigger)
    now[0] += 30 * 60
    assert emu.response_urls.post(target.id, {"text": "too late"}) == (404, "expired_url")
    assert emu.response_urls.post("nope", {"text": "x"}) == (404, "no_service")
    assert emu.response_urls.post(emu.response_urls.issue("command", "C01GENERAL", "U01WJK68KS").id, {}) == (
        400, "no_text")


def test_generated_history_is_seeded_shaped_and_quick() -> None:
    started = time.perf_counter()
    ws = Workspace.default()
    add_history(ws, "C01RANDOM1", messages=10_000, days=30, seed=4)
    assert time.perf_counter() - started < 2
    random_channel = ws.channels["C01RANDOM1"]
    generated = [m for m in random_channel.messages.values() if m.get("client_msg_id", "").isalnum()]
    assert len(random_channel.messages) == 10_002
    now = ws.now()
    assert all(now - 31 * 86400 <= float(m["ts"]) <= now for m in generated)
    parents = [m for m in random_channel.messages.values() if m.get("reply_count")]
    assert len(parents) == 300  # 3% of 10,000
    for parent in parents[:20]:  # the stored summaries agree with the replies
        replies = [m for m in ws.replies(random_channel, parent["ts"]) if m["ts"] != parent["ts"]]
        assert parent["reply_count"] == len(replies) and parent["latest_reply"] == replies[-1]["ts"]
    assert any(m.get("reactions") for m in generated)
    assert any("<@U" in m["text"] for m in generated) and any("&amp;" in m["text"] for m in generated)
    again = Workspace.default()
    add_history(again, "C01RANDOM1", messages=10_000, days=30, seed=4)
    assert [m["text"] for m in again.channels["C01RANDOM1"].messages.values()] == [
        m["text"] for m in random_channel.messages.values()]
    with pytest.raises(ValueError, match="no human members"):
        add_history(ws, ws.create_channel("robots", ws.bot_user_id).id, messages=10)


def test_the_paging_index_agrees_with_the_workspace_and_follows_changes() -> None:
    ws = Workspace.default()
    add_history(ws, "C01RANDOM1", messages=2_000, days=10, seed=2)
    channel = ws.channels["C01RANDOM1"]
    index = index_of(channel)
    assert index_of(channel) is index  # kept while nothing is added or removed
    assert index.top_level == [m for m in channel.messages.values() if "parent_user_id" not in m]
    parents = [m["ts"] for m in channel.messages.values() if m.get("reply_count")]
    assert parents and all(index.threads[ts] == ws.replies(channel, ts) for ts in parents)
    channel.messages[parents[0]]["text"] = "edited"  # edits need no rebuild: the index holds the messages
    assert index_of(channel).threads[parents[0]][0]["text"] == "edited"
    reply = ws.post(channel, {"user": "U01AMHART1", "text": "late reply"}, thread_ts=parents[0])
    after_reply = index_of(channel)
    assert after_reply is not index and after_reply.threads[parents[0]][-1] is reply
    ws.delete_message(channel, reply["ts"])
    assert reply not in index_of(channel).threads[parents[0]]
    newest = ws.post(channel, {"user": "U01AMHART1", "text": "newest"})
    assert index_of(channel).top_level[-1] is newest
    window = index_of(channel).window(0, 2**62, False, lambda m: True)
    assert window[0] is newest and index_of(channel).window(0, 2**62, False, lambda m: False) is window  # remembered
