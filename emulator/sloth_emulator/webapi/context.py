"""What a Web API handler gets: parsed arguments, the caller's identity, and helpers that turn
bad input into the errors Slack would answer with."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sloth_emulator.errors import ApiError
from sloth_emulator.ids import decode_cursor, encode_cursor
from sloth_emulator.model import Channel, User
from sloth_emulator.tokens import TokenInfo, TokenKind
from sloth_emulator.workspace import Workspace

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

__all__ = ["APP_ONLY", "BOT_OR_USER", "CONFIG_ONLY", "NO_TOKEN", "USER_ONLY", "Answer", "ApiError", "Call", "Method",
           "missing_field"]

T = TypeVar("T")
Answer = dict[str, Any]

BOT_OR_USER: frozenset[TokenKind] = frozenset({"bot", "user"})
USER_ONLY: frozenset[TokenKind] = frozenset({"user"})
APP_ONLY: frozenset[TokenKind] = frozenset({"app"})
NO_TOKEN: frozenset[TokenKind] = frozenset()  # oauth.v2.access authenticates with the client secret
CONFIG_ONLY: frozenset[TokenKind] = frozenset({"config"})  # the App Manifest APIs


def missing_field(name: str) -> ApiError:
    # Slack's answer for a required argument left out, as for views.open's trigger_id.
    return ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] missing required field: {name}"]})


@dataclass(frozen=True)
class Method:
    handler: Callable[[Call], Answer]
    tokens: frozenset[TokenKind] = BOT_OR_USER


@dataclass
class Call:
    emu: Emulator
    method: str
    args: dict[str, Any]
    auth: TokenInfo | None
    basic_auth: tuple[str, str] | None = None

    @property
    def ws(self) -> Workspace:
        return self.emu.workspace

    @property
    def me(self) -> str:
        """The user ID acting: the bot user for bot tokens, the owner for user tokens."""
        return self.auth.user_id if self.auth else ""

    @property
    def is_bot(self) -> bool:
        return self.auth is not None and self.auth.kind == "bot"

    def has_scope(self, scope: str) -> bool:
        """Whether the token was granted `scope` (tokens without a scope list have them all)."""
        return self.auth is None or self.auth.scopes is None or scope in self.auth.scopes

    # -- arguments -------------------------------------------------------------------------

    def text(self, name: str, default: str = "") -> str:
        value = self.args.get(name)
        return default if value is None else str(value)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.args.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "yes")

    def number(self, name: str, default: int) -> int:
        value = self.args.get(name)
        if value is None or value == "":
            return default
        try:
            return int(float(value))
        except (TypeError, ValueError):
            raise ApiError("invalid_arguments") from None

    def structured(self, name: str, error: str = "invalid_arguments") -> Any:
        """A JSON argument: already decoded in a JSON body, a string in forms and query strings."""
        value = self.args.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(error) from None
        return value

    def id_list(self, name: str) -> list[str]:
        value = self.args.get(name)
        if isinstance(value, list):
            return [str(v) for v in value]
        return [v.strip() for v in self.text(name).split(",") if v.strip()]

    # -- lookups ---------------------------------------------------------------------------

    def user(self, name: str = "user", default_to_me: bool = False) -> User:
        user_id = self.text(name) or (self.me if default_to_me else "")
        user = self.ws.user(user_id)
        if user is None:
            raise ApiError("user_not_found")
        return user

    def channel(self, name: str = "channel") -> Channel:
        """A conversation the caller may see: private ones and IMs only when a member."""
        channel = self.ws.channel(self.text(name)) if self.text(name) else None
        if channel is None or (channel.is_private and self.me not in channel.members):
            raise ApiError("channel_not_found")
        return channel

    def limit(self, default: int, *, below: int | None = None) -> int:
        """The `limit` argument. `below`: the reference says "Must be an integer under <below>",
        and anything else answers invalid_limit (as does a negative or non-numeric one)."""
        value = self.args.get("limit")
        if value is None or value == "":
            return default
        try:
            number = int(str(value))
        except ValueError:
            raise ApiError("invalid_limit") from None
        if number < 0 or (below is not None and number >= below):
            raise ApiError("invalid_limit")
        return number or default

    def page(self, items: Sequence[T], default_limit: int = 100, max_limit: int = 1000,
             limit: int | None = None) -> tuple[list[T], str]:
        """One page of items and the next cursor ("" on the last page). Limits past `max_limit`
        are cut to it, as Slack does where its reference names a maximum but no error."""
        if limit is None:
            limit = self.number("limit", default_limit) or default_limit
        limit = max(1, min(limit, max_limit))
        cursor = self.text("cursor")
        try:
            start = decode_cursor(cursor) if cursor else 0
        except ValueError:
            raise ApiError("invalid_cursor") from None
        chunk = list(items[start:start + limit])
        end = start + len(chunk)
        return chunk, encode_cursor(end) if end < len(items) else ""
