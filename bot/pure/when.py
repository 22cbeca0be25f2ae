""""When" phrases as people type them: pure functions, no Slack.

`in 20m`, `at 17:00`, `17:00`, `tomorrow 9am`, `friday at 10:00`. Times of day are read in the
member's own time zone (a `tzinfo`), so "tomorrow 9am" means nine in the morning where they are,
across DST changes. Every mistake raises `WhenError` with a sentence the member can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from bot.pure.durations import describe_duration, is_duration, parse_duration
from bot.pure.errors import WhenError
from bot.pure.text import shown
from bot.pure.times import CLOCK, NAMED_CLOCKS, at_local, next_at, parse_time_of_day

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WHEN_HINT = "Say when like `in 20m`, `at 17:00`, `tomorrow 9am` or `friday 10:00`."


@dataclass(frozen=True)
class Moment:
    """A point in time the user named, and how many of their words it took."""

    at: datetime
    words: int


def _clock_from(tokens: list[str]) -> tuple[time, int]:
    """A time of day at the start of tokens: "5 pm" takes two words, "17:00" one."""
    if not tokens:
        raise WhenError(f"At what time? {WHEN_HINT}")
    if len(tokens) > 1 and tokens[1].lower() in ("am", "pm", "a.m.", "p.m."):
        return parse_time_of_day(" ".join(tokens[:2])), 2
    return parse_time_of_day(tokens[0]), 1


def _on_day(tokens: list[str], day: datetime, zone: tzinfo, lead: int) -> Moment:
    rest = tokens[lead:]
    if rest and rest[0].lower() == "at":
        lead, rest = lead + 1, rest[1:]
    if not rest:
        raise WhenError(f"`{shown(' '.join(tokens))}` at what time? For example `{tokens[0]} 9am`.")
    clock, used = _clock_from(rest)
    return Moment(at_local(day, clock, zone), lead + used)


def parse_moment(tokens: list[str], now: float, zone: tzinfo) -> Moment:
    """A moment at the start of tokens: `in 20m`, `at 17:00`, `17:00`, `tomorrow 9am`, `friday at 10:00`."""
    if not tokens:
        raise WhenError(f"When? {WHEN_HINT}")
    first = tokens[0].lower()
    local_now = datetime.fromtimestamp(now, zone)
    if first == "in":
        for length in range(min(4, len(tokens) - 1), 0, -1):
            phrase = " ".join(tokens[1 : 1 + length])
            if length > 1 and not is_duration(phrase):
                continue
            seconds = parse_duration(phrase)
            return Moment(datetime.fromtimestamp(now + seconds, zone), 1 + length)
        raise WhenError(f"In how long? For example `in 20m`. {WHEN_HINT}")
    if first == "at":
        clock, used = _clock_from(tokens[1:])
        return Moment(next_at(clock, now, zone), 1 + used)
    if first in ("today", "tonight"):
        return _on_day(tokens, local_now, zone, 1)
    if first == "tomorrow":
        return _on_day(tokens, local_now + timedelta(days=1), zone, 1)
    if first in WEEKDAYS or first.rstrip("s") in WEEKDAYS:
        ahead = (WEEKDAYS.index(first.rstrip("s") if first not in WEEKDAYS else first) - local_now.weekday()) % 7
        moment = _on_day(tokens, local_now + timedelta(days=ahead), zone, 1)
        if moment.at.timestamp() <= now:
            moment = Moment(moment.at + timedelta(days=7), moment.words)
        return moment
    if CLOCK.match(first) or first in NAMED_CLOCKS:
        clock, used = _clock_from(tokens)
        return Moment(next_at(clock, now, zone), used)
    raise WhenError(f"I can't tell when `{shown(' '.join(tokens[:3]))}` is. {WHEN_HINT}")


def check_ahead(at: float, now: float, most: int, what: str) -> None:
    """`at` must be in the future and at most `most` seconds ahead."""
    if at <= now:
        raise WhenError(f"That time has already passed; {what} must be in the future.")
    if at - now > most:
        raise WhenError(f"That is too far ahead: {what} can be at most {describe_duration(most)} from now.")
