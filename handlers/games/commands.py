"""`play <game> …` and `scores [game]`, the buttons of every game, and the sweeper."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from bot.api import (
    Args,
    Click,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    UsageError,
    UserError,
    escape,
    parse_user,
    section,
    shown,
    split_args,
    table,
    unescape,
)
from handlers.games import flow, scores
from handlers.games.logic import LOBBY_SECONDS, name
from handlers.games.model import KINDS, PLAYING, TITLES, WAITING, Game
from handlers.games.rules import BOT, IllegalMove, connect4, rps, tictactoe, trivia
from handlers.games.sweeper import sweep

router = Router()

GAME_NAMES = {
    "tictactoe": tictactoe.KIND, "tic-tac-toe": tictactoe.KIND, "ttt": tictactoe.KIND,
    "connect4": connect4.KIND, "connectfour": connect4.KIND, "connect-four": connect4.KIND, "c4": connect4.KIND,
    "rps": rps.KIND, "rock-paper-scissors": rps.KIND, "trivia": trivia.KIND, "quiz": trivia.KIND,
}
_BEST_OF = re.compile(r"^(?:best\s*of|bo)\s*(\d+)$|^(\d+)$")
GAMES_LIST = "`tictactoe`, `connect4`, `rps` or `trivia`"


@dataclass(frozen=True)
class Options:
    opponent: str | None = None
    best_of: int = 3
    rounds: int = trivia.DEFAULT_ROUNDS


@router.command(
    "play",
    "Start a game here: `play tictactoe [@opponent]`, `play connect4 [@opponent]`, "
    "`play rps @opponent [best of 3|5]` or `play trivia [rounds]`. No opponent: you play me.",
    Param("game", choices=("tictactoe", "connect4", "rps", "trivia")),
    Param("options", "text", required=False, help="An opponent (@name), best of 3 or 5 for rps, rounds for trivia."),
    examples=("play tictactoe", "play connect4 @amelia", "play rps @amelia best of 5", "play trivia 5"),
    scopes=("chat:write.public",), mentions="users", changes=True,  # a challenge notifies the member challenged
)
async def play_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    kind = GAME_NAMES.get(args["game"].lower())
    if kind is None:
        said = shown(args["game"], 30)
        raise UserError(f"I don't know the game `{said}`. Try {GAMES_LIST}.")
    options = parse_options(ctx, kind, args["options"] or "")
    opponent = await resolve_opponent(ctx, inv, options.opponent) if kind != trivia.KIND else None
    game = await flow.post(ctx, new_game(ctx, inv, kind, opponent, options), inv.thread)
    if game.status == WAITING and opponent is not None:
        text = f"I've asked {name(opponent)} to accept. The challenge expires if nobody answers it."
    elif game.kind == trivia.KIND:
        text = f"Your quiz is up: others can join. It starts in {LOBBY_SECONDS:.0f} s, or when you press *Start now*."
    else:
        text = "Game on: your move."
    return Reply(text=text, blocks=[section(text)], ephemeral=True)


def parse_options(ctx: Context, kind: str, text: str) -> Options:
    command = ctx.commands.find("play")
    assert command is not None
    tokens = split_args(text)
    if kind == trivia.KIND:
        if len(tokens) > 1 or (tokens and not tokens[0].isdigit()):
            raise UsageError(command, "trivia takes a number of rounds, like `play trivia 5`.")
        rounds = int(tokens[0]) if tokens else trivia.DEFAULT_ROUNDS
        if not trivia.MIN_ROUNDS <= rounds <= trivia.MAX_ROUNDS:
            raise UserError(f"A quiz has {trivia.MIN_ROUNDS} to {trivia.MAX_ROUNDS} rounds.")
        return Options(rounds=rounds)
    opponent = None
    if tokens and (tokens[0].startswith("<@") or tokens[0].startswith("@")):
        opponent = tokens.pop(0)
    best_of = 3
    if kind == rps.KIND and tokens:
        match = _BEST_OF.match(" ".join(tokens).lower())
        if match is None:
            raise UsageError(command, "say `best of 3` or `best of 5`.")
        best_of = int(match.group(1) or match.group(2))
        if best_of not in rps.MATCH_LENGTHS:
            raise UserError("A match is best of 3 or best of 5.")
        tokens = []
    if tokens:
        raise UsageError(command, f"unexpected `{shown(' '.join(tokens))}`.")
    return Options(opponent=opponent, best_of=best_of)


async def resolve_opponent(ctx: Context, inv: Invocation, token: str | None) -> str:
    """The opponent's user id, or BOT when Sloth plays (no one named, or Sloth named)."""
    if token is None:
        return BOT
    ref = parse_user(token)
    if ref is None:
        raise UserError(f"`{shown(token, 40)}` is not a member; name one like @amelia.")
    member = await ctx.directory.resolve_user(ref)
    if member["id"] == ctx.identity.bot_user_id:
        return BOT
    if member.get("is_bot") or member["id"] == "USLACKBOT":
        raise UserError("Bots don't play games. Challenge a person, or leave the opponent out to play me.")
    if member["id"] == inv.user:
        raise UserError("You can't play against yourself. Leave the opponent out to play me.")
    if inv.channel.startswith("D"):
        raise UserError("Challenge people in a channel, where both of you can see the board.")
    return str(member["id"])


def new_game(ctx: Context, inv: Invocation, kind: str, opponent: str | None, options: Options) -> Game:
    game_id = secrets.token_hex(8)
    now = ctx.clock()
    team = ctx.identity.team_id
    try:
        if kind == trivia.KIND:
            state = trivia.new_game(trivia.load_bank(), game_id, options.rounds, [inv.user])
            return Game(game_id, kind, team, inv.channel, inv.user, None, state.to_dict(),
                        created=now, updated=now, deadline=now + LOBBY_SECONDS)
        assert opponent is not None
        if kind == rps.KIND:
            rules = rps.new_match(inv.user, opponent, options.best_of).to_dict()
        elif kind == tictactoe.KIND:
            rules = tictactoe.new_game(inv.user, opponent).to_dict()
        else:
            rules = connect4.new_game(inv.user, opponent).to_dict()
    except IllegalMove as refused:
        raise UserError(refused.reason) from None
    # Sloth never needs asking; a person must accept first.
    status = PLAYING if opponent == BOT else WAITING
    return Game(game_id, kind, team, inv.channel, inv.user, opponent, rules, status=status, created=now, updated=now)


@router.command(
    "scores", "The game leaderboard of this workspace: wins, losses, draws and trivia points.",
    Param("game", required=False), examples=("scores", "scores tictactoe"),
)
async def scores_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    wanted = args["game"]
    kinds: tuple[str, ...] = KINDS
    if wanted:
        kind = GAME_NAMES.get(wanted.lower())
        if kind is None:
            raise UserError(f"I don't know the game `{shown(wanted, 30)}`. Try {GAMES_LIST}.")
        kinds = (kind,)
    record = await flow.games(ctx).get_shared(scores.key(ctx.identity.team_id))
    limit = 15 if wanted else 5
    lines: list[str] = []
    rows: list[list[str]] = []
    for kind in kinds:
        board = scores.leaderboard(record, kind, limit)
        if not board and not wanted:
            continue
        named = [(place, await _plain_name(ctx, player), row) for place, (player, row) in enumerate(board, 1)]
        said = [f"{place}. {who} — {scores.describe(kind, row)}" for place, who, row in named]
        lines.append(f"{TITLES[kind]}: " + "; ".join(said or ["No games finished yet."]))
        for place, who, row in named:  # cells show as typed: names unescaped; one game, a column per number
            rows.append([str(place), unescape(who), *scores.columns(kind, row)] if wanted
                        else [TITLES[kind], str(place), unescape(who), scores.describe(kind, row)])
    if not lines:
        text = f"No games finished yet. Start one with `{ctx.slash('play tictactoe')}`."
        return Reply(text=text, blocks=[section(text)])
    if not rows:
        return Reply(text=lines[0], blocks=[section(f"*{TITLES[kinds[0]]}*\nNo games finished yet.")])
    header = ["#", "Player", *scores.headings(kinds[0])] if wanted else ["Game", "#", "Player", "Record"]
    title = f"*{TITLES[kinds[0]]} leaderboard*" if wanted else "*Leaderboards*"
    listing = table(rows, header=header, align=["left", "right"] if wanted else ["left", "right", "left", "left"])
    return Reply(text="\n".join(lines), blocks=[section(title), listing])


async def _plain_name(ctx: Context, player: str) -> str:
    """A leaderboard names people without mentioning them: nobody gets pinged by a scoreboard."""
    if player == BOT:
        return "Sloth"
    await ctx.directory.user(player)
    return escape(ctx.directory.display_name(player))


@router.action("game")
async def on_game_button(ctx: Context, click: Click) -> Reply | None:
    return await flow.handle_click(ctx, click)


@router.started
async def first_sweep(ctx: Context) -> None:
    """Every live game once, for work a stopped process left half done (in the background)."""
    ctx.spawn(sweep(ctx, everything=True), "first-sweep")


@router.every(lambda ctx: ctx.config.tick_seconds, name="sweep")
async def sweep_due(ctx: Context) -> None:
    await sweep(ctx)

