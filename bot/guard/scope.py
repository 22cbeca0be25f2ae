"""The guard's scope: who is being answered, and what came in from outside while it lasts.

A scope is set around each piece of work (a request, an event, a button, a route, a job, a
background task) in a context variable, so code deep inside a feature needs no extra argument.
What a member typed is `typed`; everything else that came from outside (a route's body and query,
the event, every value read from the store) is added to `seen` as it arrives and only scanned
when the guard next cleans a message, so reading the store costs one list append.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.guard.text import Marks, has_markup

PENDING_LIMIT = 256  # values kept unscanned before they are scanned anyway (a long task that never sends)
MARKS_LIMIT = 10_000  # references remembered; past this everything is treated as input (fails closed)


class Seen:
    """Untrusted input met in one scope, kept as the references found in it."""

    def __init__(self) -> None:
        self._marks = Marks()
        self._pending: list[Any] = []
        self.overflowed = False
        self.body_taken = False

    def add(self, value: Any) -> None:
        self._pending.append(value)
        if len(self._pending) >= PENDING_LIMIT:
            self.marks()

    def marks(self) -> Marks:
        if self._pending:
            pending, self._pending = self._pending, []
            for value in pending:
                for text in strings(value):
                    self._marks.take(text)
            if len(self._marks) > MARKS_LIMIT:
                self.overflowed, self._marks = True, Marks()
        return self._marks

    def has_user(self, user: str) -> bool:
        marks = self.marks()
        return self.overflowed or user in marks.users

    def has_link(self, url: str, label: str) -> bool:
        marks = self.marks()
        return self.overflowed or (url, label) in marks.links

    def has_links(self) -> bool:
        marks = self.marks()
        return self.overflowed or bool(marks.links)


def strings(value: Any, depth: int = 0) -> Iterator[str]:
    """The strings in a JSON-like value (keys too) that may hold a reference."""
    if isinstance(value, str):
        if has_markup(value):
            yield value
        return
    if isinstance(value, bytes):
        yield from strings(value.decode("utf-8", "replace"))
        return
    if not isinstance(value, (dict, list, tuple)) or depth > 64:
        return
    if depth == 0:
        try:  # in C, and most records (numbers, IDs, names) hold nothing worth a walk in Python
            if not has_markup(json.dumps(value, ensure_ascii=False, default=str)):
                return
        except (TypeError, ValueError):
            pass  # a cycle or odd keys: walk it
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(key, str) and has_markup(key):
            yield key
        yield from strings(item, depth + 1)


@dataclass(frozen=True)
class Scope:
    """What the work being done was given, and what its command may let through."""

    typed: str = ""  # what the member typed (a command line, a message)
    asker: str = ""  # whose request it is: their own mention is never made inert
    users: bool = False  # mentions of members the typed input names are meant (a challenge, `say`)
    links: bool = False  # labelled links as typed are meant (`say`)
    everyone: bool = False  # mass mentions are meant and the asker may make them
    name_of: Callable[[str], str] | None = None  # a member's name, to show instead of a mention
    seen: Seen = field(default_factory=Seen, compare=False, repr=False)
    # A route's body, once its handler has read it (None while unread): see bot.guard.request_scope.
    body: Callable[[], Awaitable[Any]] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def typed_marks(self) -> Marks:
        marks = Marks()
        marks.take(self.typed)
        return marks

    @property
    def has_links(self) -> bool:
        return bool(self.typed_marks.links and not self.links) or self.seen.has_links()

    def from_input(self, user: str) -> bool:
        """Whether a mention of `user` must be made inert: it came from input and is not meant."""
        if user == self.asker:
            return False
        if user in self.typed_marks.users and not self.users:
            return True
        return self.seen.has_user(user)

    def link_from_input(self, url: str, label: str) -> bool:
        if (url, label) in self.typed_marks.links and not self.links:
            return True
        return self.seen.has_link(url, label)

    def name(self, user: str) -> str:
        return (self.name_of(user) if self.name_of else "") or user


_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("sloth_guard_scope", default=None)


@contextlib.contextmanager
def handling(scope: Scope) -> Iterator[Scope]:
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def current() -> Scope | None:
    return _current.get()


def record(value: Any) -> None:
    """Treat `value` (text, or JSON-like data) as untrusted input for the rest of this scope."""
    scope = _current.get()
    if scope is not None and value is not None:
        scope.seen.add(value)


def fresh_context(name_of: Callable[[str], str] | None = None) -> contextvars.Context:
    """An empty context with a scope of its own, for a background task: nothing of the request
    that happened to start it, and what it reads recorded apart."""
    context = contextvars.Context()
    context.run(_current.set, Scope(name_of=name_of))
    return context
