"""Games over Slack and the store: post, click, Sloth's move, redraw, bookkeeping.

Every change follows the same path: load the record, compute the next game with the pure
functions in `logic`, write it with compare-and-set against the record it came from, and only
the writer that won draws the message (`chat.update`) and does the bookkeeping. A loser reloads
and judges its click again against the new game, which is how a double click, twenty clicks at
once or two replicas sharing one Redis end up applying exactly one move.

The message is always edited with `chat.update`, never through a click's `response_url`: the
sweeper and Sloth's own moves have no `response_url`, and only `chat.update` also replaces the
message metadata. Refusals and private confirmations go to the clicker's `response_url`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot.api import Click, Contention, Context, Reply, Task, notice
from handlers.games import logic, scores
from handlers.games.logic import Action, Refusal
from handlers.games.model import Game
from handlers.games.render import Drawing, draw
from handlers.games.rules import BOT, connect4, rps, trivia
from handlers.games.storage import ATTEMPTS, GameStore

log = logging.getLogger(__name__)

BOT_GRACE = 5.0
"""Seconds Sloth's pending move is left to the replica making it before anyone else makes it."""
SLOW_BOTS = frozenset({connect4.KIND})
# Pure Python for up to CONNECT4_BUDGET s: a thread of this process, or a worker with the job queue,
# ahead of any chart (quick).
BOT_REPLY: Task[[Game, float], Game] = Task("handlers.games.logic:bot_reply", quick=True)
REDRAWS = 5
# The game's message is gone or out of reach: the game goes on in the store, nothing to draw on.
# chat.update in an archived (or frozen) channel answers is_inactive.
GONE = frozenset({"message_not_found", "channel_not_found", "cant_update_message", "is_inactive", "is_archived",
                  "not_in_channel"})
_rng = random.SystemRandom()
T = TypeVar("T")


def idle_seconds(ctx: Context) -> float:
    """How long a game nobody moves in lasts (SLOTH_GAME_IDLE_HOURS)."""
    return float(ctx.config.idle_hours) * 3600


def games(ctx: Context) -> GameStore:
    return GameStore(ctx.store, idle_seconds(ctx))


def members(game: Game) -> list[str]:
    """The members a game concerns: its players and a member challenged to it (not Sloth)."""
    return [p for p in game.players if p != BOT]


# -- drawing -------------------------------------------------------------------------------------


async def drawing(ctx: Context, game: Game) -> Drawing:
    names: dict[str, str] = {}
    for player in game.players:
        if player == BOT:
            continue
        try:
            user = await ctx.directory.user(player)
        except SlackApiError:
            user = None
        names[player] = ctx.directory.display_name(player) if user else player
    return draw(game, names, idle_seconds(ctx))


async def post(ctx: Context, game: Game, thread: str | None = None) -> Game:
    """Post a new game's message, then store the game with the message's address."""
    shown = await drawing(ctx, game)
    response = await with_metadata(ctx, game, shown.metadata, lambda metadata: ctx.client.chat_postMessage(
        channel=game.channel, thread_ts=thread, text=shown.text, attachments=shown.attachments,
        metadata=metadata, unfurl_links=False, unfurl_media=False,
    ))
    game = replace(game, ts=response["ts"], channel=response["channel"])
    store = games(ctx)
    await store.create(game)
    await store.track(game.id, logic.due(game, idle_seconds(ctx)))
    ctx.refresh_home(*members(game))  # their Home tabs list their games in progress
    return game


async def show(ctx: Context, game: Game) -> None:
    """Edit the game's message to show its newest version (at least `game`).

    Redraws of one message are folded together and paced within chat.update's budget
    (`ctx.edits`); the drawing reads the store when its turn comes. Two processes' edits can
    still reach Slack in either order, so after each edit the store is read again and the
    message drawn again if it has moved on: it always ends drawn from the latest record.
    """
    if game.ts is None:
        return
    store = games(ctx)
    ctx.refresh_home(*members(game))

    async def draw() -> None:
        latest = game
        for attempt in range(REDRAWS):
            loaded = await store.load(game.id)
            if loaded is not None and loaded[0].version > latest.version:
                latest = loaded[0]
            elif attempt:
                return  # what was drawn is the newest
            if attempt:
                await ctx.edits.acquire()
            if not await edit_message(ctx, latest):
                return

    await ctx.edits.redraw(f"{game.channel}:{game.ts}", draw)


async def edit_message(ctx: Context, game: Game) -> bool:
    """Draw `game` on its message; False when the message is out of reach (gone, archived)."""
    assert game.ts is not None
    shown = await drawing(ctx, game)
    channel, ts = game.channel, game.ts
    try:
        await with_metadata(ctx, game, shown.metadata, lambda metadata: ctx.client.chat_update(
            channel=channel, ts=ts, text=shown.text, attachments=shown.attachments, metadata=metadata,
        ))
    except SlackApiError as error:
        if error.response.get("error") not in GONE:
            raise
        log.warning("game %s: cannot redraw its message (%s)", game.id, error.response.get("error"))
        return False
    return True


async def with_metadata(ctx: Context, game: Game, metadata: dict[str, Any],
                        send: Callable[[dict[str, Any] | None], Awaitable[T]]) -> T:
    """`send(metadata)`; if Slack refuses the metadata, `send(None)`: a game never fails to be
    shown because of its machine-readable record. Each kind of refusal is logged once per runtime."""
    try:
        return await send(metadata)
    except SlackApiError as error:
        code = str(error.response.get("error", ""))
        if not code.startswith("invalid_metadata") and code != "metadata_too_large":
            raise
        refused: set[str] = ctx.state.__dict__.setdefault("metadata_refused", set())
        if code not in refused:
            refused.add(code)
            log.warning("Slack refused a %s game's metadata (%s); games are shown without it", game.kind, code)
        return await send(None)


# -- changes ---------------------------------------------------------------------------------------


async def after_change(ctx: Context, old: Game, new: Game, record: dict[str, Any]) -> None:
    """What the writer of `new` owes everyone: the redraw, Sloth's reply, the bookkeeping."""
    store = games(ctx)
    if new.over:
        await show(ctx, new)
        await settle(ctx, new)
        return
    if new.deadline != old.deadline:
        await store.track(new.id, logic.due(new, idle_seconds(ctx)))
    if logic.bot_to_move(new):
        if new.kind in SLOW_BOTS:
            await show(ctx, new)  # show the person's move while Sloth thinks
        await bot_turn(ctx, new, record)
        return
    await show(ctx, new)


async def bot_turn(ctx: Context, game: Game, record: dict[str, Any]) -> None:
    now = ctx.clock()
    if game.kind in SLOW_BOTS:
        # The search is pure Python and takes tens of milliseconds: keep it off the event loop.
        new = await ctx.cpu.run(BOT_REPLY, game, now)
    else:
        new = logic.bot_reply(game, now)
    written = await games(ctx).replace(record, new)
    if written is not None:
        await after_change(ctx, game, new, written)
    # Otherwise the game changed meanwhile (a resignation, another replica's move for Sloth):
    # whoever changed it draws it.


async def settle(ctx: Context, game: Game) -> None:
    """Count a finished game on the leaderboard (once) and stop sweeping it."""
    store = games(ctx)
    await store.update_shared(scores.key(game.team), lambda current: scores.tally(current, game))
    await store.track(game.id, None)


async def catch_up(ctx: Context, game: Game, record: dict[str, Any], now: float) -> bool:
    """Apply whatever is overdue (expiry, a trivia round, Sloth's stalled move); True if it tried."""
    new = logic.advance(game, now, idle_seconds(ctx))
    if new is None:
        if logic.bot_to_move(game) and now - game.updated >= BOT_GRACE:
            await bot_turn(ctx, game, record)
            return True
        return False
    written = await games(ctx).replace(record, new)
    if written is not None:
        await after_change(ctx, game, new, written)
    return True


# -- clicks ----------------------------------------------------------------------------------------


def parse_click(click: Click) -> tuple[str, Action] | None:
    """`game:<verb>[:<arg>]` with value `<game id>:<stage>`."""
    parts = click.action_id.split(":")
    game_id, _, stage = click.value.partition(":")
    if len(parts) not in (2, 3) or parts[0] != "game" or not game_id or not stage:
        return None
    return game_id, Action(parts[1], parts[2] if len(parts) == 3 else "", stage)


async def handle_click(ctx: Context, click: Click) -> Reply | None:
    parsed = parse_click(click)
    if parsed is None:
        return notice("That button is not part of any game I know.")
    game_id, action = parsed
    store = games(ctx)
    for _ in range(ATTEMPTS):
        loaded = await store.load(game_id)
        if loaded is None:
            return notice(f"I no longer have this game. Start a new one with `{ctx.slash('play')}`.")
        game, record = loaded
        now = ctx.clock()
        if await catch_up(ctx, game, record, now):
            continue
        try:
            new = logic.judge(game, click.user, action, now, _rng)
        except Refusal as refusal:
            if refusal.redraw:
                await show(ctx, game)
            return notice(refusal.text)
        if new is None:
            return None  # a double click of the move just applied: nothing to say
        written = await store.replace(record, new)
        if written is None:
            continue  # someone else changed the game first: judge the click again
        await after_change(ctx, game, new, written)
        return confirmation(new, click.user, action)
    raise Contention(f"game {game_id} kept changing")


def confirmation(game: Game, user: str, action: Action) -> Reply | None:
    """A private word to whoever made a secret choice; the board says everything else."""
    if action.verb == "pick" and action.arg in rps.CHOICES:
        text = f"You picked *{action.arg}*. Nobody else sees it until both picks are in."
        return notice(text)
    if action.verb == "answer" and game.kind == trivia.KIND and action.arg.isdigit():
        return notice(f"Answer {'ABCD'[int(action.arg) % 4]} is in. Results when the question closes.")
    return None
