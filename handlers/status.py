"""`status` and `snooze`: a member's own status and notifications, set with their own token.

`status :palm_tree: On holiday for 2h` (or `until 17:00`, `until tomorrow 9am`, in the member's
own time zone), `status clear`; `snooze 120` (minutes), `snooze 2h`, `snooze off`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import (
    MAX_STATUS_TEXT,
    WEEKDAYS,
    Args,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    Step,
    UserError,
    WhenError,
    check_ahead,
    check_length,
    describe_duration,
    looks_like_duration,
    parse_duration,
    parse_emoji,
    parse_moment,
    plain,
    readable,
    section,
    slack_date,
    split_args,
    zone_of,
)

router = Router("status")
MAX_STATUS_SECONDS = 365 * 86400
MAX_SNOOZE_SECONDS = 7 * 86400
_UNTIL_WORDS = {"today", "tonight", "tomorrow", "noon", "midday", "midnight", *WEEKDAYS}


@dataclass(frozen=True)
class StatusChange:
    emoji: str
    text: str
    expiration: int = 0  # unix time; 0 keeps it until changed


def _ending(words: list[str], now: float, zone: tzinfo) -> tuple[int, int] | None:
    """A trailing `for <duration>` / `until <time>`: (expiration, index where it starts), or None."""
    for index in range(len(words) - 2, -1, -1):
        keyword, rest = words[index].lower(), words[index + 1 :]
        if keyword == "for" and looks_like_duration(rest[0]):
            if len(rest) > 1 and not rest[0].startswith("-"):
                try:  # "for 2 hours" is a duration; "for 2 people" is just more words
                    seconds = parse_duration(" ".join(rest))
                except WhenError:
                    return None
            else:
                seconds = parse_duration(" ".join(rest))
            at = now + seconds
        elif keyword == "until" and (looks_like_duration(rest[0]) or rest[0].lower() in _UNTIL_WORDS):
            moment = parse_moment(rest, now, zone)
            if moment.words != len(rest):
                raise WhenError(f"I can't tell when `until {readable(' '.join(rest))}` is; try `until 17:00`.")
            at = moment.at.timestamp()
        else:
            continue
        check_ahead(at, now, MAX_STATUS_SECONDS, "the end of a status")
        return int(at), index
    return None


def parse_status(line: str, now: float, zone: tzinfo) -> StatusChange:
    """`:emoji: text [for 2h | until 17:00]` or `clear`, as a change to make."""
    words = split_args(line)
    if [w.lower() for w in words] == ["clear"]:
        return StatusChange("", "")
    emoji = parse_emoji(words[0]) if words else None
    if emoji:
        words = words[1:]
    expiration = 0
    ending = _ending(words, now, zone)
    if ending:
        expiration, start = ending
        words = words[:start]
    # Status text is plain: mentions and channels become their names, Slack's escaping is undone.
    text = plain(" ".join(words)).strip()
    if not emoji and not text:
        raise UserError("What should your status say? For example `status :palm_tree: On holiday for 2h`.")
    check_length("Your status text", text, MAX_STATUS_TEXT)
    return StatusChange(emoji or "", text, expiration)


async def member_zone(ctx: Context, user: str) -> tzinfo:
    member: dict[str, Any] = (await ctx.client.users_info(user=user))["user"]
    return zone_of(member)


@router.command(
    "status", "Set your own Slack status, for a while or until a time; `status clear` clears it.",
    Param("status", "text"), token="user", scopes=("users:read",), user_scopes=("users.profile:write",), changes=True,
    step=Step("Set my status", "Set the status of the member who runs the workflow, e.g. `:calendar: In a "
              "meeting until 15:30` (they must have let Sloth act as them)."),
    examples=("status :palm_tree: On holiday for 2h", "status :calendar: In a meeting until 15:30", "status clear"),
)
async def status_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    zone = await member_zone(ctx, inv.user)
    change = parse_status(args["status"], ctx.clock(), zone)
    profile = {"status_emoji": change.emoji, "status_text": change.text, "status_expiration": change.expiration}
    assert ctx.member_client is not None  # token="user": dispatch gives it, or answers with Connect
    try:
        await ctx.member_client.users_profile_set(profile=profile)
    except SlackApiError as e:
        if e.response.get("error") == "profile_status_set_failed_not_valid_emoji":
            raise UserError(f"`{readable(change.emoji)}` is not an emoji in this workspace; pick another.") from e
        raise
    if not (change.emoji or change.text):
        text = "Your status is cleared."
    else:
        text = f"Your status is now {change.emoji} {readable(change.text)}".rstrip()
        text += f", until {slack_date(change.expiration, zone=zone)}." if change.expiration else "."
    return Reply(text=text, blocks=[section(text)], ephemeral=True)


@router.command(
    "snooze", "Pause your notifications for a while (minutes, or like 2h); `snooze off` resumes them.",
    Param("length"), token="user", scopes=("users:read",), user_scopes=("dnd:write",), changes=True,
    examples=("snooze 2h", "snooze 45", "snooze off"),
)
async def snooze_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    length = str(args["length"]).lower()
    if length in ("off", "end", "stop", "resume"):
        return await end_snooze(ctx)
    seconds = parse_duration(length, bare_unit=60)
    if seconds < 60 or seconds > MAX_SNOOZE_SECONDS:
        raise WhenError(f"Snooze for between a minute and {describe_duration(MAX_SNOOZE_SECONDS)}, e.g. `snooze 2h`.")
    minutes = round(seconds / 60)
    zone = await member_zone(ctx, inv.user)
    assert ctx.member_client is not None
    answer = await ctx.member_client.dnd_setSnooze(num_minutes=minutes)
    until = float(answer.get("snooze_endtime") or ctx.clock() + minutes * 60)
    text = f"Notifications paused for {describe_duration(minutes * 60)}, until {slack_date(until, zone=zone)}."
    return Reply(text=text, blocks=[section(text)], ephemeral=True)


async def end_snooze(ctx: Context) -> Reply:
    assert ctx.member_client is not None
    try:
        await ctx.member_client.dnd_endSnooze()
        text = "Notifications are back on."
    except SlackApiError as e:
        if e.response.get("error") != "snooze_not_active":
            raise
        text = "Your notifications were not paused."
    return Reply(text=text, blocks=[section(text)], ephemeral=True)
