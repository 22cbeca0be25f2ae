"""Trivia: a few multiple-choice rounds; correct answers score more the faster they come.

A game runs: ``new_game`` → ``join``… → ``ask`` → ``guess``… → the round closes → ``ask``…
and is over once its last round closes. A round closes at ``ROUND_SECONDS`` after it was
asked (``tick``) or as soon as everyone who joined has answered; answering joins you.

Scoring: a correct answer ``elapsed`` seconds after the question was asked scores
``round(1000 * (1 - elapsed / 40))``, i.e. 1000 at once, 750 at 10 s, 500 at the 20 s buzzer;
a wrong answer scores 0. Ties on the scoreboard go to whoever joined first.

Times are passed in as ``now`` (seconds on any clock the caller keeps consistent): the
rules never read a clock, so tests and replays are exact. ``to_dict()`` includes the right
answers and is for the store; anything posted to the channel should use ``public_view()``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from handlers.games.rules.base import IllegalMove, check_kind
from handlers.games.rules.trivia_bank import CHOICE_COUNT, Question
from handlers.games.rules.trivia_bank import load_bank as load_bank  # re-exported for callers

KIND = "trivia"
ROUND_SECONDS = 20.0
MAX_POINTS = 1000
DEFAULT_ROUNDS, MIN_ROUNDS, MAX_ROUNDS = 5, 1, 20


@dataclass(frozen=True)
class Answer:
    player: str
    choice: int
    elapsed: float
    points: int

    def to_dict(self) -> dict[str, Any]:
        return {"player": self.player, "choice": self.choice, "elapsed": self.elapsed, "points": self.points}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        player, choice = data.get("player"), data.get("choice")
        elapsed, points = data.get("elapsed"), data.get("points")
        if (
            not isinstance(player, str)
            or not isinstance(choice, int)
            or not isinstance(elapsed, int | float)
            or not isinstance(points, int)
        ):
            raise ValueError(f"bad answer: {data!r}")
        return cls(player, choice, float(elapsed), points)


@dataclass(frozen=True)
class Join:
    player: str


@dataclass(frozen=True)
class Ask:
    now: float


@dataclass(frozen=True)
class Guess:
    player: str
    choice: int
    now: float


@dataclass(frozen=True)
class Tick:
    now: float


Move = Join | Ask | Guess | Tick


@dataclass(frozen=True)
class TriviaState:
    questions: tuple[Question, ...]
    players: tuple[str, ...] = ()
    """Everyone who joined, in joining order."""
    closed: tuple[tuple[Answer, ...], ...] = ()
    """The answers of each closed round."""
    answers: tuple[Answer, ...] = ()
    """The open round's answers."""
    asked_at: float | None = None
    """When the open round's question was asked; None between rounds."""

    @property
    def round_number(self) -> int:
        """1-based number of the open round, else of the last closed one (0 before the first)."""
        return len(self.closed) + (self.asked_at is not None)

    @property
    def is_open(self) -> bool:
        return self.asked_at is not None

    @property
    def is_over(self) -> bool:
        return len(self.closed) == len(self.questions)

    @property
    def question(self) -> Question | None:
        return self.questions[len(self.closed)] if self.is_open else None

    @property
    def deadline(self) -> float | None:
        return None if self.asked_at is None else self.asked_at + ROUND_SECONDS

    @property
    def answered(self) -> list[str]:
        return [answer.player for answer in self.answers]

    def scoreboard(self) -> list[tuple[str, int]]:
        """Every player with points from closed rounds, best first; ties keep joining order."""
        totals = dict.fromkeys(self.players, 0)
        for answers in self.closed:
            for answer in answers:
                totals[answer.player] = totals.get(answer.player, 0) + answer.points
        return sorted(totals.items(), key=lambda item: -item[1])

    @property
    def winners(self) -> list[str]:
        """The top scorers once the game is over (several on a tie), else nobody."""
        board = self.scoreboard()
        if not self.is_over or not board:
            return []
        return [player for player, points in board if points == board[0][1]]

    def rows(self) -> list[list[str]]:
        return [[player, str(points)] for player, points in self.scoreboard()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "game": KIND,
            "questions": [question.to_dict() for question in self.questions],
            "players": list(self.players),
            "closed": [[answer.to_dict() for answer in answers] for answers in self.closed],
            "answers": [answer.to_dict() for answer in self.answers],
            "asked_at": self.asked_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TriviaState:
        check_kind(data, KIND)
        players = _as_list(data.get("players"), "players")
        if not all(isinstance(player, str) for player in players):
            raise ValueError(f"player ids must be strings: {players!r}")
        asked_at = data.get("asked_at")
        if asked_at is not None and not isinstance(asked_at, int | float):
            raise ValueError(f"bad asked_at: {asked_at!r}")
        closed = [_as_list(round_, "a round") for round_ in _as_list(data.get("closed"), "closed")]
        state = cls(
            tuple(Question.from_dict(question) for question in _as_list(data.get("questions"), "questions")),
            tuple(players),
            tuple(tuple(Answer.from_dict(answer) for answer in round_) for round_ in closed),
            tuple(Answer.from_dict(answer) for answer in _as_list(data.get("answers"), "answers")),
            None if asked_at is None else float(asked_at),
        )
        if len(state.closed) > len(state.questions) or (state.is_open and state.is_over):
            raise ValueError("more rounds played than questions drawn")
        return state


def new_game(
    bank: Sequence[Question],
    seed: int | str,
    rounds: int = DEFAULT_ROUNDS,
    players: Sequence[str] = (),
) -> TriviaState:
    """Draw ``rounds`` distinct questions; the same seed always draws the same ones."""
    if not MIN_ROUNDS <= rounds <= MAX_ROUNDS:
        raise IllegalMove(f"A game has {MIN_ROUNDS} to {MAX_ROUNDS} rounds.")
    if rounds > len(bank):
        raise IllegalMove(f"There are only {len(bank)} questions.")
    questions = random.Random(seed).sample(list(bank), rounds)
    return TriviaState(tuple(questions), tuple(dict.fromkeys(players)))


def points_for(elapsed: float) -> int:
    """Points for a correct answer ``elapsed`` seconds in; see the module docstring."""
    elapsed = min(max(elapsed, 0.0), ROUND_SECONDS)
    return round(MAX_POINTS * (1 - elapsed / (2 * ROUND_SECONDS)))


def join(state: TriviaState, player: str) -> TriviaState:
    if state.is_over:
        raise IllegalMove("The game is over.")
    if player in state.players:
        raise IllegalMove("You already joined.")
    return replace(state, players=(*state.players, player))


def ask(state: TriviaState, now: float) -> TriviaState:
    """Open the next round."""
    if state.is_over:
        raise IllegalMove("The game is over.")
    if state.is_open:
        raise IllegalMove("The current question is still open.")
    return replace(state, asked_at=now)


def guess(state: TriviaState, player: str, choice: int, now: float) -> TriviaState:
    """Record one answer; it closes the round if everyone who joined has now answered."""
    if state.is_over:
        raise IllegalMove("The game is over.")
    if state.asked_at is None or state.question is None:
        raise IllegalMove("No question is open right now.")
    if now >= state.asked_at + ROUND_SECONDS:
        raise IllegalMove("Time is up for this question.")
    if not 0 <= choice < CHOICE_COUNT:
        raise IllegalMove(f"Pick one of the {CHOICE_COUNT} answers.")
    if player in state.answered:
        raise IllegalMove("You already answered this question.")
    elapsed = max(now - state.asked_at, 0.0)
    points = points_for(elapsed) if choice == state.question.answer else 0
    players = state.players if player in state.players else (*state.players, player)
    state = replace(state, players=players, answers=(*state.answers, Answer(player, choice, elapsed, points)))
    if set(state.players) <= set(state.answered):
        return _close(state)
    return state


def tick(state: TriviaState, now: float) -> TriviaState:
    """Close the open round if its time is up; otherwise return the state unchanged."""
    if state.deadline is not None and now >= state.deadline:
        return _close(state)
    return state


def apply(state: TriviaState, move: Move) -> TriviaState:
    match move:
        case Join(player):
            return join(state, player)
        case Ask(now):
            return ask(state, now)
        case Guess(player, choice, now):
            return guess(state, player, choice, now)
        case Tick(now):
            return tick(state, now)
    raise TypeError(f"not a trivia move: {move!r}")


def public_view(state: TriviaState) -> dict[str, Any]:
    """What everyone may see: the open question without its answer, who has answered (not
    what), the scoreboard, and the last closed round in full."""
    question = None
    if state.question is not None:
        question = state.question.to_dict()
        del question["answer"]
    last_round = None
    if state.closed:
        last_round = state.questions[len(state.closed) - 1].to_dict()
        last_round["answers"] = [answer.to_dict() for answer in state.closed[-1]]
    return {
        "game": KIND,
        "round": state.round_number,
        "rounds": len(state.questions),
        "question": question,
        "deadline": state.deadline,
        "answered": state.answered,
        "scoreboard": [list(entry) for entry in state.scoreboard()],
        "last_round": last_round,
        "over": state.is_over,
        "winners": state.winners,
    }


def _close(state: TriviaState) -> TriviaState:
    return replace(state, closed=(*state.closed, state.answers), answers=(), asked_at=None)


def _as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list, got {value!r}")
    return value
