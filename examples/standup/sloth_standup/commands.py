"""`standup [what you did…]` (a Workflow Builder step too), the buttons on each stand-up, the daily
reminder, and each member's stand-up on their Home tab."""

from __future__ import annotations

import logging
from typing import Any

from bot.api import (
    Args,
    Click,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    Step,
    UserError,
    escape,
    home_button,
    inert,
    notice,
    section,
    truncate,
)
from sloth_standup import card, entries

log = logging.getLogger(__name__)
router = Router()
MAX_TEXT = 2800  # a section's text holds 3,000 characters, the title included
SCOPES = ("chat:write.public", "channels:read", "groups:read")


@router.command(
    "standup",
    "Post your stand-up in the team's stand-up channel (line breaks are kept); posting again the same day "
    "rewrites it. Without text: today's stand-ups so far.",
    Param("update", "text", required=False),
    scopes=SCOPES,
    examples=("standup Shipped the login page. Next: the signup form.", "standup"),
    # In a workflow it posts the stand-up of the member who runs it, and hands on where it went.
    step=Step("Post my stand-up", outputs=(Param("channel", "channel", help="Where the stand-up is"),)),
)
async def standup_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    day = entries.today(ctx)
    if not args["update"]:
        so_far = await entries.read(ctx, day)
        return card.board(day, so_far, await names(ctx, so_far), ctx.config.timezone)
    channel = await standup_channel(ctx)
    text = truncate(inert(args["update"], ctx.directory.display_name, ctx.directory.channel_name), MAX_TEXT)
    written = await entries.change(ctx, day, lambda current: entries.with_text(current, inv.user, text))
    entry = written[inv.user]
    message = card.card(day, inv.user, entry, await names(ctx, {inv.user: entry}), ctx.config.timezone)
    ctx.refresh_home(inv.user)
    if entry.get("ts"):
        await ctx.client.chat_update(channel=entry["channel"], ts=entry["ts"], text=message.text, blocks=message.blocks)
        return posted_in(entry["channel"], f"Rewrote your stand-up for today in <#{entry['channel']}>.")
    posted = await ctx.client.chat_postMessage(channel=channel["id"], text=message.text, blocks=message.blocks,
                                               unfurl_links=False, unfurl_media=False)
    await entries.change(ctx, day, lambda current: entries.with_card(current, inv.user, channel["id"], posted["ts"]))
    return posted_in(channel["id"], f"Posted your stand-up in <#{channel['id']}>.")


def posted_in(channel: str, text: str) -> Reply:
    """A private answer that also hands a workflow the stand-up's channel (its step's output)."""
    return Reply(text=text, blocks=[section(text)], ephemeral=True, outputs={"channel": channel})


@router.home
async def on_home(ctx: Context, member: str) -> list[dict[str, Any]]:
    """The member's stand-up today, on their Home tab, with a button for everyone's."""
    entry = (await entries.read(ctx, entries.today(ctx))).get(member)
    if entry is None:
        text = f"*Stand-up* · You have not posted today's yet: `{escape(ctx.slash('standup <what you did>'))}`."
    else:
        status = card.STATUS.get(entry.get("status", "open"), card.STATUS["open"])
        where = f" in <#{entry['channel']}>" if entry.get("channel") else ""
        text = f"*Stand-up* · Today's is posted{where} · {status}"
    return [section(text, accessory=home_button("Today's stand-ups", "standup"))]


@router.action("standup")
async def on_button(ctx: Context, click: Click) -> Reply | None:
    """Done / Blocked (the author only) and I can help (anyone else), on the day's own card."""
    what = click.action_id.partition(":")[2]
    found = entries.read_button_value(click.value)
    if what not in ("done", "blocked", "help") or found is None:
        return notice("That button is not one I made.")
    day, author = found
    if day != entries.today(ctx):  # a card can be changed on its own day only
        return notice(f"That stand-up was for {entries.shown_day(day, ctx.config.timezone)}; post today's with "
                      f"`{ctx.slash('standup')} <what you did>`.")
    entry = (await entries.read(ctx, day)).get(author)
    if entry is None or (entry.get("channel"), entry.get("ts")) != (click.channel, click.message_ts):
        return notice("That button does not belong to this stand-up, so I left it as it is.")
    if what == "help":
        if click.user == author:
            return notice("That's your own stand-up: a colleague can offer help, you can press Done or Blocked.")
        day_now = await entries.change(ctx, day, lambda c: entries.with_helper_toggled(c, author, click.user))
    else:
        if click.user != author:
            who = (await names(ctx, {author: entry}))(author)
            return notice(f"Only {who} can mark this stand-up {what}; press *I can help* to offer help.")
        day_now = await entries.change(ctx, day, lambda c: entries.with_status(c, author, what))
        ctx.refresh_home(author)
    return card.card(day, author, day_now[author], await names(ctx, day_now), ctx.config.timezone)


@router.daily(lambda ctx: ctx.config.reminder, tz=lambda ctx: ctx.config.timezone, name="reminder")
async def remind(ctx: Context) -> None:
    try:
        channel = await standup_channel(ctx)
    except UserError as e:
        log.warning("no stand-up reminder today: %s", e)
        return
    yesterday = await entries.read(ctx, entries.today(ctx, days_ago=1))
    blocked = {user: entry for user, entry in yesterday.items() if entry.get("status") == "blocked"}
    name_of = await names(ctx, blocked)
    message = card.reminder(ctx.slash("standup"), sorted(name_of(user) for user in blocked))
    await ctx.client.chat_postMessage(channel=channel["id"], text=message.text, blocks=message.blocks)


async def standup_channel(ctx: Context) -> dict[str, Any]:
    try:
        return await ctx.directory.resolve_channel(ctx.config.channel)  # a ChannelRef: kinds.channel
    except UserError:
        raise UserError(f"There is no channel `{ctx.config.channel}` for stand-ups; ask an admin to create it "
                        "or to set STANDUP_CHANNEL.") from None


async def names(ctx: Context, day: entries.Day) -> card.Names:
    """How to name the authors and helpers of `day`, looked up once each."""
    for user in {*day, *(h for entry in day.values() for h in entry.get("helpers", []))}:
        await ctx.directory.user(user)
    return ctx.directory.display_name
