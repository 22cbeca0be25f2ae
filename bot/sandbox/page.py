"""What the web sandbox's page shows a member, read from the emulator's workspace as plain JSON:
their conversations, one conversation's messages (ephemeral ones to them included, threads under
their parent), the modal on top of their stack and their Home tab. The browser draws it."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from sloth_emulator import Emulator
from sloth_emulator.model import Channel

SHOWN = 60  # the latest top-level messages of a conversation the page draws, as Slack's client pages them
# Slack's names for emoji whose Unicode names differ; the rest follow Unicode (palm_tree → PALM TREE).
ALIASES = {"+1": "👍", "-1": "👎", "thumbsup": "👍", "thumbsdown": "👎", "tada": "🎉", "x": "❌",
           "white_check_mark": "✅", "heavy_check_mark": "✔️", "warning": "⚠️", "rotating_light": "🚨",
           "coffee": "☕", "smile": "😄", "wave": "👋", "fire": "🔥", "100": "💯", "sloth": "🦥",
           "calendar": "📆", "alarm_clock": "⏰", "hourglass": "⌛", "heart": "❤️", "star": "⭐",
           "robot_face": "🤖", "sparkles": "✨", "snake": "🐍", "trophy": "🏆", "bar_chart": "📊"}
EMOJI = re.compile(r":([a-z0-9_+-]+):")


def conversations(emu: Emulator, user: str) -> list[dict[str, Any]]:
    """The member's sidebar: channels they are in, then their direct message with the app."""
    ws = emu.workspace
    listed = [c for c in ws.channels.values() if not c.is_im and not c.is_mpim and not c.is_archived
              and user in c.members]
    shown = [{"id": c.id, "name": c.name, "kind": "private" if c.is_private else "channel"}
             for c in sorted(listed, key=lambda c: c.name)]
    im = direct(emu, user)
    return [*shown, {"id": im.id, "name": ws.bot_user.real_name or ws.bot_user.name, "kind": "app"}]


def direct(emu: Emulator, user: str) -> Channel:
    im, _ = emu.workspace.open_im(user, emu.bot_user_id)
    return im


def people(emu: Emulator) -> list[dict[str, str]]:
    return [{"id": u.id, "name": u.name, "real_name": u.real_name or u.name}
            for u in emu.workspace.users.values() if u.is_human]


def names_by_id(emu: Emulator) -> dict[str, str]:
    """What `<@U…>` and `<#C…>` show as, for every member and conversation."""
    ws = emu.workspace
    return {**{u.id: u.name for u in ws.users.values()}, **{c.id: c.name for c in ws.channels.values()}}


def messages(emu: Emulator, channel: Channel, user: str) -> list[dict[str, Any]]:
    """The latest messages of `channel` as the member sees them: oldest first, replies under their
    parent, the app's ephemeral messages to them in place (by time)."""
    stored = emu.messages(channel.id)
    top = [m for m in stored if m.get("thread_ts") in (None, m.get("ts"))]
    replies: dict[str, list[dict[str, Any]]] = {}
    for m in stored:
        if m.get("thread_ts") not in (None, m.get("ts")):
            replies.setdefault(str(m["thread_ts"]), []).append(_shown(emu, m, channel.id))
    shown = [{**_shown(emu, m, channel.id), "replies": replies.get(str(m.get("ts")), [])} for m in top]
    shown += [{**_shown(emu, m, channel.id), "ephemeral": True, "replies": []}
              for m in emu.ephemerals(user=user, channel=channel.id)]
    return sorted(shown, key=lambda m: float(m["ts"]))[-SHOWN:]


def _shown(emu: Emulator, message: dict[str, Any], channel: str) -> dict[str, Any]:
    ws = emu.workspace
    key = (channel, str(message.get("ts")))
    author = ws.user(str(message.get("user", "")))
    is_app = bool(message.get("bot_id")) or (author is not None and author.is_bot)
    name = message.get("username") or (author.real_name or author.name if author else "someone")
    keep = ("ts", "text", "blocks", "attachments", "files", "thread_ts", "icon_emoji", "edited")
    return {**{k: message[k] for k in keep if k in message}, "author": name, "app": is_app,
            "colour": f"#{author.color}" if author else "#616061",
            "files": [_file(f) for f in message.get("files") or []],
            # A streamed answer is its Markdown text, growing, then its blocks below once it stops.
            "streamed": key in ws.streamed, "streaming": key in ws.streams}


def _file(shared: dict[str, Any]) -> dict[str, Any]:
    kept = {k: shared.get(k) for k in ("id", "name", "title", "mimetype", "size", "pretty_type", "mode")}
    # Served by the page itself (/files/<id>): the browser loads nothing from anywhere else.
    kept["url"] = f"/files/{shared.get('id')}" if shared.get("mode") != "tombstone" else None
    return kept


def top_modal(emu: Emulator, user: str) -> dict[str, Any] | None:
    """The member's modal on top of its stack, if one is open."""
    modals = [v for v in emu.views(user) if v["type"] == "modal"]
    under = {v.get("previous_view_id") for v in modals}
    return next((v for v in reversed(modals) if v["id"] not in under), None)


def home(emu: Emulator, user: str) -> dict[str, Any] | None:
    """The Home tab the app last published for the member."""
    return next((v for v in emu.views(user) if v["type"] == "home"), None)


def page_state(emu: Emulator, user: str, channel_id: str) -> dict[str, Any]:
    """Everything the page draws for `user` looking at `channel_id` (or at the app's Home)."""
    ws = emu.workspace
    me = ws.user(user)
    if me is None or not me.is_human:
        raise LookupError(f"no member {user}")
    channel = ws.channels.get(channel_id)
    if channel is None or (user not in channel.members and not (channel.is_im and channel_id == direct(emu, user).id)):
        channel = ws.general()
    body: dict[str, Any] = {
        "team": {"name": ws.team.name, "domain": ws.team.domain},
        "me": {"id": me.id, "name": me.name, "real_name": me.real_name},
        "app": {"id": emu.bot_user_id, "name": ws.bot_user.real_name or ws.bot_user.name},
        "conversations": conversations(emu, user),
        "channel": {"id": channel.id, "name": channel.name, "is_im": channel.is_im,
                    "purpose": channel.purpose or channel.topic},
        "messages": messages(emu, channel, user),
        "modal": top_modal(emu, user),
        "home": home(emu, user),
    }
    text = json.dumps(body, sort_keys=True, default=str)
    body["emoji"] = emoji(text)
    body["version"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return body


def emoji(text: str) -> dict[str, str]:
    """The characters of the `:name:` emoji found in `text`, for the names that have one."""
    found: dict[str, str] = {}
    for name in set(EMOJI.findall(text)):
        char = ALIASES.get(name)
        if char is None:
            try:
                char = unicodedata.lookup(name.replace("_", " ").upper())
            except KeyError:
                continue
        found[name] = char
    return found
