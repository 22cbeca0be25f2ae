"""`remind <when> <text>`: a DM from Sloth at that time, read in the member's own time zone.

`in 20m`, `at 17:00`, `tomorrow 9am`, `friday at 10:00`: Slack's chat.scheduleMessage posts it,
so the reminder arrives even if Sloth is down at that moment.

chat.scheduleMessage is rate limited for the whole workspace (Tier 3, about 50 a minute), so each
member may set 2 reminders at once and 20 an hour (`SLOTH_LIMITS` changes that): one member's
burst leaves the rest of the minute's budget to everyone else. And each member may have at most
`SLOTH_REMIND_PENDING` (25) reminders waiting: all of a member's reminders go to the same DM, and
Slack refuses a 31st message scheduled to post within any five minutes in one channel
(`restricted_too_many`), so under 30 a member's reminders never meet that refusal, however close
together they are set.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import tzinfo
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import (
    MASS_MENTION,
    MAX_MESSAGE,
    Args,
    Context,
    Invocation,
    Limit,
    MessageShortcut,
    Param,
    Reply,
    Router,
    Setting,
    Step,
    UserError,
    check_ahead,
    check_length,
    inert,
    notice,
    parse_moment,
    section,
    slack_date,
    truncate,
    zone_of,
)

router = Router("remind", settings=[
    Setting("pending", int, default=25, env="SLOTH_REMIND_PENDING", minimum=1, maximum=1000,
            help="the most reminders one member may have waiting"),
])
MAX_AHEAD = 120 * 86400  # chat.scheduleMessage schedules at most 120 days ahead
LIMIT = Limit(at_once=2, per_hour=20, per_day=100)
_WORD = re.compile(r"<[^>]*>|\S+")


def parse_reminder(line: str, now: float, zone: tzinfo) -> tuple[int, str]:
    """(`post_at`, what to say) from `<when> <text>`; WhenError/UserError say what is wrong."""
    spans = list(_WORD.finditer(line))
    moment = parse_moment([m.group(0) for m in spans], now, zone)
    text = line[spans[moment.words - 1].end() :].strip() if moment.words <= len(spans) else ""
    if not text:
        raise UserError("What should I remind you of? For example `remind in 20m stretch your legs`.")
    check_length("The reminder", text, MAX_MESSAGE)
    at = moment.at.timestamp()
    check_ahead(at, now, MAX_AHEAD, "a reminder")
    # A reminder is a DM to yourself: nobody else needs a ping from @here in it.
    return int(at), MASS_MENTION.sub(lambda m: "@" + m.group(0)[2:-1].split("|")[0].split("^")[0], text)


@router.command(
    "remind", "A DM from Sloth at the time you say, in your own time zone.", Param("reminder", "text"),
    scopes=("chat:write", "im:write", "users:read"), limit=LIMIT, changes=True,
    step=Step("Remind me", "A DM from Sloth to the member who runs the workflow, at the time they say, e.g. "
              "`in 20m stretch your legs`."),
    examples=("remind in 20m stretch your legs", "remind at 17:00 send the report", "remind tomorrow 9am call Amelia"),
)
async def remind_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    member: dict[str, Any] = (await ctx.client.users_info(user=inv.user))["user"]
    zone = zone_of(member)
    post_at, text = parse_reminder(args["reminder"], ctx.clock(), zone)
    async with pending_place(ctx, inv.user, post_at, zone):
        dm = (await ctx.client.conversations_open(users=inv.user))["channel"]["id"]
        try:
            await ctx.client.chat_scheduleMessage(channel=dm, post_at=post_at, text=f":alarm_clock: Reminder: {text}")
        except SlackApiError as e:
            if e.response.get("error") != "restricted_too_many":
                raise
            raise UserError("Slack holds at most 30 messages due within the same five minutes in one "
                            "conversation, and your DM with Sloth has that many around that time. Pick "
                            "another time.") from None
    shown = truncate(inert(text, ctx.directory.display_name, ctx.directory.channel_name), 200)
    where = member.get("tz_label") or member.get("tz") or "UTC"
    reply = f"I'll remind you {slack_date(post_at, zone=zone)} ({where}) in a DM: “{shown}”"
    return Reply(text=reply, blocks=[section(reply)], ephemeral=True)


@router.message_shortcut("remind_message", "Remind me about this", "A DM about this message later: you say when")
async def remind_about(ctx: Context, shortcut: MessageShortcut) -> Reply | None:
    """Remind's form, filled in with `in 1h` and a link to the message: the member says when."""
    link = (await ctx.client.chat_getPermalink(channel=shortcut.channel, message_ts=shortcut.message_ts))["permalink"]
    opened = await ctx.open_form(shortcut.trigger_id or "", "remind", user=shortcut.user,
                                 values={"reminder": f"in 1h about {link}"}, channel=shortcut.channel,
                                 response_url=shortcut.response_url)
    if opened:
        return None
    return notice("Slack gives Sloth 3 seconds to open a form, and they had passed. Please use the shortcut again.")


@asynccontextmanager
async def pending_place(ctx: Context, user: str, post_at: int, zone: tzinfo) -> AsyncIterator[None]:
    """Count the reminder among the member's waiting ones while it is scheduled, or refuse it
    when they have as many waiting as allowed. The place is taken before Slack is asked (two
    reminders set at once cannot both take the last one) and given back if Slack refuses."""
    most: int = ctx.config.pending
    now = ctx.clock()
    key = f"pending:{user}"
    full: list[int] = []

    def take(current: list[int] | None) -> list[int] | None:
        waiting = sorted(at for at in current or [] if at > now)
        full[:] = waiting[:1] if len(waiting) >= most else []
        return None if full else [*waiting, post_at]

    await ctx.store.update(key, take, ttl=MAX_AHEAD + 86400)
    if full:
        raise UserError(f"You have {most} reminders waiting, the most Sloth keeps for one member. The next one "
                        f"is due {slack_date(full[0], zone=zone)}; set more after that.")
    try:
        yield
    except BaseException:
        await ctx.store.update(key, lambda current: _without(current, post_at), ttl=MAX_AHEAD + 86400)
        raise


def _without(current: list[int] | None, post_at: int) -> list[int] | None:
    if not current or post_at not in current:
        return None
    left = list(current)
    left.remove(post_at)
    return left
