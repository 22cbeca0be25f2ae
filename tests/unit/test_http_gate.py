"""The HTTP side's gate: caps, who makes room, one log line a minute per cause; and its settings."""

from __future__ import annotations

import logging
import resource

import pytest
from prometheus_client import CollectorRegistry

from bot.config.problems import Problems
from bot.config.settings import HttpLimits, load_settings
from bot.http import gate as http_gate
from bot.http.gate import Gate, connection_room

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}


class Conn:
    def __init__(self, name: str) -> None:
        self.name, self.evicted = name, False

    def evict(self) -> None:
        self.evicted = True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gate(clock: Clock | None = None, **limits: int) -> Gate:
    return Gate(HttpLimits(**limits), CollectorRegistry(), clock=clock or Clock())


def test_an_address_over_its_share_is_turned_away_others_are_not() -> None:
    g = gate(max_per_client=2)
    assert [g.admit(Conn(str(i)), "10.0.0.1") for i in range(3)] == [None, None, "client_cap"]
    assert g.admit(Conn("other"), "10.0.0.2") is None


def test_a_full_gate_closes_the_longest_waiting_connection_or_refuses() -> None:
    g = gate(max_connections=3, max_per_client=0)
    first, second, third = Conn("1"), Conn("2"), Conn("3")
    for i, conn in enumerate((first, second, third)):
        assert g.admit(conn, f"10.0.0.{i}") is None
    g.wait(second)
    g.wait(first)  # second has waited longest
    assert g.admit(Conn("4"), "10.0.0.9") is None
    assert second.evicted and not first.evicted and second not in g.held
    g.busy(first)
    assert g.admit(Conn("5"), "10.0.0.9") == "full"  # nobody is waiting: everyone is mid-request
    g.release(third)
    g.release(third)  # twice is harmless
    assert g.per_client == {"10.0.0.0": 1, "10.0.0.9": 1}


def test_each_cause_is_logged_at_most_once_a_minute_and_counted_always(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    g = gate(clock)
    with caplog.at_level(logging.WARNING, logger="bot.http.gate"):
        for _ in range(1000):
            g.note("header_timeout")
        g.note("client_cap")
        g.note("idle_timeout")  # routine: counted only
        clock.now += 61
        g.note("header_timeout")
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 3
    assert said[0].startswith("HTTP side: closed 1 connection(s) that sent no complete request headers")
    assert "turned away 1 connection(s) with 503" in said[1]
    assert said[2].startswith("HTTP side: closed 1000 connection(s)")  # the 999 unlogged ones and this one
    counted = {cause: g.registry.get_sample_value("sloth_http_closed_total", {"cause": cause})
               for cause in ("header_timeout", "client_cap", "idle_timeout")}
    assert counted == {"header_timeout": 1001, "client_cap": 1, "idle_timeout": 1}


def test_the_cap_stays_under_the_open_file_limit(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda which: (4096, 4096))
    assert connection_room(2000) == 2000
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    with caplog.at_level(logging.WARNING, logger="bot.http.gate"):
        room = connection_room(5000)
    assert room <= 1024 - http_gate.FD_RESERVE - http_gate.MAX_LINGERING - 2 * http_gate.BACKLOG
    assert "SLOTH_HTTP_MAX_CONNECTIONS=5000" in caplog.text and "ulimit -n" in caplog.text


def test_http_limits_are_read_from_the_environment() -> None:
    assert load_settings(GOOD).http_limits == HttpLimits()
    limits = load_settings({**GOOD, "SLOTH_HTTP_HEADER_TIMEOUT": "2.5", "SLOTH_HTTP_BODY_TIMEOUT": "20",
                            "SLOTH_HTTP_IDLE_TIMEOUT": "620", "SLOTH_HTTP_MAX_CONNECTIONS": "2000",
                            "SLOTH_HTTP_MAX_PER_CLIENT": "0"}).http_limits
    assert limits == HttpLimits(header_seconds=2.5, body_seconds=20, idle_seconds=620, max_connections=2000,
                                max_per_client=0)


def test_every_bad_http_limit_is_reported_together() -> None:
    bad = {"SLOTH_HTTP_HEADER_TIMEOUT": "0", "SLOTH_HTTP_BODY_TIMEOUT": "nan", "SLOTH_HTTP_IDLE_TIMEOUT": "soon",
           "SLOTH_HTTP_MAX_CONNECTIONS": "1.5", "SLOTH_HTTP_MAX_PER_CLIENT": "-1"}
    with pytest.raises(Problems) as caught:
        load_settings({**GOOD, **bad})
    assert [p.split(" ")[0] for p in caught.value.problems] == list(bad)
    said = "SLOTH_HTTP_MAX_CONNECTIONS must be a whole number of connections above 0, not '1.5'."
    assert said in caught.value.problems
