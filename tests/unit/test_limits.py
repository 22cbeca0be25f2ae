"""Per-member limits (bot.config.limits): declaring them, SLOTH_LIMITS, and counting runs in a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.limits import Limit, limit_for, parse_limits
from bot.config.problems import Problems
from bot.config.settings import load_settings
from bot.features.loader import load_features
from bot.handling.turns import LimitReached, member_turn
from bot.pure.errors import UserError
from bot.runtime.configure import configure
from bot.store import Namespaced, open_store
from bot.testing import FakeClock

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}
A, B = "U0AAAAAAA", "U0BBBBBBB"


def test_sloth_limits_are_read_as_changes_to_what_commands_declare() -> None:
    found = parse_limits("remind 5 at once, 50/hour; export 10 per day ;plot off; crunch 3 an hour, 2/d")
    assert found == {"remind": Limit(at_once=5, per_hour=50), "export": Limit(per_day=10), "plot": None,
                     "crunch": Limit(per_hour=3, per_day=2)}
    declared = Limit(at_once=1, per_hour=5, per_day=20)
    assert limit_for("export", declared, found) == Limit(at_once=1, per_hour=5, per_day=10)  # the rest kept
    assert limit_for("plot", declared, found) is None  # off
    assert limit_for("files", declared, found) == declared  # not named: as declared
    assert limit_for("crunch", None, found) == Limit(per_hour=3, per_day=2)  # a command that declared none
    assert parse_limits("") == {} and Limit(2, 15, 60).text == "2 at once, 15 an hour, 60 a day"


@pytest.mark.parametrize(("text", "says"), [
    ("remind", "should be a command and its limits"),
    ("remind 0 at once", "is not a limit like"),
    ("remind 5 a week", "is not a limit like"),
    ("remind 5/hour, 6/h", "two per hour limits"),
    ("remind off; remind 2/day", "named twice"),
])
def test_malformed_sloth_limits_are_a_settings_problem(text: str, says: str) -> None:
    with pytest.raises(Problems) as caught:
        load_settings({**GOOD, "SLOTH_LIMITS": text})
    [problem] = caught.value.problems
    assert problem.startswith("SLOTH_LIMITS: ") and says in problem


def test_sloth_limits_must_name_commands_by_their_name() -> None:
    assert load_settings({**GOOD, "SLOTH_LIMITS": "plot 1/hour"}).limit_overrides == {"plot": Limit(per_hour=1)}
    with pytest.raises(Problems) as caught:
        configure({**GOOD, "SLOTH_LIMITS": "plto 1/hour; remind off"})
    assert caught.value.problems == [
        "SLOTH_LIMITS names 'plto', which is not the name of a command or message shortcut of any loaded "
        "feature."]


def test_sloths_own_commands_that_make_work_declare_limits() -> None:
    registry = load_features({}, installed=False)
    limits = {name: getattr(registry.find(name), "limit", None) for name in ("remind", "plot", "export", "help")}
    assert limits == {"remind": Limit(2, 20, 100), "plot": Limit(2, 15, 60), "export": Limit(1, 5, 20), "help": None}


def test_a_limit_needs_whole_positive_numbers() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limit(at_once=0)


async def test_runs_are_counted_per_member_in_the_store(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'limits.db'}")
    counts, clock = Namespaced(store, "limit"), FakeClock()
    limit = Limit(at_once=1, per_hour=2)
    try:
        async with member_turn(counts, "crunch", A, limit, clock):
            with pytest.raises(LimitReached, match="each member can run 1 at a time"):
                async with member_turn(counts, "crunch", A, limit, clock):
                    raise AssertionError("a second run at once must not start")
            async with member_turn(counts, "crunch", B, limit, clock):
                pass  # another member is not held up
        with pytest.raises(ValueError):  # a failure still counts (something may have been made)
            async with member_turn(counts, "crunch", A, limit, clock):
                raise ValueError("Slack was down")
        with pytest.raises(LimitReached) as caught:
            async with member_turn(counts, "crunch", A, limit, clock):
                pass
        assert "2 times in the last hour" in str(caught.value) and "again in 1 hour" in str(caught.value)
        clock.advance(3600)  # the hour is rolling: the first run has aged out
        async with member_turn(counts, "crunch", A, limit, clock):
            pass
    finally:
        await store.close()


async def test_a_run_refused_for_what_was_typed_gives_its_place_back(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'limits.db'}")
    counts, clock = Namespaced(store, "limit"), FakeClock()
    try:
        for _ in range(3):
            with pytest.raises(UserError, match="no such channel"):
                async with member_turn(counts, "crunch", A, Limit(per_hour=1), clock):
                    raise UserError("no such channel")
        async with member_turn(counts, "crunch", A, Limit(per_hour=1), clock):
            pass
        clock.advance(59 * 60 + 30)
        with pytest.raises(LimitReached, match="again in 1 minute"):
            async with member_turn(counts, "crunch", A, Limit(per_hour=1), clock):
                pass
    finally:
        await store.close()

