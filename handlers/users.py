"""`users [filter]`, `whois @user` and `dnd [@user]`: members, profiles and Do Not Disturb."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from bot.api import (
    Args,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    UserRef,
    cell,
    context_block,
    escape,
    fields,
    nav_blocks,
    page_of,
    section,
    slack_date,
    table,
    truncate,
    zone_of,
)

router = Router("users")
PER_PAGE = 10


@router.command(
    "users", "Members with time zone and status.", Param("filter", required=False),
    scopes=("users:read",), examples=("users", "users will"),
)
async def users_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    wanted = (args["filter"] or "").lower().lstrip("@")
    members = [m for m in await ctx.directory.members() if m["id"] != "USLACKBOT" and _matches(m, wanted)]
    members.sort(key=lambda m: (m.get("is_bot", False), real_name(m).lower()))
    if not members:
        about = f" matching `{escape(truncate(wanted, 40))}`" if wanted else ""
        return Reply(text=f"No members{about}.", blocks=[section(f"No members{about}.")])
    shown, page, pages = page_of(members, inv.page, PER_PAGE)
    listing = table([member_row(m) for m in shown], header=["Name", "Handle", "Time zone", "Status"],
                    wrap=[False, False, False, True])
    blocks = [listing, *nav_blocks(inv, page, pages, len(members), "members")]
    return Reply(text=f"{len(members)} members", blocks=blocks)


@router.command(
    "whois", "A member's profile card: title, local time, status, DND.", Param("user", "user"),
    scopes=("users:read", "dnd:read"), examples=("whois @wjk68",),
)
async def whois_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    user = await ctx.directory.resolve_user(args["user"])
    dnd: dict[str, Any] = (await ctx.client.dnd_info(user=user["id"])).data  # type: ignore[assignment]
    return render_whois(user, dnd, time.time())


@router.command(
    "dnd", "Do Not Disturb and snooze state (yours, or a member's).", Param("user", "user", required=False),
    scopes=("dnd:read", "users:read"), examples=("dnd", "dnd @wjk68"),
)
async def dnd_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    ref: UserRef = args["user"] or UserRef(id=inv.user)
    user = await ctx.directory.resolve_user(ref)
    dnd: dict[str, Any] = (await ctx.client.dnd_info(user=user["id"])).data  # type: ignore[assignment]
    text = f"*{escape(real_name(user))}*: {dnd_summary(dnd, time.time())}"
    return Reply(text=text, blocks=[section(text)])


def _matches(member: dict[str, Any], wanted: str) -> bool:
    if not wanted:
        return True
    profile = member.get("profile", {})
    names = (member.get("name", ""), real_name(member), profile.get("display_name", ""), member.get("tz_label", ""))
    return any(wanted in n.lower() for n in names if n)


def real_name(member: dict[str, Any]) -> str:
    profile = member.get("profile", {})
    return profile.get("real_name") or member.get("real_name") or member.get("name", "?")


def status(member: dict[str, Any]) -> str:
    profile = member.get("profile", {})
    emoji, text = escape(profile.get("status_emoji", "")), escape(profile.get("status_text", ""))
    return f"{emoji} {text}".strip() or "—"


def member_row(member: dict[str, Any]) -> list[Any]:
    """A member's cells, shown as typed (raw text: nothing to escape); the status with its emoji."""
    profile = member.get("profile", {})
    name = real_name(member) + (" (bot)" if member.get("is_bot") else "")
    emoji, said = profile.get("status_emoji", ""), profile.get("status_text", "")
    status = cell(truncate(said, 100), emoji=emoji) if emoji else truncate(said, 100) or "—"
    return [name, "@" + member.get("name", "?"), member.get("tz_label") or "No time zone", status]


def local_time(member: dict[str, Any], now: float) -> str:
    return datetime.fromtimestamp(now, zone_of(member)).strftime("%H:%M (%a)")


def render_whois(member: dict[str, Any], dnd: dict[str, Any], now: float) -> Reply:
    profile = member.get("profile", {})
    title = escape(profile.get("title", "")) or "—"
    card = fields([
        ("Name", escape(real_name(member))),
        ("Handle", "@" + escape(member.get("name", "?"))),
        ("Title", title),
        ("Local time", f"{local_time(member, now)}\n{escape(member.get('tz_label') or member.get('tz') or '?')}"),
        ("Status", status(member)),
        ("Do Not Disturb", dnd_summary(dnd, now)),
    ])
    avatar = profile.get("image_192") or profile.get("image_72")
    head = section(f"*{escape(real_name(member))}*", (
        {"type": "image", "image_url": avatar, "alt_text": real_name(member)} if avatar else None
    ))
    role = "Owner" if member.get("is_owner") else "Admin" if member.get("is_admin") else "Member"
    blocks = [head, card, context_block(f"{role} · ID {member['id']}")]
    return Reply(text=f"{real_name(member)} (@{member.get('name')})", blocks=blocks)


def dnd_summary(dnd: dict[str, Any], now: float) -> str:
    if dnd.get("snooze_enabled") and dnd.get("snooze_endtime", 0) > now:
        return f"Snoozed until {slack_date(dnd['snooze_endtime'])}"
    start, end = dnd.get("next_dnd_start_ts"), dnd.get("next_dnd_end_ts")
    if dnd.get("dnd_enabled") and start and end:
        if start <= now < end:
            return f"In Do Not Disturb until {slack_date(end)}"
        return f"Not snoozed; Do Not Disturb from {slack_date(start)} to {slack_date(end)}"
    return "Not snoozed; no Do Not Disturb schedule"


