"""Putting files in Slack: which channel, whether Sloth may read or post there, who asked.

Every file Sloth uploads is remembered with the member who asked for it (`upload:<file id>` in
the store), so the `files` list can offer that member a Delete button.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.dispatch import run_command
from bot.entry import Click, split_line
from bot.errors import UserError
from bot.reply import Reply, actions, button, section
from bot.respond import deliver
from bot.router import Invocation, Router
from bot.store import Namespaced
from bot.text import ChannelRef, escape

router = Router()
JOIN_ACTION = "files_join"


def uploads(ctx: Context) -> Namespaced:
    return Namespaced(ctx.store, "upload")


# -- reading a channel ------------------------------------------------------------------------


async def readable_channel(ctx: Context, inv: Invocation, ref: ChannelRef, doing: str) -> dict[str, Any] | Reply:
    """The channel, fresh from conversations.info, when Sloth can read it for `inv.user`;
    otherwise a Reply: an offer to join a public channel Sloth is not in."""
    channel = await ctx.directory.resolve_channel(ref)
    info: dict[str, Any] = (await ctx.client.conversations_info(channel=channel["id"]))["channel"]
    name = escape(info.get("name") or channel.get("name") or info["id"])
    if info.get("is_im") or info.get("is_mpim"):
        raise UserError(f"I can {doing} channels, not direct messages.")
    if info.get("is_archived"):
        raise UserError(f"#{name} is archived, so I can't {doing} it.")
    if not info.get("is_member"):
        return join_offer(ctx, inv, info, doing)
    # A private channel's history is for its members: never hand it to anyone else.
    if info.get("is_private") and not await is_member(ctx, info["id"], inv.user):
        raise UserError(f"Only members of #{name} can ask me to {doing} it.")
    return info


async def is_member(ctx: Context, channel: str, user: str) -> bool:
    cursor = ""
    while True:
        response = await ctx.client.conversations_members(channel=channel, limit=1000, cursor=cursor or None)
        if user in response.get("members", []):
            return True
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return False


def join_offer(ctx: Context, inv: Invocation, channel: dict[str, Any], doing: str) -> Reply:
    name = escape(channel.get("name") or channel["id"])
    if channel.get("is_private"):
        raise UserError(f"I'm not in #{name}. Invite me there with `/invite @sloth`, then try again.")
    text = f"I'm not in #{name} yet, so I can't {doing} it. Shall I join it?"
    value = json.dumps({"c": channel["id"], "line": inv.line[:1900]}, separators=(",", ":"))
    blocks = [section(text), actions(button(f"Join #{name}"[:75], JOIN_ACTION, value, style="primary"))]
    return Reply(text=text, blocks=blocks, ephemeral=True, replace=False)


@router.action(JOIN_ACTION)
async def join_and_retry(ctx: Context, click: Click) -> Reply:
    """Join the channel, then run the command that needed it again."""
    try:
        state = json.loads(click.value)
        channel, line = str(state["c"]), str(state["line"])
    except (ValueError, KeyError, TypeError):
        raise UserError("That button is out of date; run the command again.") from None
    await ctx.client.conversations_join(channel=channel)
    ctx.directory.put_channel(channel, is_member=True)
    name, args = split_line(line)
    return await run_command(ctx, click.invocation(name, args))


# -- where a file goes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    channel: str
    thread: str | None
    label: str  # how to name it to the asker: "here", "#random", "a DM"
    moved: str = ""  # why it goes to the asker's DM instead of where they asked ("it is private")


async def reply_place(ctx: Context, inv: Invocation, private_to: str | None = None) -> Place:
    """Where a file answering `inv` goes: where it was asked, else the asker's DM.

    Mentions and DMs reach Sloth only where it is, so it can answer there. A slash command can
    come from anywhere, including a channel Sloth is not in or a DM between two people. When
    `private_to` names a private channel, what comes from it goes only there or to the asker.
    """
    if private_to not in (None, inv.channel):
        return Place(await open_dm(ctx, inv.user), None, "a DM", moved="it comes from a private channel")
    if inv.source in ("mention", "dm"):
        return Place(inv.channel, inv.thread, "here")
    try:
        info = (await ctx.client.conversations_info(channel=inv.channel))["channel"]
    except SlackApiError:
        info = None
    if info and info.get("is_member") and not info.get("is_archived"):
        return Place(inv.channel, inv.thread, "here")
    if info and info.get("is_im") and info.get("user") == inv.user:
        return Place(inv.channel, None, "here")
    return Place(await open_dm(ctx, inv.user), None, "a DM", moved="I can't post in this conversation")


async def open_dm(ctx: Context, user: str) -> str:
    response = await ctx.client.conversations_open(users=user)
    return str(response["channel"]["id"])


async def upload(
    ctx: Context, *, requester: str, place: Place, data: bytes, filename: str, title: str, comment: str,
    alt: str = "",
) -> dict[str, Any]:
    """Upload with files upload v2 and remember who asked for the file."""
    response = await ctx.client.files_upload_v2(
        channel=place.channel, thread_ts=place.thread, file=data, filename=filename, title=title,
        initial_comment=comment, alt_txt=alt or None,
    )
    file: dict[str, Any] = response.get("file") or response["files"][0]
    await uploads(ctx).set(file["id"], {"by": requester, "channel": place.channel, "name": filename})
    return file


async def asker_name(ctx: Context, user_id: str) -> str:
    """The asker's name for a file's comment (plain text: it must not ping them)."""
    await ctx.directory.user(user_id)
    return escape(ctx.directory.display_name(user_id))


async def working(ctx: Context, inv: Invocation, text: str) -> None:
    """Tell the asker that slow work has started (only them, where possible). After a button
    (Join), this takes the button's place; the outcome then comes as a `notice` below it."""
    await deliver(ctx, inv, Reply(text=text, ephemeral=True))


def notice(text: str) -> Reply:
    """A private answer to the asker that never replaces the message a button was on."""
    return Reply(text=text, ephemeral=True, replace=False)
