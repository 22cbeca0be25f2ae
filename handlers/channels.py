"""`channels [filter]`: channels with their purpose and member count, a table a page at a time."""

from __future__ import annotations

from typing import Any

from bot.api import (
    Args,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    escape,
    inert,
    nav_blocks,
    page_of,
    section,
    table,
    truncate,
    unescape,
)

router = Router("channels")
PER_PAGE = 20


@router.command(
    "channels", "Channels with their purpose and member count.", Param("filter", required=False),
    scopes=("channels:read", "groups:read"), examples=("channels", "channels python"),
)
async def channels_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    everything = await ctx.directory.channel_list()
    wanted = (args["filter"] or "").lower().lstrip("#")
    candidates = [c for c in everything if not c.get("is_archived") and _matches(c, wanted)]
    # Sloth knows the private channels it is in; the asker sees only those they are in too
    # (and a guest only the channels they were invited to). Listing one keeps the answer private.
    chosen = [c for c in candidates if await ctx.access.shown_to(inv.user, c["id"])]
    return render_channels(ctx, inv, sorted(chosen, key=lambda c: c.get("name", "")), wanted)


def _matches(channel: dict[str, Any], wanted: str) -> bool:
    if not wanted:
        return True
    purpose = (channel.get("purpose") or {}).get("value", "")
    return wanted in channel.get("name", "").lower() or wanted in purpose.lower()


def render_channels(ctx: Context, inv: Invocation, channels: list[dict[str, Any]], wanted: str) -> Reply:
    if not channels:
        about = f" matching `{escape(truncate(wanted, 40))}`" if wanted else ""
        return Reply(text=f"No channels{about}.", blocks=[section(f"No channels{about}.")])
    shown, page, pages = page_of(channels, inv.page, PER_PAGE)
    title = f"*Channels matching `{escape(truncate(wanted, 40))}`*" if wanted else "*Channels*"
    rows = [channel_row(ctx, c) for c in shown]
    listing = table(rows, header=["Channel", "Purpose", "Members"], align=["left", "left", "right"],
                    wrap=[False, True])
    blocks = [section(title), listing, *nav_blocks(inv, page, pages, len(channels), "channels")]
    return Reply(text=f"{len(channels)} channels", blocks=blocks)


def channel_row(ctx: Context, channel: dict[str, Any]) -> list[str]:
    """A channel's cells: shown as typed (raw text), so Slack's escaping of its purpose is undone."""
    purpose = (channel.get("purpose") or {}).get("value", "")
    purpose = unescape(inert(purpose, ctx.directory.display_name, ctx.directory.channel_name))
    count = channel.get("num_members")
    lock = "🔒 " if channel.get("is_private") else "#"
    return [lock + str(channel.get("name", "?")), truncate(purpose, 90), f"{count:,}" if isinstance(count, int) else ""]
