"""What crosses the job queue: a task's arguments and results as JSON, rebuilt exactly, and
nothing a job could use to make a worker import or build what it should not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

import pytest

from bot.work.codec import Unreadable, dump, load
from handlers.chart_data import Activity
from handlers.games.logic import bot_reply
from handlers.games.model import Game
from handlers.games.rules import connect4


class Point(NamedTuple):
    x: int
    y: int


@dataclass(frozen=True)
class _Hidden:
    secret: str


def through_queue(value: object) -> object:
    return load(json.loads(json.dumps(dump(value))))


def test_charts_data_comes_back_as_it_went() -> None:
    rows = [("1700000000.000100", "U1", "", "hi <@U2>", "", 0, (("tada", 3),))]
    activity = Activity("general", rows, date(2024, 1, 1), date(2024, 1, 30), -18000, "EST", {"U1": "Will"}, 4)
    back = through_queue(activity)
    assert back == activity and isinstance(back, Activity)
    assert isinstance(back.rows[0], tuple) and isinstance(back.rows[0][6][0], tuple)  # tuples stay tuples


def test_plain_and_tagged_values() -> None:
    value = {"bytes": b"\x89PNG\x00", "when": datetime(2024, 5, 1, 9, 30, tzinfo=UTC), "at": time(17, 0),
             "for": timedelta(minutes=90), "ids": {1: "one", 2: "two"}, "set": {"a"}, "float": 0.5, "none": None,
             "$": "a key that looks like a tag", "nested": [Point(1, 2), (3, [4])]}
    assert through_queue(value) == value


def test_a_game_goes_to_the_quick_lane_and_sloths_move_comes_back() -> None:
    state = connect4.apply(connect4.new_game("U1", "sloth"), connect4.Move("U1", 3))
    game = Game(id="g1", kind=connect4.KIND, team="T1", channel="C1", challenger="U1", opponent="sloth",
                state=state.to_dict(), status="playing", version=1, last=["U1", "move", "1"])
    sent = through_queue(game)
    assert sent == game
    moved = through_queue(bot_reply(sent, 1.0))  # type: ignore[arg-type]
    assert isinstance(moved, Game) and moved.version == 2 and moved.turn == "U1"


def test_a_job_cannot_name_a_class_whose_module_is_not_loaded_or_a_private_one() -> None:
    forged = {"$": "dataclass", "class": "some_module_nobody_imported:Thing", "fields": {}}
    with pytest.raises(Unreadable, match="not loaded here"):
        load(forged)
    with pytest.raises(Unreadable, match="not a dataclass"):
        load({"$": "dataclass", "class": "json:JSONDecoder", "fields": {}})
    with pytest.raises(Unreadable, match="not a public class"):
        load({"$": "dataclass", "class": f"{__name__}:_Hidden", "fields": {"secret": "x"}})
    with pytest.raises(Unreadable, match="unknown kind"):
        load({"$": "pickle", "data": "gASV"})
    with pytest.raises(Unreadable, match="malformed"):
        load({"$": "bytes", "base64": "not base64!"})


def test_what_json_cannot_carry_is_refused_when_sent() -> None:
    with pytest.raises(TypeError, match="cannot go through the job queue"):
        dump({"handle": object()})
