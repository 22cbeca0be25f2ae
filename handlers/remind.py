"""`remind <when> <text>`: a DM from Sloth at that time, read in the member's own time zone.

`in 20m`, `at 17:00`, `tomorrow 9am`, `friday at 10:00`: Slack's chat.scheduleMessage posts it,
so the reminder arrives even if Sloth is down at that moment.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Any

from bot.api import Args, Context, Invocation, Param, Reply, Router, UserError, inert, section, truncate
from bot.names import MASS_MENTION, MAX_MESSAGE, check_length
from bot.when import check_ahead, mrkdwn_time, parse_moment, zone_of

router = Router("remind")
MAX_AHEAD = 120 * 86400  # chat.scheduleMessage schedules at most 120 days ahead
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
    scopes=("chat:write", "im:write", "users:read"),
    examples=("remind in 20m stretch your legs", "remind at 17:00 send the report", "remind tomorrow 9am call Amelia"),
)
async def remind_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    member: dict[str, Any] = (await ctx.client.users_info(user=inv.user))["user"]
    zone = zone_of(member)
    post_at, text = parse_reminder(args["reminder"], ctx.clock(), zone)
    dm = (await ctx.client.conversations_open(users=inv.user))["channel"]["id"]
    await ctx.client.chat_scheduleMessage(channel=dm, post_at=post_at, text=f":alarm_clock: Reminder: {text}")
    shown = truncate(inert(text, ctx.directory.display_name, ctx.directory.channel_name), 200)
    where = member.get("tz_label") or member.get("tz") or "UTC"
    reply = f"I'll remind you {mrkdwn_time(post_at, zone)} ({where}) in a DM: “{shown}”"
    return Reply(text=reply, blocks=[section(reply)], ephemeral=True)
