"""The emulator's rule tables without a server: metadata shapes, scopes per conversation, the post bucket."""

from __future__ import annotations

import pytest

from sloth_emulator import RateLimits
from sloth_emulator.errors import ApiError
from sloth_emulator.metadata import MAX_METADATA_BYTES, check_metadata, metadata_for_reader
from sloth_emulator.ratelimit import RateLimiter
from sloth_emulator.scopes import accepted_scopes, every_scope, missing_scope


def test_metadata_allows_exactly_what_slack_types_allow() -> None:
    fine = {"event_type": "a-b_1", "event_payload": {"s": "x", "n": 1.5, "b": True, "o": {"k": 0},
                                                      "l": [{"k": "v"}], "empty": []}}
    assert check_metadata(fine).value == fine
    for bad in ({"x": None}, {"x": [1, 2]}, {"x": [[{"k": 1}]]}, {"x": {"k": [1]}}, {"x": {"k": None}}):
        with pytest.raises(ApiError, match="invalid_metadata_format"):
            check_metadata({"event_type": "t", "event_payload": bad})
    with pytest.raises(ApiError, match="invalid_metadata_format"):
        check_metadata(["not", "an", "object"])
    with pytest.raises(ApiError, match="metadata_too_large"):
        check_metadata({"event_type": "t", "event_payload": {"x": "y" * MAX_METADATA_BYTES}})
    dropped = check_metadata({"event_type": "with.dot", "event_payload": {}})
    assert (dropped.value, dropped.warning) == (None, "invalid_metadata_schema")
    assert metadata_for_reader(fine, include_all=False) == {"event_type": "a-b_1"}


def test_scopes_follow_the_reference_per_token_kind_and_conversation() -> None:
    assert missing_scope("conversations.history", "bot", frozenset({"groups:history"}), ["public_channel"]) == (
        "channels:history")
    assert missing_scope("conversations.history", "bot", frozenset({"groups:history"}), ["private_channel"]) is None
    assert missing_scope("conversations.list", "bot", frozenset(), []) == "channels:read,groups:read,mpim:read,im:read"
    assert missing_scope("conversations.create", "bot", frozenset({"channels:manage"}), ["public_channel"]) is None
    assert missing_scope("conversations.create", "user", frozenset({"channels:manage"}), ["public_channel"]) == (
        "channels:write")  # user tokens create public channels with channels:write
    assert missing_scope("conversations.invite", "bot", frozenset({"channels:write.invites"}),
                         ["public_channel"]) is None
    assert missing_scope("conversations.join", "bot", frozenset({"channels:write"}), []) == "channels:join"
    assert missing_scope("auth.test", "bot", frozenset(), []) is None
    assert missing_scope("chat.postMessage", "bot", None, []) is None  # no scope list: everything
    assert accepted_scopes("files.completeUploadExternal", "bot") == ("files:write",)
    assert {"chat:write.public", "chat:write.customize"} <= every_scope("bot")


def test_posts_refill_one_a_second_per_channel_after_a_burst() -> None:
    now = [10.0]
    limiter = RateLimiter(RateLimits.realistic(), clock=lambda: now[0])
    burst = RateLimits.realistic().post_burst
    assert [limiter.check("chat.postMessage", "bot", "C1") for _ in range(burst)] == [None] * burst
    assert limiter.check("chat.postMessage", "bot", "C1") == 1
    assert limiter.check("chat.postMessage", "bot", "C2") is None  # another channel has its own bucket
    now[0] += 1.0
    assert limiter.check("chat.postMessage", "bot", "C1") is None
    assert limiter.check("chat.postMessage", "bot", "C1") == 1
    assert limiter.count("chat.postMessage", "C1") == 2 and limiter.count("chat.postMessage") == 2


def test_faster_limits_keep_slacks_counts_on_a_faster_clock() -> None:
    now = [10.0]
    limiter = RateLimiter(RateLimits.realistic().faster(20), clock=lambda: now[0])
    burst = RateLimits.realistic().post_burst
    assert [limiter.check("chat.postMessage", "bot", "C1") for _ in range(burst)] == [None] * burst
    assert limiter.check("chat.postMessage", "bot", "C1") == 1 / 20  # Retry-After in real seconds
    now[0] += 1 / 20  # a Slack second
    assert limiter.check("chat.postMessage", "bot", "C1") is None
    for _ in range(50):  # Tier 3: 50 a minute, here 50 in 3 s
        assert limiter.check("chat.update", "bot") is None
    assert limiter.check("chat.update", "bot") == 3.0
