"""`team`: the workspace at a glance."""

from __future__ import annotations

from typing import Any

from bot.api import Args, Context, Invocation, Reply, Router, context_block, fields, section

router = Router("team")


@router.command(
    "team", "The workspace: name, domain, icon, member and channel counts.",
    scopes=("team:read", "users:read", "channels:read"), examples=("team",),
)
async def team_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    team = (await ctx.client.team_info())["team"]
    members = await ctx.directory.members()
    channels = await ctx.directory.channel_list()
    return render_team(team, members, channels)


def render_team(team: dict[str, Any], members: list[dict[str, Any]], channels: list[dict[str, Any]]) -> Reply:
    humans = [m for m in members if not m.get("is_bot") and m.get("id") != "USLACKBOT"]
    bots = len(members) - len(humans)
    active = [c for c in channels if not c.get("is_archived")]
    icon = (team.get("icon") or {}).get("image_132") or (team.get("icon") or {}).get("image_88")
    accessory = {"type": "image", "image_url": icon, "alt_text": team.get("name", "team")} if icon else None
    domain = team.get("domain", "")
    blocks = [
        section(f"*{team.get('name', 'This workspace')}*\n{domain}.slack.com", accessory),
        fields([
            ("Members", f"{len(humans):,}"),
            ("Bots", f"{bots:,}"),
            ("Channels", f"{len(active):,}"),
            ("Archived channels", f"{len(channels) - len(active):,}"),
        ]),
        context_block(f"Team ID {team.get('id', '?')}"),
    ]
    text = f"{team.get('name')}: {len(humans):,} members, {len(active):,} channels"
    return Reply(text=text, blocks=blocks)
