"""`say #channel <text> [as <name>] [icon :emoji:|<url>]`: post as a custom identity.

Like the "Python Test" and "Alert" bots: the message comes from Sloth's app (chat:write.customize)
with another name and icon. Nobody may borrow a member's name; only admins may use @here,
@channel, @everyone or user-group mentions. Every message records who asked in its metadata.
To end the text itself with "as …", put the text in quotes: `say #general "see you as usual"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import (
    MAX_MESSAGE,
    MAX_USERNAME,
    Args,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    Step,
    UserError,
    check_length,
    escape,
    has_mass_mention,
    is_admin,
    parse_emoji,
    plain,
    raise_if_not_in,
    reads_as,
    section,
    truncate,
)

router = Router("say")
_ICON = re.compile(r"^(?P<text>.*?)\s+icon\s+(?P<icon>:[^:\n]+:|\S+)\s*$", re.S)
_AS = re.compile(r"^(?P<text>.*)\s+as\s+(?P<name>[^\n]+?)\s*$", re.S)
_QUOTED = re.compile(r'^\s*["“](?P<text>.*?)["”](?P<rest>(?:\s.*)?)$', re.S)
_URL = re.compile(r"^<?(https?://[^\s|>]+)(?:\|[^>]*)?>?$")


@dataclass(frozen=True)
class Post:
    text: str
    name: str | None = None
    icon_emoji: str | None = None
    icon_url: str | None = None


def _options(rest: str) -> tuple[str, str | None, str | None]:
    """Peel `as <name>` and `icon <x>` (either order) off the end of rest: (what is left, name, icon)."""
    name = icon = None
    for _ in range(2):
        match = _ICON.match(" " + rest) if icon is None else None
        if match:
            rest, icon = match["text"].strip(), match["icon"]
            continue
        match = _AS.match(" " + rest) if name is None else None
        if match:
            rest, name = match["text"].strip(), match["name"]
    return rest, name, icon


def parse_post(message: str) -> Post:
    quoted = _QUOTED.match(message)
    if quoted:
        text = quoted["text"]
        leftover, name, icon = _options(quoted["rest"].strip())
        if leftover:
            raise UserError("After the quoted text, only `as <name>` and `icon :emoji:` (or an image URL) may follow.")
    else:
        text, name, icon = _options(message.strip())
    if not text.strip():
        raise UserError("What should I say? For example `say #general Deploy finished as Alert icon :rotating_light:`.")
    check_length("Your message", text, MAX_MESSAGE)
    post = Post(text=text)
    if name is not None:
        name = plain(name).strip().strip('"“”')
        check_length("The name", name, MAX_USERNAME)
        post = Post(text, name=name)
    if icon is not None:
        emoji = parse_emoji(icon)
        url = _URL.match(icon)
        if emoji is None and url is None:
            raise UserError("The icon should be an emoji like `:snake:` or an image address starting with https://.")
        icon_url = url[1] if url is not None and emoji is None else None
        post = Post(post.text, post.name, icon_emoji=emoji, icon_url=icon_url)
    return post


def borrowed_name(name: str, members: list[dict[str, Any]]) -> str | None:
    """The handle of the member whose name `name` reads as, if any: any of their names (handle,
    real and display name), however it is spelt to look the same (`bot.pure.lookalike`)."""
    for member in members:
        profile = member.get("profile", {})
        names = (member.get("name"), member.get("real_name"), profile.get("real_name"), profile.get("display_name"),
                 profile.get("display_name_normalized"), profile.get("real_name_normalized"))
        if any(n and reads_as(name, str(n)) for n in names):
            return str(member.get("name"))
    return None


@router.command(
    "say", "Post in a channel as a custom name and icon, like an alert bot.",
    Param("channel", "channel"), Param("message", "text"), changes=True,
    scopes=("chat:write", "chat:write.public", "chat:write.customize", "channels:join"), mentions="all",
    step=Step("Post as an identity", "Post a message in a channel as a custom name and icon: end the message "
              "with `as <name>` and `icon :emoji:`."),
    examples=("say #python_content Tests passed as Python Test icon :snake:",
              'say #general "Deploy finished" as Alert icon :rotating_light:'),
)
async def say_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    post = parse_post(args["message"])
    if has_mass_mention(post.text) and not await is_admin(ctx, inv.user):
        raise UserError("Only Sloth's admins (and the workspace's admins and owners) can use @here, @channel, "
                        "@everyone or group mentions in `say`; nothing was posted.")
    if post.name:
        owner = borrowed_name(post.name, await ctx.directory.members())
        if owner:
            raise UserError(f"“{escape(post.name)}” reads as the name of a member (@{escape(owner)}); "
                            "Sloth won't post as a person. Pick another name.")
    channel = await ctx.directory.resolve_channel(args["channel"])
    if channel.get("is_archived"):
        raise UserError(f"#{escape(channel.get('name', channel['id']))} is archived, so nothing was posted.")
    try:
        posted = await ctx.client.chat_postMessage(
            channel=channel["id"], text=post.text, username=post.name, icon_emoji=post.icon_emoji,
            icon_url=post.icon_url, metadata={"event_type": "sloth_say", "event_payload": {"requested_by": inv.user}},
        )
    except SlackApiError as e:
        raise_if_not_in(e, channel)
        raise
    as_name = f" as *{escape(truncate(post.name, MAX_USERNAME))}*" if post.name else ""
    text = f"Posted in <#{channel['id']}>{as_name}."
    try:
        link = (await ctx.client.chat_getPermalink(channel=channel["id"], message_ts=posted["ts"]))["permalink"]
        text += f" <{link}|See it>"
    except SlackApiError:
        pass  # the post is there; the link is a courtesy
    return Reply(text=text, blocks=[section(text)], ephemeral=True)
