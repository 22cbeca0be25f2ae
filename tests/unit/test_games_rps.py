from __future__ import annotations

import json
import random

import pytest

from handlers.games.rules import IllegalMove
from handlers.games.rules.rps import RpsState, apply, bot_move, legal_moves, new_match, pick, public_view

ANN, BOB = "U_ANN", "U_BOB"


def rounds(state: RpsState, *pairs: tuple[str, str]) -> RpsState:
    for ann_choice, bob_choice in pairs:
        state = pick(pick(state, ANN, ann_choice), BOB, bob_choice)
    return state


def test_a_pick_stays_hidden_until_both_have_picked() -> None:
    state = pick(new_match(ANN, BOB), ANN, "scissors")
    view = public_view(state)
    assert view["picked"] == [True, False]
    assert view["rounds"] == [] and view["round"] == 1
    assert "scissors" not in json.dumps(view)

    state = pick(state, BOB, "paper")
    view = public_view(state)
    assert view["picked"] == [False, False]
    assert view["rounds"] == [["scissors", "paper", ANN]]
    assert view["score"] == [1, 0] and view["round"] == 2


def test_earlier_rounds_stay_visible_while_the_new_pick_is_hidden() -> None:
    state = pick(rounds(new_match(ANN, BOB), ("rock", "rock")), BOB, "paper")
    view = json.dumps(public_view(state))
    assert "rock" in view and "paper" not in view


def test_a_pick_cannot_be_changed() -> None:
    state = pick(new_match(ANN, BOB), ANN, "rock")
    with pytest.raises(IllegalMove) as refused:
        pick(state, ANN, "paper")
    assert refused.value.reason == "You already picked this round."
    assert legal_moves(state, ANN) == [] and legal_moves(state, BOB) == ["rock", "paper", "scissors"]


def test_a_tied_round_is_replayed_and_counts_for_nobody() -> None:
    state = rounds(new_match(ANN, BOB), ("paper", "paper"), ("rock", "rock"))
    assert state.score == (0, 0) and not state.is_over
    assert state.rows() == [["paper", "paper", ""], ["rock", "rock", ""]]
    assert public_view(state)["round"] == 3


def test_best_of_three_ends_at_two_wins() -> None:
    state = rounds(new_match(ANN, BOB), ("rock", "scissors"), ("rock", "paper"), ("scissors", "scissors"))
    assert state.score == (1, 1) and state.winner is None
    state = rounds(state, ("paper", "rock"))
    assert state.score == (2, 1) and state.winner == ANN and state.is_over and not state.is_draw
    assert public_view(state)["over"] is True and public_view(state)["winner"] == ANN
    with pytest.raises(IllegalMove, match="match is over"):
        pick(state, BOB, "rock")


def test_best_of_five_needs_three_wins() -> None:
    state = rounds(new_match(ANN, BOB, best_of=5), *[("rock", "paper")] * 2)
    assert state.winner is None
    state = rounds(state, ("scissors", "rock"))
    assert state.winner == BOB and state.score == (0, 3)


@pytest.mark.parametrize(
    ("player", "choice", "reason"),
    [
        ("U_CAROL", "rock", "You are not playing in this match."),
        (ANN, "lizard", "Choose rock, paper or scissors."),
    ],
)
def test_bad_picks_say_why(player: str, choice: str, reason: str) -> None:
    with pytest.raises(IllegalMove) as refused:
        pick(new_match(ANN, BOB), player, choice)
    assert refused.value.reason == reason


def test_picks_are_normalised() -> None:
    assert pick(new_match(ANN, BOB), ANN, " Rock ").picks == ("rock", "")


def test_match_length_and_players_are_checked() -> None:
    with pytest.raises(IllegalMove, match="best of 3 or best of 5"):
        new_match(ANN, BOB, best_of=4)
    with pytest.raises(IllegalMove, match="against yourself"):
        new_match(ANN, ANN)


def test_json_round_trip_keeps_the_secret_pick() -> None:
    state = pick(rounds(new_match(ANN, BOB, best_of=5), ("rock", "paper")), BOB, "scissors")
    restored = RpsState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state and restored.picks == ("", "scissors")


@pytest.mark.parametrize(
    "changes",
    [
        {"game": "tictactoe"},
        {"best_of": 4},
        {"rounds": [["rock", "stone"]]},
        {"picks": ["rock", "paper"]},
        {"rounds": [["rock", "scissors"], ["rock", "scissors"]], "picks": ["rock", ""]},
    ],
)
def test_from_dict_rejects_impossible_states(changes: dict[str, object]) -> None:
    data = {**new_match(ANN, BOB).to_dict(), **changes}
    with pytest.raises(ValueError):
        RpsState.from_dict(data)


def test_apply_and_the_bot_pick_a_legal_choice() -> None:
    state = new_match(ANN, "sloth")
    move = bot_move(state, "sloth", random.Random(1))
    state = apply(state, move)
    assert state.picks[1] in ("rock", "paper", "scissors")
    assert public_view(state)["picked"] == [False, True]
