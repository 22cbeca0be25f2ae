"""The member whose request is being handled, and what has gone into the answer to them so far.

Held in context variables, so the Web API client (`bot.slack.access`, `bot.slack.client`) knows
whose request a call is made for, however deep inside a feature's handler it is made. Dispatch
and the entry points set it around each request (`asking`); what was read from a private
conversation is noted (`reveal`), so the answer can be kept to the asker (`bot.handling.respond`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["public", "private", "mpim", "im"]


@dataclass
class Asking:
    """The member whose request is being handled, where they asked, and the private
    conversations whose content has gone into the answer so far."""

    user: str
    where: str
    revealed: set[str] = field(default_factory=set)


_asking: contextvars.ContextVar[Asking | None] = contextvars.ContextVar("sloth_asking", default=None)
_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("sloth_access_lookup", default=False)


@contextlib.contextmanager
def asking(user: str, where: str) -> Iterator[Asking]:
    """Handle a member's request: every Web API call inside keeps to what `user` may see. A
    request inside another (a button that runs a command) shares the outer one's record."""
    outer = _asking.get()
    if outer is not None and outer.user == user:
        yield outer
        return
    token = _asking.set(Asking(user, where))
    try:
        yield _asking.get()  # type: ignore[misc]
    finally:
        _asking.reset(token)


def current() -> Asking | None:
    return _asking.get()


def looking_up() -> bool:
    return _inside.get()


@contextlib.contextmanager
def lookup() -> Iterator[None]:
    """Sloth's own calls to find out who may see what: not themselves checked."""
    token = _inside.set(True)
    try:
        yield
    finally:
        _inside.reset(token)


@dataclass(frozen=True)
class Conversation:
    id: str
    kind: Kind
    name: str
    im_user: str = ""  # the member a DM is with

    @property
    def public(self) -> bool:
        return self.kind == "public"


def kind_of(info: dict[str, Any]) -> Kind:
    if info.get("is_im"):
        return "im"
    if info.get("is_mpim"):
        return "mpim"
    return "private" if info.get("is_private") or info.get("is_group") else "public"


def reveal(conversation: Conversation) -> None:
    """Note that the answer to the request in progress holds what `conversation` holds."""
    request = current()
    if request is not None and not conversation.public:
        request.revealed.add(conversation.id)


def conversation_of(info: dict[str, Any]) -> Conversation:
    return Conversation(id=str(info["id"]), kind=kind_of(info), name=str(info.get("name") or ""),
                        im_user=str(info.get("user") or ""))
