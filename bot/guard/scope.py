"""The guard's scope: who is being answered, and what came in from outside while it lasts.

A scope is set around each piece of work (a request, an event, a button, a route, a job, a
background task) in a context variable, so code deep inside a feature needs no extra argument.
What a member typed is `typed`; everything else that came from outside (a route's body and query,
the event, every value read from the store that can hold a reference) is added to `seen` as it
arrives and only scanned when a message about to be sent holds a member mention or a labelled
link that could have come from it: a message without one (a card's redraw) scans nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.guard.text import Marks, has_markup, json_has_markup

PENDING_LIMIT = 8  # values kept unscanned; past this the oldest is scanned at once (a long task, few sends)
MARKS_LIMIT = 10_000  # references remembered; past this everything is treated as input (fails closed)
WALK_LIMIT = 200_000  # containers read in one value (a 10 MB record); past this, or in a cycle, the same
SCALARS = (int, float, bool, type(None))


class Seen:
    """Untrusted input met in one scope, kept as the references found in it."""

    def __init__(self) -> None:
        self._marks = Marks()
        self._pending: list[Any] = []
        self.overflowed = False
        self.body_taken = False

    def add(self, value: Any) -> None:
        self._pending.append(value)
        if len(self._pending) > PENDING_LIMIT:
            self._scan(self._pending.pop(0))  # one at a time: no stall, and memory stays bounded

    def marks(self) -> Marks:
        while self._pending:
            self._scan(self._pending.pop(0))
        return self._marks

    def _scan(self, value: Any) -> None:
        texts, too_big = strings(value)
        for text in texts:
            self._marks.take(text)
        if too_big or len(self._marks) > MARKS_LIMIT:
            self.overflowed, self._marks = True, Marks()

    @property
    def unscanned(self) -> int:
        return len(self._pending)

    def has_user(self, user: str) -> bool:
        marks = self.marks()
        return self.overflowed or user in marks.users

    def has_link(self, url: str, label: str) -> bool:
        marks = self.marks()
        return self.overflowed or (url, label) in marks.links


def strings(value: Any) -> tuple[list[str], bool]:
    """The strings in a JSON-like value (keys too) that may hold a reference, and whether the
    value was too big to read whole (a cycle, or more than WALK_LIMIT items).

    A loop with its own stack, not recursion or json.dumps: a training run's 180 KB record of
    floats is read in about 2.5 ms, where json.dumps spends 4 on formatting its floats alone.
    """
    found: list[str] = []
    stack = [value]
    budget = WALK_LIMIT
    while stack:
        item = stack.pop()
        budget -= 1
        if budget < 0:
            return found, True
        if isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str) and has_markup(key):
                    found.append(key)
                if isinstance(inner, str):
                    if has_markup(inner):
                        found.append(inner)
                elif not isinstance(inner, SCALARS):
                    stack.append(inner)
        elif isinstance(item, (list, tuple)):
            for inner in item:
                if isinstance(inner, str):
                    if has_markup(inner):
                        found.append(inner)
                elif not isinstance(inner, SCALARS):
                    stack.append(inner)
        elif isinstance(item, str):
            if has_markup(item):
                found.append(item)
        elif isinstance(item, (bytes, bytearray)):
            stack.append(bytes(item).decode("utf-8", "replace"))
        elif not isinstance(item, SCALARS):
            try:
                stack.append(str(item))  # an object a feature marked untrusted: as it would print
            except Exception:
                return found, True  # unreadable: fail closed
    return found, False


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


def record_read(raw: str | bytes, value: Any) -> None:
    """`value`, read back from the store as the JSON text `raw`, is input if it can hold a reference:
    a check of the text in C, so a record of numbers and names is never held or walked."""
    scope = _current.get()
    if scope is None:
        return
    if json_has_markup(raw if isinstance(raw, str) else raw.decode("utf-8", "replace")):
        scope.seen.add(value)


def fresh_context(name_of: Callable[[str], str] | None = None) -> contextvars.Context:
    """An empty context with a scope of its own, for a background task: nothing of the request
    that happened to start it, and what it reads recorded apart."""
    context = contextvars.Context()
    context.run(_current.set, Scope(name_of=name_of))
    return context
