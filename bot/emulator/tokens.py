"""Tokens the emulator issues and what each one stands for."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["bot", "user", "app"]


@dataclass(frozen=True)
class TokenInfo:
    token: str
    kind: TokenKind
    user_id: str  # the bot user for bot and app tokens


def _digits(n: int) -> str:
    return str(secrets.randbelow(9 * 10 ** (n - 1)) + 10 ** (n - 1))


class Tokens:
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self._tokens: dict[str, TokenInfo] = {}
        self._codes: dict[str, str] = {}

    def issue(self, kind: TokenKind, user_id: str) -> str:
        if kind == "bot":
            token = f"xoxb-{_digits(12)}-{_digits(13)}-{secrets.token_urlsafe(18)[:24]}"
        elif kind == "user":
            token = f"xoxp-{_digits(12)}-{_digits(12)}-{_digits(13)}-{secrets.token_hex(16)}"
        else:
            token = f"xapp-1-{self.app_id}-{_digits(13)}-{secrets.token_hex(32)}"
        self._tokens[token] = TokenInfo(token, kind, user_id)
        return token

    def get(self, token: str) -> TokenInfo | None:
        return self._tokens.get(token)

    def revoke(self, token: str) -> None:
        self._tokens.pop(token, None)

    def issue_code(self, user_id: str) -> str:
        """An OAuth authorization code, as if `user_id` had just approved the app."""
        code = f"{_digits(12)}.{_digits(13)}.{secrets.token_hex(32)}"
        self._codes[code] = user_id
        return code

    def redeem_code(self, code: str) -> str | None:
        """The user behind a code; a code works once, like Slack's."""
        return self._codes.pop(code, None)
