from __future__ import annotations

import json

import pytest

from handlers.games.rules import IllegalMove, trivia
from handlers.games.rules.trivia import (
    ROUND_SECONDS,
    Ask,
    Guess,
    Join,
    Question,
    Tick,
    TriviaState,
    apply,
    ask,
    guess,
    join,
    load_bank,
    new_game,
    points_for,
    public_view,
    tick,
)

ANN, BOB, CAROL = "U_ANN", "U_BOB", "U_CAROL"
T0 = 1_700_000_000.0  # any clock works, as long as the caller keeps using the same one


def sample_bank(size: int = 8) -> list[Question]:
    return [Question("test", f"Question {n}?", ("a", "b", "c", "d"), n % 4) for n in range(size)]


def started(rounds: int = 3, players: tuple[str, ...] = (ANN, BOB)) -> TriviaState:
    return ask(new_game(sample_bank(), seed=7, rounds=rounds, players=players), now=T0)


def right(state: TriviaState) -> int:
    assert state.question is not None
    return state.question.answer


def wrong(state: TriviaState) -> int:
    return (right(state) + 1) % 4


# --- the question bank --------------------------------------------------------------------


def test_the_bank_is_big_varied_and_well_formed() -> None:
    bank = load_bank()
    assert len(bank) >= 60
    assert len({question.category for question in bank}) >= 5
    texts = [question.question.strip().lower() for question in bank]
    assert len(set(texts)) == len(texts), "duplicate questions"
    for question in bank:
        assert question.question.strip() and question.category.strip()
        assert len(question.choices) == 4
        assert len({choice.strip().lower() for choice in question.choices}) == 4, question.question
        assert all(choice.strip() for choice in question.choices)
        assert 0 <= question.answer < 4


def test_the_bank_file_is_plain_json_objects() -> None:
    bank = load_bank()
    assert [Question.from_dict(question.to_dict()) for question in bank] == list(bank)


@pytest.mark.parametrize(
    "data",
    [
        {"category": "x", "question": "q?", "choices": ["a", "b", "c"], "answer": 0},
        {"category": "x", "question": "q?", "choices": ["a", "b", "c", "d"], "answer": 4},
        {"category": "x", "question": "q?", "choices": ["a", "b", "c", "d"], "answer": True},
        {"category": "x", "choices": ["a", "b", "c", "d"], "answer": 0},
    ],
)
def test_malformed_questions_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Question.from_dict(data)


# --- drawing questions --------------------------------------------------------------------


def test_questions_are_drawn_without_repetition_by_a_seeded_rng() -> None:
    bank = load_bank()
    game = new_game(bank, seed="C123:1700000000.000100", rounds=20)
    assert len(set(game.questions)) == 20
    assert new_game(bank, seed="C123:1700000000.000100", rounds=20).questions == game.questions
    assert new_game(bank, seed="another", rounds=20).questions != game.questions
    assert len(new_game(bank, seed=1).questions) == trivia.DEFAULT_ROUNDS == 5


@pytest.mark.parametrize("rounds", [0, 21, -1])
def test_a_game_has_one_to_twenty_rounds(rounds: int) -> None:
    with pytest.raises(IllegalMove, match="1 to 20 rounds"):
        new_game(load_bank(), seed=1, rounds=rounds)


def test_a_game_cannot_have_more_rounds_than_questions() -> None:
    with pytest.raises(IllegalMove, match="only 3 questions"):
        new_game(sample_bank(3), seed=1, rounds=4)


# --- playing a round ----------------------------------------------------------------------


def test_scoring_rewards_speed_linearly() -> None:
    assert points_for(0) == 1000
    assert points_for(10) == 750
    assert points_for(19) == 525
    assert points_for(ROUND_SECONDS) == 500
    assert points_for(-3) == 1000  # a clock hiccup never gives more than the maximum


def test_correct_answers_score_by_time_and_wrong_ones_score_nothing() -> None:
    state = started(players=(ANN, BOB, CAROL))
    state = guess(state, BOB, right(state), now=T0 + 2.0)
    state = guess(state, ANN, right(state), now=T0 + 8.0)
    state = guess(state, CAROL, wrong(state), now=T0 + 1.0)
    assert not state.is_open  # all three who joined have answered
    assert [(a.player, a.points) for a in state.closed[0]] == [(BOB, 950), (ANN, 800), (CAROL, 0)]
    assert state.scoreboard() == [(BOB, 950), (ANN, 800), (CAROL, 0)]
    assert state.rows() == [[BOB, "950"], [ANN, "800"], [CAROL, "0"]]


def test_one_answer_per_person_per_round() -> None:
    state = guess(started(), ANN, 0, now=T0 + 1)
    with pytest.raises(IllegalMove) as refused:
        guess(state, ANN, 1, now=T0 + 2)
    assert refused.value.reason == "You already answered this question."


def test_a_round_closes_after_twenty_seconds() -> None:
    state = guess(started(), ANN, 0, now=T0 + 1)
    assert tick(state, now=T0 + 19.99) is state
    assert state.deadline == T0 + 20
    with pytest.raises(IllegalMove, match="Time is up"):
        guess(state, BOB, 0, now=T0 + 20)
    closed = tick(state, now=T0 + 20)
    assert not closed.is_open and len(closed.closed) == 1
    assert [answer.player for answer in closed.closed[0]] == [ANN]
    with pytest.raises(IllegalMove, match="No question is open"):
        guess(closed, BOB, 0, now=T0 + 21)


def test_answering_joins_and_everyone_who_joined_must_answer_before_an_early_close() -> None:
    state = started(players=(ANN,))
    state = guess(state, BOB, 0, now=T0 + 1)  # Bob joins by answering
    assert state.players == (ANN, BOB) and state.is_open
    state = join(state, CAROL)
    state = guess(state, ANN, 0, now=T0 + 2)
    assert state.is_open  # Carol has not answered yet
    state = guess(state, CAROL, 0, now=T0 + 3)
    assert not state.is_open


def test_refused_moves_say_why() -> None:
    state = started()
    with pytest.raises(IllegalMove, match="still open"):
        ask(state, now=T0 + 1)
    with pytest.raises(IllegalMove, match="one of the 4 answers"):
        guess(state, ANN, 4, now=T0 + 1)
    with pytest.raises(IllegalMove, match="already joined"):
        join(state, ANN)
    with pytest.raises(IllegalMove, match="No question is open"):
        guess(new_game(sample_bank(), seed=1), ANN, 0, now=T0)


def test_the_game_ends_after_its_rounds_with_a_sorted_scoreboard() -> None:
    state = new_game(sample_bank(), seed=3, rounds=2, players=(ANN, BOB, CAROL))
    for round_start in (T0, T0 + 60):
        state = ask(state, now=round_start)
        assert state.round_number == len(state.closed) + 1
        state = guess(state, CAROL, right(state), now=round_start + 4)
        state = guess(state, ANN, right(state), now=round_start + 4)
        state = tick(state, now=round_start + 30)  # Bob never answers
    assert state.is_over and state.round_number == 2
    assert state.scoreboard() == [(ANN, 1800), (CAROL, 1800), (BOB, 0)]  # ties keep joining order
    assert state.winners == [ANN, CAROL]
    for refused in (lambda: ask(state, now=T0 + 200), lambda: join(state, "U_DAN")):
        with pytest.raises(IllegalMove, match="game is over"):
            refused()


def test_apply_dispatches_every_kind_of_move() -> None:
    state = new_game(sample_bank(), seed=5, rounds=1)
    state = apply(state, Join(ANN))
    state = apply(state, Ask(T0))
    state = apply(state, Tick(T0 + 5))
    assert state.is_open
    state = apply(state, Guess(ANN, right(state), T0 + 5))
    assert state.is_over and state.winners == [ANN] and state.scoreboard() == [(ANN, 875)]


# --- what may be shown, and what may be stored --------------------------------------------


def test_public_view_hides_the_open_answer_and_who_chose_what() -> None:
    state = guess(started(players=(ANN, BOB, CAROL)), ANN, 2, now=T0 + 3)
    view = public_view(state)
    assert view["question"] is not None and "answer" not in view["question"]
    assert view["answered"] == [ANN]
    assert '"choice":' not in json.dumps(view) and '"points":' not in json.dumps(view)
    assert view["deadline"] == T0 + 20 and view["round"] == 1 and view["rounds"] == 3

    closed = tick(state, now=T0 + 20)
    shown = public_view(closed)["last_round"]
    assert shown["answer"] == closed.questions[0].answer
    assert shown["answers"][0]["player"] == ANN and shown["answers"][0]["choice"] == 2
    assert public_view(closed)["question"] is None


def test_json_round_trip_in_the_middle_of_a_round() -> None:
    state = tick(guess(started(), ANN, 1, now=T0 + 1), now=T0 + 25)
    state = guess(ask(state, now=T0 + 30), BOB, 0, now=T0 + 33.5)
    data = json.loads(json.dumps(state.to_dict()))
    assert TriviaState.from_dict(data) == state


@pytest.mark.parametrize(
    "changes",
    [
        {"game": "rps"},
        {"players": "U_ANN"},
        {"asked_at": "soon"},
        {"closed": [[], [], [], []]},
        {"answers": [{"player": ANN, "choice": 0}]},
    ],
)
def test_from_dict_rejects_malformed_states(changes: dict[str, object]) -> None:
    data = {**started().to_dict(), **changes}
    with pytest.raises(ValueError):
        TriviaState.from_dict(data)
