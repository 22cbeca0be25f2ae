"""The one place every outgoing message passes: nothing Sloth says can ping people it should not.

Whatever a feature does (a reply, a `chat.postMessage` of its own, a file's comment, an answer
to a `response_url`), the Web API client and `bot.respond` hand the message through `clean`
first. It makes inert:

- every mass mention (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`, rich-text
  broadcasts), unless the command declares `mentions="all"` and the member asking is an admin;
- while a request is handled, every member mention and labelled link that came from what the
  member typed (never the asker's own mention): a command declaring `mentions="users"` keeps
  the mentions (a challenge to the member named), `mentions="all"` keeps both (`say` posts
  what was typed);
- `link_names` and `parse=full`, which would turn plain `@channel` text into a ping.

The request in progress travels in a context variable set by dispatch, so code deep inside a
handler needs no extra argument. Background work (jobs, card edits) runs without one: no input
to echo, and no mass mentions at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_REF = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
_MASS = {"here", "channel", "everyone"}
GUARDED_METHODS = frozenset({
    "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "chat.meMessage",
    "files.completeUploadExternal", "files.upload",
})
_ATTACHMENT_TEXT = ("text", "pretext", "fallback", "title", "footer", "author_name")


@dataclass(frozen=True)
class Scope:
    """What the request being handled typed, and what its command may let through."""

    typed: str = ""
    asker: str = ""
    users: bool = False  # mentions of members the input names are meant (a challenge, `say`)
    links: bool = False  # links as typed are meant, labels and all (`say`)
    everyone: bool = False  # mass mentions are meant and the asker may make them
    name_of: Callable[[str], str] | None = None  # a member's name, to show instead of a mention

    @property
    def refs(self) -> set[str]:
        return {m.group(0) for m in _REF.finditer(self.typed)}

    @property
    def named_users(self) -> set[str]:
        return {m.group(2) for m in _REF.finditer(self.typed) if m.group(1) == "@"}


_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("sloth_guard_scope", default=None)


@contextlib.contextmanager
def handling(scope: Scope) -> Iterator[None]:
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Scope | None:
    return _current.get()


def inert_text(text: str, scope: Scope | None = None) -> str:
    """`text` with every reference the scope does not allow made plain."""
    scope = current() if scope is None else scope
    refs = scope.refs if scope else set()
    named = scope.named_users if scope else set()

    def neutral(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        whole = match.group(0)
        if sigil == "!":
            mass = target.split("^")[0] in _MASS or target.startswith("subteam^")
            if mass and not (scope and scope.everyone):
                return _escape("@" + (label or target.split("^")[0]).lstrip("@"))
            return whole
        if scope is None:
            return whole
        if sigil == "@":
            if scope.users or target == scope.asker or target not in named:
                return whole
            return _escape("@" + (label or (scope.name_of(target) if scope.name_of else target)))
        if sigil == "" and label and whole in refs and not scope.links:
            return _escape(whole)  # a link whose label hides where it goes, as the member typed it
        return whole

    return _REF.sub(neutral, text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clean(message: dict[str, Any], scope: Scope | None = None) -> dict[str, Any]:
    """A copy of a message's arguments (text, blocks, attachments, comment) made safe."""
    scope = current() if scope is None else scope
    text: Callable[[str], str] = lambda value: inert_text(value, scope)  # noqa: E731
    out = dict(message)
    out.pop("link_names", None)
    if out.get("parse") == "full":
        out.pop("parse")
    for key in ("text", "initial_comment"):
        if isinstance(out.get(key), str):
            out[key] = text(out[key])
    for key, walk in (("blocks", _blocks), ("attachments", _attachments)):
        value = out.get(key)
        if isinstance(value, str):  # form-encoded calls carry blocks as JSON text
            try:
                out[key] = json.dumps(walk(json.loads(value), text, scope))
            except ValueError:
                continue
        elif isinstance(value, list):
            out[key] = walk(value, text, scope)
    return out


def _blocks(value: Any, text: Callable[[str], str], scope: Scope | None) -> Any:
    if isinstance(value, list):
        return [_blocks(item, text, scope) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("type")
    if kind == "mrkdwn" and isinstance(value.get("text"), str):
        return {**value, "text": text(value["text"])}
    if kind == "broadcast" and not (scope and scope.everyone):
        return {"type": "text", "text": "@" + str(value.get("range", "here"))}
    if kind == "usergroup" and not (scope and scope.everyone):
        return {"type": "text", "text": "@group"}
    if kind == "user" and scope and not scope.users and value.get("user_id") in scope.named_users - {scope.asker}:
        return {"type": "text", "text": "@" + str(value.get("user_id"))}
    # Button values and other machine fields are not shown, so only nested text is cleaned.
    return {key: (_blocks(item, text, scope) if isinstance(item, (list, dict)) else item)
            for key, item in value.items()}


def _attachments(value: Any, text: Callable[[str], str], scope: Scope | None) -> Any:
    if not isinstance(value, list):
        return value
    cleaned = []
    for attachment in value:
        if not isinstance(attachment, dict):
            cleaned.append(attachment)
            continue
        item = dict(attachment)
        for key in _ATTACHMENT_TEXT:
            if isinstance(item.get(key), str):
                item[key] = text(item[key])
        if isinstance(item.get("fields"), list):
            item["fields"] = [{**f, **{k: text(f[k]) for k in ("title", "value") if isinstance(f.get(k), str)}}
                              if isinstance(f, dict) else f for f in item["fields"]]
        if "blocks" in item:
            item["blocks"] = _blocks(item["blocks"], text, scope)
        cleaned.append(item)
    return cleaned
