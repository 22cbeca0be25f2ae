"""Each game's board: Block Kit buttons, a plain-text picture, and the rows for metadata.

Rock-paper-scissors and trivia are drawn only from the rules' `public_view`, never from the
stored state: what goes into a message is seen by the whole channel, picks and answers included.
"""

from __future__ import annotations

from typing import Any

from bot.pure import actions, button, context_block, escape, section, slack_date
from handlers.games.model import PLAYING, WAITING, Game
from handlers.games.rules import connect4, rps, tictactoe, trivia

# Unicode emoji rather than :codes:, so the board reads the same in Slack, the sandbox and logs.
TTT_MARKS = {"X": "\u274c", "O": "\u2b55", "": "\u2b1c"}  # ❌ ⭕ ⬜
C4_PIECES = {"R": "\U0001f534", "Y": "\U0001f7e1", "": "\u26aa"}  # 🔴 🟡 ⚪
C4_WINNING = {"R": "\U0001f7e5", "Y": "\U0001f7e8"}  # 🟥 🟨: the four that won
C4_COLUMNS = "".join(f"{n}\ufe0f\u20e3" for n in range(1, 8))  # 1️⃣ … 7️⃣
PICKED, CHOOSING = "has picked \u2705", "is choosing \u23f3"
RPS_ICONS = {"rock": "\u270a", "paper": "\u270b", "scissors": "\u270c\ufe0f"}  # ✊ ✋ ✌️
LETTERS = "ABCD"


def value(game: Game) -> str:
    """Every board button carries the game and the stage it was drawn at."""
    return f"{game.id}:{game.stage}"


def board_text(game: Game) -> str:
    """A grid game's board for message metadata: rows top first, joined by "/", empty cells "."
    (Slack's metadata takes no arrays of arrays, nor of strings)."""
    rules = game.rules
    assert isinstance(rules, tictactoe.TicTacToeState | connect4.Connect4State)
    return "/".join("".join(cell or "." for cell in row) for row in rules.rows())


def rps_view(game: Game) -> dict[str, Any]:
    rules = game.rules
    assert isinstance(rules, rps.RpsState)
    return rps.public_view(rules)


def trivia_view(game: Game) -> dict[str, Any]:
    rules = game.rules
    assert isinstance(rules, trivia.TriviaState)
    return trivia.public_view(rules)


# -- tic-tac-toe ---------------------------------------------------------------------------


def tictactoe_blocks(game: Game) -> list[dict[str, Any]]:
    if not game.has_board:
        return []
    rules = game.rules
    assert isinstance(rules, tictactoe.TicTacToeState)
    winning = set(rules.winning_line or ())
    blocks = []
    for row in range(3):
        cells = []
        for cell in range(row * 3, row * 3 + 3):
            style = "primary" if cell in winning else None
            cells.append(button(TTT_MARKS[rules.cells[cell]], f"game:move:{cell}", value(game), style))
        blocks.append(actions(*cells, block_id=f"ttt-row-{row}"))
    return blocks


def tictactoe_picture(game: Game) -> str:
    rules = game.rules
    assert isinstance(rules, tictactoe.TicTacToeState)
    return " / ".join(" ".join(cell or "." for cell in row) for row in rules.rows())


# -- connect four ----------------------------------------------------------------------------


def connect4_blocks(game: Game) -> list[dict[str, Any]]:
    if not game.has_board:
        return []
    rules = game.rules
    assert isinstance(rules, connect4.Connect4State)
    winning = set(rules.winning_cells)
    lines = [C4_COLUMNS]
    for row in reversed(range(connect4.ROWS)):
        line = ""
        for column in range(connect4.COLUMNS):
            piece = rules.grid[column][row] if row < len(rules.grid[column]) else ""
            line += C4_WINNING[piece] if (column, row) in winning else C4_PIECES[piece]
        lines.append(line)
    blocks: list[dict[str, Any]] = [section("\n".join(lines))]
    if game.status == PLAYING:
        drops = [button(str(column + 1), f"game:move:{column}", value(game)) for column in range(connect4.COLUMNS)]
        blocks.append(actions(*drops, block_id="c4-columns"))
    return blocks


def connect4_picture(game: Game) -> str:
    rules = game.rules
    assert isinstance(rules, connect4.Connect4State)
    return " / ".join("".join(cell or "." for cell in row) for row in rules.rows())


# -- rock-paper-scissors ---------------------------------------------------------------------


def rps_blocks(game: Game, show: Any) -> list[dict[str, Any]]:
    """`show(player)` names a player; the picks of the open round are never known here."""
    if not game.has_board:
        return []
    view = rps_view(game)
    players = view["players"]
    blocks: list[dict[str, Any]] = []
    history = [_rps_round(number, round_, players, show) for number, round_ in enumerate(view["rounds"], 1)]
    if history:
        blocks.append(section("\n".join(history[-5:])))
    if game.status == PLAYING:
        picked = zip(players, view["picked"], strict=True)
        ready = " · ".join(f"{show(player)} {PICKED if done else CHOOSING}" for player, done in picked)
        blocks.append(section(f"*Round {view['round']}* — pick in secret; both picks show once both are in.\n{ready}"))
        picks = [button(f"{RPS_ICONS[choice]} {choice.title()}", f"game:pick:{choice}", value(game))
                 for choice in rps.CHOICES]
        blocks.append(actions(*picks, block_id="rps-picks"))
    return blocks


def _rps_round(number: int, round_: list[str], players: list[str], show: Any) -> str:
    first, second, winner = round_
    outcome = f"{show(winner)} takes it" if winner else "a tie, replayed"
    return (f"Round {number}: {show(players[0])} {RPS_ICONS[first]} vs {RPS_ICONS[second]} {show(players[1])}"
            f" — {outcome}")


def rps_picture(game: Game) -> str:
    view = rps_view(game)
    return f"score {view['score'][0]}-{view['score'][1]}, round {view['round']} of best of {view['best_of']}"


# -- trivia ----------------------------------------------------------------------------------


def trivia_blocks(game: Game, show: Any) -> list[dict[str, Any]]:
    view = trivia_view(game)
    blocks: list[dict[str, Any]] = []
    if game.status == WAITING:
        joined = ", ".join(show(player) for player in game.players) or "nobody yet"
        blocks.append(section(f"{view['rounds']} questions; the faster a right answer, the more it scores.\n"
                              f"Playing: {joined}"))
        blocks.append(actions(button("Join", "game:join", value(game), "primary"),
                              button("Start now", "game:start", value(game)), block_id="trivia-lobby"))
        if game.deadline is not None:
            blocks.append(context_block(f"Starts by itself at {_clock(game.deadline)}."))
        return blocks
    if view["last_round"]:
        blocks.append(section(_last_round(view["last_round"], show)))
    question = view["question"]
    if question is not None and game.status == PLAYING:
        lines = [f"*Question {view['round']} of {view['rounds']}* · {escape(question['category'])}",
                 escape(question["question"])]
        blocks.append(section("\n".join(lines)))
        choices = [button(f"{LETTERS[index]}. {choice}", f"game:answer:{index}", value(game))
                   for index, choice in enumerate(question["choices"])]
        blocks.append(actions(*choices, block_id="trivia-choices"))
        answered = ", ".join(show(player) for player in view["answered"]) or "nobody yet"
        closes = f"Closes at {_clock(view['deadline'])}" if view["deadline"] is not None else "Open"
        blocks.append(context_block(f"{closes} · answered: {answered}"))
    return blocks


def _last_round(last: dict[str, Any], show: Any) -> str:
    right = last["choices"][last["answer"]]
    lines = [f"Last question: {escape(last['question'])}", f"Answer: *{LETTERS[last['answer']]}. {escape(right)}*"]
    for answer in sorted(last["answers"], key=lambda a: -a["points"]):
        result = f"+{answer['points']} ({answer['elapsed']:.1f} s)" if answer["points"] else ":x:"
        lines.append(f"• {show(answer['player'])} {result}")
    if not last["answers"]:
        lines.append("Nobody answered.")
    return "\n".join(lines)


def trivia_picture(game: Game) -> str:
    view = trivia_view(game)
    question = view["question"]
    if question is None:
        return f"{view['round']} of {view['rounds']} questions played"
    options = " ".join(f"{LETTERS[index]}) {choice}" for index, choice in enumerate(question["choices"]))
    return f"question {view['round']} of {view['rounds']}: {question['question']} {options}"


def _clock(ts: float) -> str:
    return slack_date(ts, "{time_secs}")
