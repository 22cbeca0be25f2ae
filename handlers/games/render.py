"""A game drawn as one Slack message: headline text, one coloured attachment, and metadata.

The attachment's colour says whose turn it is (and green, red or grey once it is over), its
fields name the players and the score, its `blocks` hold the board as buttons, and its
`fallback` describes the position in plain words. The fields are a section's `fields` among the
attachment's blocks: Slack does not take an attachment's legacy `fields` beside `blocks`
(python-slack-sdk's BlockAttachment refuses the pair). The message metadata (`sloth_game`) lets
other tools read the game without scraping text. Pure functions of a `Game` and the players'
display names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.pure import actions, button, context_block, escape
from bot.pure import fields as field_section
from handlers.games import boards
from handlers.games.logic import name
from handlers.games.model import DECLINED, DRAW, EXPIRED, PLAYING, TITLES, WAITING, WON, Game
from handlers.games.rules import BOT, connect4, rps, tictactoe, trivia

EVENT_TYPE = "sloth_game"
TURN_COLOURS = {
    tictactoe.KIND: ("#1D9BD1", "#ECB22E"),  # X blue, O amber
    connect4.KIND: ("#E01E5A", "#ECB22E"),  # the pieces' own red and yellow
}
IN_PLAY_COLOUR = "#4A154B"  # games without turns
WAITING_COLOUR = "#D1D2D3"
OVER_GREY = "#9E9E9E"
MARKS = {
    tictactoe.KIND: (boards.TTT_MARKS["X"], boards.TTT_MARKS["O"]),
    connect4.KIND: (boards.C4_PIECES["R"], boards.C4_PIECES["Y"]),
}


@dataclass(frozen=True)
class Drawing:
    text: str
    attachments: list[dict[str, Any]]
    metadata: dict[str, Any]


def draw(game: Game, names: Mapping[str, str], idle_seconds: float) -> Drawing:
    """The whole message for `game`; `names` maps player ids to display names for plain text."""
    headline = f"*{title(game)}* · {status_line(game, idle_seconds)}"
    blocks: list[dict[str, Any]] = [field_section(fields(game))]
    blocks += board_blocks(game)
    controls = control_buttons(game)
    if controls:
        blocks.append(actions(*controls, block_id="game-controls"))
    if not game.over and game.kind != trivia.KIND:  # a quiz runs on its own clock
        blocks.append(context_block(f"Idle games expire after {_hours(idle_seconds)}."))
    attachment = {
        "color": colour(game),
        "fallback": fallback(game, names, idle_seconds),
        "blocks": blocks,
    }
    return Drawing(text=headline, attachments=[attachment], metadata=metadata(game))


def title(game: Game) -> str:
    if game.kind == rps.KIND:
        return f"{TITLES[game.kind]}, best of {game.state.get('best_of', 3)}"
    if game.kind == trivia.KIND:
        return f"{TITLES[game.kind]}, {len(game.state.get('questions', []))} questions"
    return TITLES[game.kind]


def status_line(game: Game, idle_seconds: float, show: Callable[[str | None], str] = name) -> str:
    if game.status == WAITING and game.kind == trivia.KIND:
        return f"{show(game.challenger)} started a quiz: join in!"
    if game.status == WAITING:
        return f"{show(game.challenger)} challenges {show(game.opponent)}. {show(game.opponent)}, do you accept?"
    if game.status == PLAYING:
        if game.kind in TURN_COLOURS:
            return "I'm thinking…" if game.turn == BOT else f"{show(game.turn)} to move."
        if game.kind == rps.KIND:
            return "Both players pick in secret."
        return "Anyone may answer; the fastest right answer scores most."
    if game.status == WON:
        resigned = f" ({show(game.resigned)} resigned)" if game.ending == "resigned" else ""
        return f"{show(game.winner)} won!{resigned}"
    if game.status == DRAW:
        return "Nobody scored." if game.kind == trivia.KIND and not _any_points(game) else "A draw."
    if game.ending == "unanswered":
        return f"{show(game.opponent)} did not answer the challenge within {_hours(idle_seconds)}."
    if game.status == EXPIRED:
        return f"Expired after {_hours(idle_seconds)} without a move."
    if game.ending == "withdrawn":
        return f"{show(game.challenger)} withdrew the challenge."
    return f"{show(game.opponent)} declined."


def colour(game: Game) -> str:
    if game.status == WON:
        return "danger" if game.winner == BOT else "good"
    if game.status in (DRAW, EXPIRED, DECLINED):
        return OVER_GREY
    if game.status == WAITING:
        return WAITING_COLOUR
    if game.kind in TURN_COLOURS:
        return TURN_COLOURS[game.kind][game.players.index(game.turn or game.players[0])]
    return IN_PLAY_COLOUR


def fields(game: Game) -> list[tuple[str, str]]:
    """(title, mrkdwn value) for the players and the score."""
    if game.kind in MARKS:
        marks = MARKS[game.kind]
        players = "\n".join(f"{mark} {name(player)}" for mark, player in zip(marks, game.players, strict=True))
        moves = len(game.state.get("moves", []))
        return [("Players", players), ("Moves", str(moves))]
    if game.kind == rps.KIND:
        view = boards.rps_view(game)
        score = " – ".join(f"{name(player)} {wins}" for player, wins in zip(view["players"], view["score"],
                                                                          strict=True))
        return [("Players", f"{name(game.players[0])} vs {name(game.players[1])}"),
                ("Score", f"{score} (first to {view['best_of'] // 2 + 1})")]
    view = boards.trivia_view(game)
    board = "\n".join(f"{place}. {name(player)} {points}" for place, (player, points)
                      in enumerate(view["scoreboard"][:10], 1)) or "Nobody yet"
    question = f"{view['round']} of {view['rounds']}" if game.status != WAITING else f"{view['rounds']} to come"
    return [("Question", question), ("Scoreboard", board)]


def board_blocks(game: Game) -> list[dict[str, Any]]:
    if game.kind == tictactoe.KIND:
        return boards.tictactoe_blocks(game)
    if game.kind == connect4.KIND:
        return boards.connect4_blocks(game)
    if game.kind == rps.KIND:
        return boards.rps_blocks(game, name)
    return boards.trivia_blocks(game, name)


def control_buttons(game: Game) -> list[dict[str, Any]]:
    value = boards.value(game)
    if game.status == WAITING and game.kind != trivia.KIND:
        return [button("Accept", "game:accept", value, "primary"), button("Decline", "game:decline", value, "danger")]
    if game.status == PLAYING and game.kind != trivia.KIND:
        resign = button("Resign", "game:resign", value, "danger")
        resign["confirm"] = {
            "title": {"type": "plain_text", "text": "Resign?"},
            "text": {"type": "plain_text", "text": "Your opponent wins this game."},
            "confirm": {"type": "plain_text", "text": "Resign"},
            "deny": {"type": "plain_text", "text": "Keep playing"},
        }
        return [resign]
    return []


def fallback(game: Game, names: Mapping[str, str], idle_seconds: float) -> str:
    """The position in plain words, for notifications and clients that show no blocks."""

    def plain(player: str | None) -> str:
        if player is None:
            return "nobody"
        return "Sloth" if player == BOT else names.get(player, player)

    status = status_line(game, idle_seconds, plain).replace("*", "")
    players = " vs ".join(plain(player) for player in game.players) or "no players yet"
    picture = ""
    if game.has_board:
        pictures = {tictactoe.KIND: boards.tictactoe_picture, connect4.KIND: boards.connect4_picture,
                    rps.KIND: boards.rps_picture, trivia.KIND: boards.trivia_picture}
        picture = f" Board: {pictures[game.kind](game)}."
    return escape(f"{title(game)}: {players}. {status}{picture}")


def metadata(game: Game) -> dict[str, Any]:
    """The `sloth_game` record; rock-paper-scissors and trivia parts come from `public_view` only.

    Only the shapes Slack's message metadata takes (@slack/types `MessageMetadata`): strings,
    numbers, booleans, flat objects and arrays of flat objects; no null, no nested arrays. So
    lists of members are comma-separated text, "no one" is "", and the grid is one string.
    """
    payload: dict[str, Any] = {
        "game": game.kind, "id": game.id, "version": game.version, "status": game.status,
        "players": ",".join(game.players), "turn": game.turn or "", "winner": game.winner or "",
    }
    if game.kind == rps.KIND:
        view = boards.rps_view(game)
        picked = [player for player, done in zip(game.players, view["picked"], strict=False) if done]
        payload.update(score="-".join(str(s) for s in view["score"]), round=view["round"],
                       best_of=view["best_of"], picked=",".join(picked),
                       rounds=[{"picks": ",".join(row[:-1]), "winner": row[-1]} for row in view["rounds"]])
    elif game.kind == trivia.KIND:
        view = boards.trivia_view(game)
        payload.update(round=view["round"], rounds=view["rounds"], answered=",".join(view["answered"]),
                       scoreboard=[{"user": user, "points": points} for user, points in view["scoreboard"]])
    else:
        payload["board"] = boards.board_text(game)
    return {"event_type": EVENT_TYPE, "event_payload": payload}


def _any_points(game: Game) -> bool:
    return any(points for _, points in boards.trivia_view(game)["scoreboard"])


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    if hours >= 1:
        return f"{hours:g} h"
    return f"{max(1, round(seconds / 60))} min"
