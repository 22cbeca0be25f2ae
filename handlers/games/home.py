"""The games feature's part of each member's Home tab: their games in progress, each with a link
to its message, whose turn it is, and who they play. Only games in conversations they can see."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import Context, Router, escape, home_button, section
from handlers.games import flow
from handlers.games.model import PLAYING, TITLES, WAITING, Game
from handlers.games.rules import BOT

router = Router()
SHOWN = 8


@router.home
async def games_in_progress(ctx: Context, member: str) -> list[dict[str, Any]]:
    store = flow.games(ctx)
    lines = []
    for game_id in sorted(await store.live()):
        loaded = await store.load(game_id)
        game = loaded[0] if loaded is not None else None
        if game is None or game.over or game.ts is None or member not in flow.members(game):
            continue
        if not await ctx.access.may_see(member, game.channel):
            continue
        lines.append(await line(ctx, game, member))
        if len(lines) == SHOWN:
            break
    if not lines:
        return [section("*Games*\nNo game in progress.", accessory=home_button("Play a game…", "play"))]
    return [section("*Your games in progress*\n" + "\n".join(lines), accessory=home_button("Play…", "play"))]


async def line(ctx: Context, game: Game, member: str) -> str:
    others = [p for p in game.players if p != member]
    against = ", ".join(["Sloth" if p == BOT else escape(await name_of(ctx, p)) for p in others])
    title = TITLES.get(game.kind, game.kind)
    link = await permalink(ctx, game)
    shown = f"<{link}|{title}>" if link else title
    if game.status == WAITING:
        state = "waiting for an answer to the challenge"
    elif game.status == PLAYING and game.turn is not None:
        state = "your move" if game.turn == member else "their move"
    else:
        state = "in progress"
    return f"• {shown}" + (f" with {against}" if against else "") + f" · {state}"


async def name_of(ctx: Context, user: str) -> str:
    try:
        await ctx.directory.user(user)
    except SlackApiError:
        return user
    return ctx.directory.display_name(user)


async def permalink(ctx: Context, game: Game) -> str | None:
    """A link to the game's message, asked of Slack once per message in this runtime."""
    if game.ts is None:
        return None
    links: dict[str, str] = vars(ctx.state).setdefault("game_links", {})
    key = f"{game.channel}:{game.ts}"
    if key not in links:
        try:
            found = await ctx.client.chat_getPermalink(channel=game.channel, message_ts=game.ts)
            links[key] = str(found["permalink"])
        except SlackApiError:
            return None
    return links[key]
