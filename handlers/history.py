"""`history #channel [N]`: the last messages of a channel, with authors and times."""

from __future__ import annotations

from typing import Any

from bot.api import (
    Args,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    inert,
    nav_blocks,
    page_of,
    section,
    slack_date,
    truncate,
)
from handlers.reading import LIMITED, LIMITED_PAGE

router = Router("history")
PER_PAGE = 10
MAX_MESSAGES = 200


@router.command(
    "history", "The last N messages of a channel (default 10), with author and time.",
    Param("channel", "channel"), Param("count", "int", required=False, default=10, minimum=1, maximum=MAX_MESSAGES),
    scopes=("channels:history", "groups:history", "users:read"), examples=("history #general", "history #random 25"),
)
async def history_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    channel = await ctx.directory.resolve_channel(args["channel"])
    response = await ctx.client.conversations_history(channel=channel["id"], limit=args["count"])
    # Oldest first, the way the channel reads.
    messages: list[dict[str, Any]] = list(reversed(response.get("messages", [])))
    # Fewer than asked for while Slack says there are more: its history limit (handlers.reading).
    more = response.get("has_more") or (response.get("response_metadata") or {}).get("next_cursor")
    limited = bool(more) and len(messages) <= LIMITED_PAGE < args["count"]
    await ctx.directory.load_users()
    return render_history(ctx, inv, channel, messages, f"{LIMITED}, so these are the newest {len(messages)}."
                          if limited else "")


def render_history(ctx: Context, inv: Invocation, channel: dict[str, Any], messages: list[dict[str, Any]],
                   note: str = "") -> Reply:
    name = channel.get("name", channel["id"])
    if not messages:
        return Reply(text=f"#{name} has no messages yet.", blocks=[section(f"*#{name}* has no messages yet.")])
    shown, page, pages = page_of(messages, inv.page, PER_PAGE)
    blocks = [section(f"*Last {len(messages)} messages in #{name}*" + (f"\n{note}" if note else ""))]
    blocks += [section(message_line(ctx, m)) for m in shown]
    blocks += nav_blocks(inv, page, pages, len(messages), "messages")
    return Reply(text=f"Last {len(messages)} messages in #{name}" + (f". {note}" if note else ""), blocks=blocks)


def message_line(ctx: Context, message: dict[str, Any]) -> str:
    author = author_name(ctx, message)
    text = inert(message.get("text", ""), ctx.directory.display_name, ctx.directory.channel_name)
    extras = []
    if message.get("reply_count"):
        extras.append(f"{message['reply_count']} replies")
    if message.get("files"):
        extras.append(f"{len(message['files'])} file(s)")
    suffix = f"  _({', '.join(extras)})_" if extras else ""
    return f"*{author}* · {when(message.get('ts', '0'))}\n{truncate(text, 600) or '_(no text)_'}{suffix}"


def author_name(ctx: Context, message: dict[str, Any]) -> str:
    if message.get("user"):
        return inert(ctx.directory.display_name(message["user"]), str, str)
    profile = message.get("bot_profile") or {}
    return inert(message.get("username") or profile.get("name") or "a bot", str, str)


def when(ts: str) -> str:
    """A message's or file's time (its `ts` or `created`), as each reader's own clock shows it."""
    return slack_date(float(ts))
