"""What clicks, the clock and Sloth do to a stored game (`handlers.games.logic`), without Slack."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from handlers.games.logic import Action, Refusal, advance, bot_reply, due, judge
from handlers.games.model import Game
from handlers.games.rules import BOT, rps, tictactoe, trivia

A, B, C = "UA", "UB", "UC"
NOW = 1000.0
IDLE = 3600.0
RNG = random.Random(7)


def ttt(status: str = "playing", opponent: str = B, moves: tuple[int, ...] = ()) -> Game:
    state = tictactoe.TicTacToeState((A, opponent), moves).to_dict()
    return Game("g1", "tictactoe", "T", "C", A, opponent, state, status=status, created=NOW, updated=NOW)


def click(game: Game, user: str, verb: str, arg: str = "", stage: str | None = None) -> Game | None:
    return judge(game, user, Action(verb, arg, game.stage if stage is None else stage), NOW + 1, RNG)


def test_a_move_bumps_the_version_and_remembers_the_click() -> None:
    game = click(ttt(), A, "move", "4")
    assert game is not None and game.version == 1 and game.updated == NOW + 1
    assert game.state["moves"] == [4] and game.turn == B and game.last == [A, "move:4", "0"]


def test_a_repeat_of_the_applied_click_is_ignored_and_other_stale_clicks_refused() -> None:
    game = click(ttt(), A, "move", "4")
    assert game is not None
    assert click(game, A, "move", "4", stage="0") is None
    with pytest.raises(Refusal) as refused:
        click(game, B, "move", "0", stage="0")
    assert refused.value.redraw and "out of date" in refused.value.text


@pytest.mark.parametrize(("user", "cell", "reason"), [
    (C, "0", "not playing"), (B, "0", "not your turn"), (A, "9", "no cell 10"), (A, "x", "not part of this game"),
])
def test_refusals_come_from_the_rules(user: str, cell: str, reason: str) -> None:
    with pytest.raises(Refusal) as refused:
        click(ttt(), user, "move", cell)
    assert reason in refused.value.text and not refused.value.redraw


def test_challenges_are_answered_by_the_opponent_or_withdrawn_by_the_challenger() -> None:
    waiting = ttt(status="waiting")
    with pytest.raises(Refusal, match="Waiting for <@UB>"):
        click(waiting, A, "accept")
    with pytest.raises(Refusal, match="for <@UB>"):
        click(waiting, C, "decline")
    accepted = click(waiting, B, "accept")
    assert accepted is not None and accepted.status == "playing" and accepted.turn == A
    declined = click(waiting, B, "decline")
    assert declined is not None and (declined.status, declined.ending) == ("declined", "declined")
    withdrawn = click(waiting, A, "decline")
    assert withdrawn is not None and withdrawn.ending == "withdrawn" and not withdrawn.has_board
    with pytest.raises(Refusal, match="no board"):
        click(waiting, A, "move", "0")


def test_resigning_hands_the_win_to_the_other_player_and_ends_the_game() -> None:
    game = click(ttt(), B, "resign")
    assert game is not None and (game.status, game.winner, game.resigned) == ("won", A, B)
    with pytest.raises(Refusal, match="over: <@UB> resigned") as refused:
        click(game, A, "move", "0", stage="0")
    assert refused.value.redraw


def test_a_won_board_sets_status_and_winner() -> None:
    game = click(ttt(moves=(0, 3, 1, 4)), A, "move", "2")
    assert game is not None and (game.status, game.winner, game.turn) == ("won", A, None)


def test_sloth_replies_perfectly_and_blocks_a_threat() -> None:
    game = bot_reply(ttt(opponent=BOT, moves=(0, 4, 1)), NOW)
    assert game.state["moves"][-1] == 2 and game.version == 1


def test_idle_games_expire_and_unanswered_challenges_say_so() -> None:
    assert advance(ttt(), NOW + IDLE - 1, IDLE) is None
    expired = advance(ttt(), NOW + IDLE, IDLE)
    assert expired is not None and (expired.status, expired.ending) == ("expired", "expired") and expired.has_board
    unanswered = advance(ttt(status="waiting"), NOW + IDLE, IDLE)
    assert unanswered is not None and unanswered.ending == "unanswered" and not unanswered.has_board
    assert due(ttt(), IDLE) == NOW + IDLE and due(expired, IDLE) is None


def rps_game(opponent: str = B) -> Game:
    state = rps.new_match(A, opponent).to_dict()
    return Game("g2", "rps", "T", "C", A, opponent, state, status="playing", created=NOW, updated=NOW)


def test_rps_picks_share_a_stage_until_the_round_resolves() -> None:
    game = click(rps_game(), A, "pick", "rock")
    assert game is not None and game.stage == "r1" and game.state["picks"] == ["rock", ""]
    game = click(game, B, "pick", "paper", stage="r1")
    assert game is not None and game.stage == "r2" and game.state["rounds"] == [["rock", "paper"]]


def test_rps_against_sloth_resolves_each_round_at_once() -> None:
    game = click(rps_game(BOT), A, "pick", "rock")
    assert game is not None and game.state["picks"] == ["", ""] and len(game.state["rounds"]) == 1


def quiz(players: tuple[str, ...] = (A,), rounds: int = 2) -> Game:
    state = trivia.new_game(trivia.load_bank(), "seed", rounds, players).to_dict()
    return Game("g3", "trivia", "T", "C", A, None, state, created=NOW, updated=NOW, deadline=NOW + 20)


def test_trivia_lobby_then_rounds_on_the_clock() -> None:
    lobby = quiz()
    joined = click(lobby, B, "join")
    assert joined is not None and joined.players == [A, B]
    assert advance(lobby, NOW + 19, IDLE) is None
    started = advance(joined, NOW + 20, IDLE)
    assert started is not None and started.status == "playing" and started.deadline == NOW + 40
    assert started.stage == "q1"
    closed = advance(started, NOW + 40, IDLE)
    assert closed is not None and closed.stage == "q2" and closed.deadline == NOW + 60
    finished = advance(closed, NOW + 60, IDLE)
    assert finished is not None and finished.status == "draw" and finished.deadline is None


def test_trivia_round_closes_when_everyone_answered_and_the_fastest_wins() -> None:
    game = click(quiz((A, B), rounds=1), A, "start")
    assert game is not None
    rules = game.rules
    assert isinstance(rules, trivia.TriviaState) and rules.question is not None
    right = rules.question.answer
    game = judge(game, B, Action("answer", str(right), "q1"), NOW + 5, RNG)
    assert game is not None and game.status == "playing"
    game = judge(game, A, Action("answer", str((right + 1) % 4), "q1"), NOW + 6, RNG)
    assert game is not None and (game.status, game.winner) == ("won", B)


def test_records_round_trip_through_json() -> None:
    game = replace(ttt(), last=[A, "move:4", "0"], ts="1.2")
    assert Game.from_dict(game.to_dict()) == game
    with pytest.raises(ValueError):
        Game.from_dict({**game.to_dict(), "kind": "chess"})
