"""Where a feature's answer reads and goes: a channel Sloth may read for the asker, the place a
file answering them goes, and the upload there, remembered with who asked.

Every file Sloth uploads is remembered with the member who asked for it (`bot.slack.uploads`),
so the `files` list can offer that member a Delete button, whichever feature made it. `upload`
waits (briefly) until `files.info` shows the file shared, and takes its permalink from there.
A file still to be made (`made(TASK, *args)`) is made in a worker process; with the job queue,
the `sloth worker` that makes it uploads it too, for the asker and with the same checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import guard
from bot.features.context import Context
from bot.features.invocation import Invocation
from bot.features.rerun import NotInChannel
from bot.pure.blocks import Reply
from bot.pure.errors import UserError
from bot.pure.tasks import Made
from bot.pure.text import ChannelRef, channel_not_found, escape
from bot.slack.asking import current
from bot.slack.uploads import put_file, shared_file
from bot.work.lanes import FileTo


async def uploader(ctx: Context, file_id: str) -> str | None:
    """The member who asked Sloth for the file `file_id`, if Sloth uploaded it."""
    return await ctx.uploads.uploader(file_id)


async def forget_upload(ctx: Context, file_id: str) -> None:
    await ctx.uploads.forget(file_id)


# -- reading a channel ------------------------------------------------------------------------


async def readable_channel(ctx: Context, inv: Invocation, ref: ChannelRef, doing: str) -> dict[str, Any]:
    """The channel, fresh from conversations.info, when Sloth can read it for `inv.user`.

    Raises UserError for what cannot be done (a DM, an archived channel, a channel the asker
    cannot see, a private one Sloth is not in) and NotInChannel for a public channel Sloth may join.
    """
    channel = await ctx.directory.resolve_channel(ref)
    # A private channel's history is for its members: never hand it to anyone else.
    await ctx.access.require(inv.user, channel["id"], text=channel_not_found(ref))
    info: dict[str, Any] = (await ctx.client.conversations_info(channel=channel["id"]))["channel"]
    name = escape(info.get("name") or channel.get("name") or info["id"])
    if info.get("is_im") or info.get("is_mpim"):
        raise UserError(f"I can {doing} channels, not direct messages.")
    if info.get("is_archived"):
        raise UserError(f"#{name} is archived, so I can't {doing} it.")
    if not info.get("is_member"):
        if info.get("is_private"):
            raise UserError(f"I'm not in #{name}. Invite me there with `/invite @sloth`, then try again.")
        raise NotInChannel(info["id"], info.get("name") or info["id"], doing=f"{doing} it")
    return info


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
    come from anywhere, including a channel Sloth is not in or a DM between two people. What
    was read from a private conversation goes only there or to the asker (`bot.slack.access`).
    """
    if private_to not in (None, inv.channel) or await ctx.access.private_elsewhere(inv.channel):
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
    ctx: Context, *, requester: str, place: Place, data: bytes | Made, filename: str, title: str, comment: str,
    alt: str = "",
) -> dict[str, Any]:
    """Upload with files upload v2, remember who asked, and wait until Slack has shared it.

    `data` is the file's bytes, or `made(TASK, *args)`: the file a task makes in a worker process
    (with the job queue, that worker uploads it). The answer has `id`, `name` (the filename),
    `title`, `permalink` (once shared) and `shared`. `alt` text is sent only with images (see
    `bot.slack.uploads.put_file`).
    """
    if isinstance(data, Made):
        done = await ctx.cpu.remote_upload(data, file_to(ctx, requester, place, filename, title, comment, alt))
        if done is not None:
            return done
        data = await ctx.cpu.run(data.task, *data.args, **data.kwargs)
    if not data:
        raise UserError(f"`{escape(filename)}` is empty, and Slack takes no empty files.")
    file_id = await put_file(ctx.client, place.channel, place.thread, data, filename, title, comment, alt)
    await ctx.uploads.remember(file_id, requester, place.channel, filename, ctx.clock())
    info = await shared_info(ctx, file_id)
    if info and info.get("permalink"):
        await ctx.uploads.linked(file_id, requester, str(info["permalink"]))
    ctx.refresh_home(requester)  # their Home tab lists their latest files
    return {"id": file_id, "name": filename, "title": title, "permalink": info.get("permalink") if info else None,
            "shared": info is not None}


def file_to(ctx: Context, requester: str, place: Place, filename: str, title: str, comment: str,
            alt: str) -> FileTo:
    """What a worker needs to upload as this request would: the texts passed through the guard
    here, where everything the request read is known, and what the guard and the access rule
    must still hold to on the worker (what was typed, what private content the file holds)."""
    scope = guard.current() or guard.Scope()
    texts = guard.clean({"title": title, "initial_comment": comment})
    asking = current()
    return FileTo(
        requester=requester, channel=place.channel, thread=place.thread, filename=filename, title=texts["title"],
        initial_comment=texts["initial_comment"], alt=alt, typed=scope.typed, users=scope.users, links=scope.links,
        everyone=scope.everyone, revealed=tuple(sorted(asking.revealed)) if asking is not None else (),
        team=ctx.identity.team_id)


async def shared_info(ctx: Context, file_id: str) -> dict[str, Any] | None:
    """files.info of the file once it is shared somewhere; None if it is not shared in time."""
    return await shared_file(ctx.client, file_id)


def file_link(file: dict[str, Any]) -> str:
    """The file as a link to it once shared, else its name, for an answer."""
    name = escape(file.get("name") or file.get("title") or "the file")
    link = file.get("permalink")
    return f"<{link}|{name}>" if link else f"`{name}`"


async def asker_name(ctx: Context, user_id: str) -> str:
    """The asker's name for a file's comment (plain text: it must not ping them)."""
    await ctx.directory.user(user_id)
    return escape(ctx.directory.display_name(user_id))


async def working(ctx: Context, inv: Invocation, text: str) -> None:
    """Tell the asker that slow work has started (only them, where possible). After a button
    (Join), this takes the button's place; the outcome then comes as a `notice` below it."""
    await ctx.say(inv, Reply(text=text, ephemeral=True))
