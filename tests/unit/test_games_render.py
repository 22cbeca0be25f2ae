"""A game as a Slack message (`handlers.games.render`) and the leaderboard (`handlers.games.scores`)."""

from __future__ import annotations

import json
from dataclasses import replace

from handlers.games import scores
from handlers.games.model import Game
from handlers.games.render import draw, metadata
from handlers.games.rules import BOT, connect4, rps, tictactoe, trivia

A, B = "UA", "UB"
NAMES = {A: "Ann <admin>", B: "Bob"}
IDLE = 24 * 3600.0


def game(kind: str, state: dict, status: str = "playing", opponent: str = B, **fields: object) -> Game:
    return Game("g1", kind, "T", "C", A, opponent, state, status=status, **fields)  # type: ignore[arg-type]


def ttt(moves: tuple[int, ...] = (), status: str = "playing", opponent: str = B) -> Game:
    return game("tictactoe", tictactoe.TicTacToeState((A, opponent), moves).to_dict(), status, opponent)


def test_metadata_carries_the_documented_payload() -> None:
    payload = metadata(ttt((4, 0)))
    assert payload["event_type"] == "sloth_game"
    assert payload["event_payload"] == {
        "game": "tictactoe", "id": "g1", "version": 0, "status": "playing", "players": f"{A},{B}", "turn": A,
        "winner": "", "board": "O../.X./...",
    }
    c4 = metadata(game("connect4", connect4.new_game(A, BOT).to_dict(), opponent=BOT))["event_payload"]
    assert c4["board"] == "/".join(["......."] * 6) and c4["players"] == f"{A},sloth"


def allowed(value: object, top: bool = True) -> bool:
    """@slack/types MessageMetadata: string, number, boolean, a flat object of those, or an array
    of such flat objects; no null, no arrays of anything else."""
    if isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, dict):
        return all(isinstance(v, (str, bool, int, float)) or (top and allowed(v, False)) for v in value.values())
    return top and isinstance(value, list) and all(isinstance(v, dict) and allowed(v, False) for v in value)


def test_every_game_payload_has_only_shapes_slack_takes() -> None:
    games = [ttt(), ttt((4, 0, 8, 2, 6), status="won"), game("connect4", connect4.new_game(A, BOT).to_dict()),
             game("rps", rps.new_match(A, B, 3).to_dict()),
             game("trivia", trivia.new_game(trivia.load_bank(), "g1", 3, [A]).to_dict(), opponent=None)]
    for each in games:
        payload = metadata(each)["event_payload"]
        assert all(allowed(value) for value in payload.values()), payload


def test_colour_follows_the_turn_then_the_outcome() -> None:
    colours = [draw(g, NAMES, IDLE).attachments[0]["color"] for g in (ttt(status="waiting"), ttt(), ttt((4,)))]
    assert colours == ["#D1D2D3", "#1D9BD1", "#ECB22E"]  # waiting, X to move, O to move
    won = replace(ttt((0, 3, 1, 4, 2)), status="won", winner=A)
    lost = replace(ttt((0, 3, 1, 4, 2), opponent=BOT), status="won", winner=BOT)
    drawn = replace(ttt(), status="draw")
    assert [draw(g, NAMES, IDLE).attachments[0]["color"] for g in (won, lost, drawn)] == ["good", "danger", "#9E9E9E"]


def test_board_buttons_carry_the_game_and_its_stage() -> None:
    attachment = draw(ttt((4,)), NAMES, IDLE).attachments[0]
    cells = [e for b in attachment["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in cells[:9]] == [f"game:move:{i}" for i in range(9)]
    assert {e["value"] for e in cells} == {"g1:0"} and cells[4]["text"]["text"] == "\u274c"
    assert cells[-1]["action_id"] == "game:resign" and "confirm" in cells[-1]


def test_fallback_describes_the_position_in_plain_escaped_words() -> None:
    fallback = draw(ttt((4, 0)), NAMES, IDLE).attachments[0]["fallback"]
    assert fallback == ("Tic-tac-toe: Ann &lt;admin&gt; vs Bob. Ann &lt;admin&gt; to move. "
                        "Board: O . . / . X . / . . ..")


def test_rps_drawing_is_the_same_whatever_was_picked() -> None:
    drawings = []
    for choice in rps.CHOICES:
        state = rps.pick(rps.new_match(A, B), A, choice)
        drawings.append(json.dumps(draw(game("rps", state.to_dict()), NAMES, IDLE).__dict__))
    assert len(set(drawings)) == 1 and '"picked": "UA"' in drawings[0]


def test_trivia_drawing_never_shows_the_open_answer() -> None:
    state = trivia.ask(trivia.new_game(trivia.load_bank(), "s", 1, [A]), 100.0)
    shown = json.dumps(draw(game("trivia", state.to_dict(), opponent=None), NAMES, IDLE).__dict__)  # type: ignore[arg-type]
    assert '"answer"' not in shown and state.question is not None and state.question.question in shown


def test_scores_count_a_game_once_and_rank_players() -> None:
    won = replace(ttt((0, 3, 1, 4, 2)), status="won", winner=A)
    first = scores.tally({}, won)
    assert first is not None and scores.tally(first, won) is None
    draw_game = replace(ttt(), id="g2", status="draw")
    second = scores.tally(first, draw_game)
    assert second is not None
    board = scores.leaderboard(second, "tictactoe", 5)
    assert board == [(A, {"won": 1, "lost": 0, "drawn": 1}), (B, {"won": 0, "lost": 1, "drawn": 1})]
    assert scores.tally(second, replace(ttt(), id="g3", status="expired")) is None
    assert scores.describe("tictactoe", board[0][1]) == "1 W · 0 L · 1 D"
