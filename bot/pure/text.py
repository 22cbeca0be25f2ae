"""Pure helpers for Slack's mrkdwn: escaping what users typed and reading the references in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_USER_REF = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")
_CHANNEL_REF = re.compile(r"^<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>$")
_ANY_REF = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")
_PLAIN_NAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,79}$")
# A word of a command line; a `<…>` reference stays whole even when its label has spaces.
TOKEN = re.compile(r"<[^>]*>|\S+")
_PLAIN_ID = {"user": re.compile(r"^[UW][A-Z0-9]{2,}$"), "channel": re.compile(r"^[CGD][A-Z0-9]{2,}$")}


def escape(text: str) -> str:
    """Escape user text for echoing: no ping, link or mass mention can survive."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's own escaping of &, < and > in incoming text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def readable(text: str) -> str:
    """Turn references in incoming text into plain, inert words (for echoing what a user typed).

    `<@U1|will>` becomes `@will`, `<#C1|general>` becomes `#general`, `<!here>` becomes `@here`
    as plain text; the result is then escaped so nothing in it can notify anyone.
    """

    def plain(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "!":
            return "@" + (label or target.split("^")[0]).lstrip("@")
        return ("@" if sigil == "@" else "#") + (label or target)

    return escape(_ANY_REF.sub(plain, text))


@dataclass(frozen=True)
class UserRef:
    """A user named in a command: by ID (from `<@U…>`) or by handle (typed as @name or name)."""

    id: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return f"<@{self.id}>" if self.id else f"@{self.name}"


@dataclass(frozen=True)
class ChannelRef:
    id: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return f"<#{self.id}>" if self.id else f"#{self.name}"


def channel_not_found(ref: ChannelRef) -> str:
    """The one answer for a channel that does not exist and for a private one the asker is not
    in: which of the two it is stays with the channel's members."""
    shown = ref.name or ref.id or "?"
    return f"I can't find the channel `{shown}` (or it is private and you are not in it)."


def parse_user(token: str) -> UserRef | None:
    match = _USER_REF.match(token)
    if match:
        return UserRef(id=match.group(1), name=match.group(2) or None)
    bare = token[1:] if token.startswith("@") else token
    if _PLAIN_ID["user"].match(bare):
        return UserRef(id=bare)
    if _PLAIN_NAME.match(bare.lower()):
        return UserRef(name=bare.lower())
    return None


def parse_channel(token: str) -> ChannelRef | None:
    match = _CHANNEL_REF.match(token)
    if match:
        return ChannelRef(id=match.group(1), name=match.group(2) or None)
    bare = token[1:] if token.startswith("#") else token
    if _PLAIN_ID["channel"].match(bare):
        return ChannelRef(id=bare)
    if _PLAIN_NAME.match(bare.lower()):
        return ChannelRef(name=bare.lower())
    return None


def split_args(text: str) -> list[str]:
    """Split on whitespace, keeping `<…>` references whole even when their label has spaces."""
    return [match.group(0) for match in TOKEN.finditer(text)]


def split_line(text: str) -> tuple[str, str]:
    """`"history #general 5"` -> `("history", "#general 5")`; the rest keeps its own spacing."""
    stripped = text.strip()
    first = TOKEN.match(stripped)
    if first is None:
        return "", ""
    return first.group(0).lower(), stripped[first.end():].strip()


def shown(typed: str, limit: int = 40) -> str:
    """What the user typed, made inert and short, to quote back in an answer."""
    return truncate(readable(typed), limit).replace("`", "'")


def strip_mention(text: str, bot_user_id: str) -> str:
    """Remove the leading `<@BOT>` of an @mention (and any stray mentions of the bot)."""
    return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text).strip()


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def inert(text: str, user_name: Callable[[str], str], channel_name: Callable[[str], str]) -> str:
    """Make stored Slack text (history, purposes) safe to repeat: every reference becomes plain.

    `<@U1>` -> `@Will Koehrsen`, `<#C1>` -> `#general`, `<!here>` -> `@here`, links keep their
    label; nothing in the result can notify anyone.
    """

    def plain(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return "@" + (label or user_name(target))
        if sigil == "#":
            # The directory's name wins over the label the message carries: it names a private
            # channel only as one, as Slack shows it to those who are not in it.
            known = channel_name(target)
            return "#" + (known if known != target else (label or target))
        return "@" + (label or target.split("^")[0]).lstrip("@")

    def link(match: re.Match[str]) -> str:
        return match.group(2) or match.group(1)

    text = _ANY_REF.sub(plain, text)
    text = re.sub(r"<(https?://[^>|]*)(?:\|([^>]*))?>", link, text)
    return escape(unescape(text))


def plain(text: str) -> str:
    """Incoming text for a plain-text field (a status, a display name): references become words,
    Slack's escaping is undone. Not for echoing in mrkdwn; use `readable` for that."""
    return unescape(unescape(readable(text)))
