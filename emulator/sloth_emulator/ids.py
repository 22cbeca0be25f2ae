"""Identifiers, timestamps and cursors shaped like Slack's."""

from __future__ import annotations

import base64
import secrets
import string
import time
from collections.abc import Callable

_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_id(prefix: str, length: int = 10) -> str:
    """A Slack-style ID: a type letter (U, C, D, G, F, B, A, T, Q, Rm...) and uppercase alphanumerics."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def new_trigger_id() -> str:
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


def format_ts(micros: int) -> str:
    """Slack message timestamps are seconds with exactly six decimals, e.g. "1503435956.000247"."""
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def parse_ts(ts: str) -> int:
    """Microseconds of a Slack ts; raises ValueError on anything that is not one."""
    seconds, _, fraction = str(ts).partition(".")
    return int(seconds) * 1_000_000 + int((fraction + "000000")[:6] or 0)


class TsClock:
    """Hands out strictly increasing message timestamps.

    Slack identifies a message by (channel, ts), so two messages must never share a ts even
    when posted within the same microsecond or when the wall clock is set back by a test.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._last = 0

    def next(self) -> str:
        self._last = max(int(self.clock() * 1_000_000), self._last + 1)
        return format_ts(self._last)

    def at(self, seconds: float) -> str:
        """A ts for a message that happened at a given time (seed data); keeps the order."""
        self._last = max(int(seconds * 1_000_000), self._last + 1)
        return format_ts(self._last)


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset inside a cursor made by encode_cursor; ValueError for anything else."""
    try:
        kind, _, value = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(cursor) from exc
    if kind != "offset" or not value.isdigit():
        raise ValueError(cursor)
    return int(value)
