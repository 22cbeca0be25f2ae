"""What a click, the clock or Sloth's own move does to a game: pure functions of a `Game`.

`judge` decides one click (apply it, ignore a double click, or refuse with a sentence);
`advance` applies whatever the clock has made due (expiry, trivia rounds); `bot_reply`
computes Sloth's move. None of them touch Slack or the store: `flow` does that around them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from handlers.games.model import DECLINED, DRAW, EXPIRED, PLAYING, TURN_BASED, WAITING, WON, Game
from handlers.games.rules import BOT, IllegalMove, connect4, rps, tictactoe, trivia

LOBBY_SECONDS = 20.0
"""How long a trivia game waits for players before its first question."""
CONNECT4_BUDGET = 0.8
"""Seconds Sloth may think about a connect-four move; under the 1 s promised, with room to post."""
BOARD_VERBS = frozenset({"move", "pick", "answer"})
STALE = {
    "move": "That board was out of date, so I left it as it is and redrew it. Try again on this one.",
    "pick": "That round is already over; pick again for this one.",
    "answer": "That question has closed.",
}


class Refusal(Exception):
    """A click that changes nothing; `text` is shown only to the person who clicked."""

    def __init__(self, text: str, redraw: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.redraw = redraw


@dataclass(frozen=True)
class Action:
    verb: str
    arg: str
    stage: str
    """The stage the clicked board was drawn at (see `Game.stage`)."""

    @property
    def name(self) -> str:
        return f"{self.verb}:{self.arg}" if self.arg else self.verb


def changed(game: Game, now: float, **changes: object) -> Game:
    return replace(game, version=game.version + 1, updated=now, **changes)  # type: ignore[arg-type]


def judge(game: Game, user: str, action: Action, now: float, rng: random.Random) -> Game | None:
    """The game after `user`'s click, or None for a repeat of the click just applied."""
    if game.last == [user, action.name, action.stage]:
        return None
    if game.over:
        raise Refusal(f"This game is over: {ending_text(game)}", redraw=action.stage != game.stage)
    if action.verb in BOARD_VERBS and action.stage != game.stage:
        raise Refusal(STALE[action.verb], redraw=True)
    handler = HANDLERS.get(action.verb)
    if handler is None:
        raise Refusal("That button no longer does anything.", redraw=True)
    try:
        new = handler(game, user, action.arg, now, rng)
    except IllegalMove as refused:
        raise Refusal(refused.reason) from None
    return conclude(replace(new, last=[user, action.name, action.stage]))


def advance(game: Game, now: float, idle_seconds: float) -> Game | None:
    """The game after whatever the clock has made due, or None when nothing is."""
    if game.over:
        return None
    if game.kind == trivia.KIND and game.deadline is not None and now >= game.deadline:
        rules = game.rules
        assert isinstance(rules, trivia.TriviaState)
        if game.status == WAITING:
            return _asked(game, trivia.ask(rules, now), now)
        return conclude(_asked(game, trivia.tick(rules, now), now))
    if now >= game.updated + idle_seconds:
        return changed(game, now, status=EXPIRED, ending="unanswered" if game.status == WAITING else "expired")
    return None


def due(game: Game, idle_seconds: float) -> float | None:
    """When `advance` next has something to do; None once the game is over."""
    if game.over:
        return None
    expiry = game.updated + idle_seconds
    return expiry if game.deadline is None else min(expiry, game.deadline)


def bot_to_move(game: Game) -> bool:
    return game.turn == BOT


def bot_reply(game: Game, now: float) -> Game:
    """Sloth's move on a turn-based board (connect four takes up to `CONNECT4_BUDGET` s)."""
    rules = game.rules
    if isinstance(rules, tictactoe.TicTacToeState):
        new_rules: tictactoe.TicTacToeState | connect4.Connect4State = tictactoe.apply(
            rules, tictactoe.bot_move(rules)
        )
    elif isinstance(rules, connect4.Connect4State):
        new_rules = connect4.apply(rules, connect4.bot_move(rules, depth=6, time_budget=CONNECT4_BUDGET))
    else:
        raise ValueError(f"Sloth does not take turns in {game.kind}")
    return conclude(changed(game, now, state=new_rules.to_dict()))


def conclude(game: Game) -> Game:
    """Set status and winner once the rules say the game is over on the board."""
    if game.status != PLAYING:
        return game
    rules = game.rules
    if isinstance(rules, trivia.TriviaState):
        if not rules.is_over:
            return game
        board = rules.scoreboard()
        leaders = [player for player, points in board if points == board[0][1]] if board else []
        if len(leaders) == 1 and board[0][1] > 0:
            return replace(game, status=WON, winner=leaders[0])
        return replace(game, status=DRAW)
    if rules.winner is not None:
        return replace(game, status=WON, winner=rules.winner)
    if rules.is_draw:
        return replace(game, status=DRAW)
    return game


def ending_text(game: Game) -> str:
    if game.ending == "resigned":
        return f"{name(game.resigned)} resigned."
    endings = {"declined": "the challenge was declined.", "withdrawn": "the challenge was withdrawn.",
               "unanswered": "the challenge expired unanswered.", "expired": "it expired after a long idle spell."}
    if game.ending in endings:
        return endings[game.ending]
    if game.status == WON:
        return f"{name(game.winner)} won."
    return "it was a draw."


def name(player: str | None) -> str:
    """How a player is shown in a message: a member as a mention, Sloth by name."""
    if player is None:
        return "nobody"
    return "Sloth" if player == BOT else f"<@{player}>"


# -- what each button does ----------------------------------------------------------------


def _accept(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    _check_challenge(game, user, "accept")
    return changed(game, now, status=PLAYING)


def _decline(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    _check_challenge(game, user, "decline")
    ending = "withdrawn" if user == game.challenger else "declined"
    return changed(game, now, status=DECLINED, ending=ending)


def _check_challenge(game: Game, user: str, verb: str) -> None:
    if game.status != WAITING or game.kind == trivia.KIND:
        raise IllegalMove("This challenge has already been answered.")
    if user == game.challenger and verb == "accept":
        raise IllegalMove(f"Waiting for {name(game.opponent)} to accept.")
    if user not in (game.challenger, game.opponent):
        raise IllegalMove(f"This challenge is for {name(game.opponent)}.")


def _move(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    if game.kind not in TURN_BASED or game.status != PLAYING:
        raise IllegalMove("There is no board to move on yet.")
    if user in game.players and game.turn == BOT:
        raise IllegalMove("It is my turn; give me a moment.")
    rules = game.rules
    index = _number(arg)
    if isinstance(rules, tictactoe.TicTacToeState):
        new_rules: tictactoe.TicTacToeState | connect4.Connect4State = tictactoe.apply(
            rules, tictactoe.Move(user, index)
        )
    else:
        assert isinstance(rules, connect4.Connect4State)
        new_rules = connect4.apply(rules, connect4.Move(user, index))
    return changed(game, now, state=new_rules.to_dict())


def _pick(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    rules = game.rules
    if not isinstance(rules, rps.RpsState) or game.status != PLAYING:
        raise IllegalMove("There is nothing to pick yet.")
    rules = rps.pick(rules, user, arg)
    if BOT in rules.players and not rules.is_over and not rules.picks[rules.players.index(BOT)]:
        # Sloth picks at random, so picking after the person cannot help it.
        rules = rps.apply(rules, rps.bot_move(rules, BOT, rng))
    return changed(game, now, state=rules.to_dict())


def _answer(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    rules = game.rules
    if not isinstance(rules, trivia.TriviaState) or game.status != PLAYING:
        raise IllegalMove("No question is open right now.")
    return _asked(game, trivia.guess(rules, user, _number(arg), now), now)


def _join(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    rules = game.rules
    if not isinstance(rules, trivia.TriviaState):
        raise IllegalMove("There is nothing to join here.")
    if game.status != WAITING:
        raise IllegalMove("The quiz has started: just answer the question to play.")
    return changed(game, now, state=trivia.join(rules, user).to_dict())


def _start(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    rules = game.rules
    if not isinstance(rules, trivia.TriviaState) or game.status != WAITING:
        raise IllegalMove("The quiz has already started.")
    if user not in rules.players:
        raise IllegalMove("Join first; then you can start the quiz.")
    return _asked(game, trivia.ask(rules, now), now)


def _resign(game: Game, user: str, arg: str, now: float, rng: random.Random) -> Game:
    if game.status != PLAYING or game.kind == trivia.KIND:
        raise IllegalMove("There is no game to resign from.")
    if user not in game.players:
        raise IllegalMove("Only the players can resign.")
    other = next(player for player in game.players if player != user)
    return changed(game, now, status=WON, winner=other, ending="resigned", resigned=user)


def _asked(game: Game, rules: trivia.TriviaState, now: float) -> Game:
    """A trivia change; a closed round is followed at once by the next question."""
    if not rules.is_open and not rules.is_over:
        rules = trivia.ask(rules, now)
    status = PLAYING if rules.is_open or rules.is_over else game.status
    return changed(game, now, state=rules.to_dict(), status=status, deadline=rules.deadline)


def _number(arg: str) -> int:
    if not arg.isdigit():
        raise IllegalMove("That button is not part of this game.")
    return int(arg)


HANDLERS = {
    "accept": _accept, "decline": _decline, "move": _move, "pick": _pick, "answer": _answer,
    "join": _join, "start": _start, "resign": _resign,
}
