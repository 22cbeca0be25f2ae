"""Tokens the emulator issues and what each one stands for."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

# "config": an app configuration token (xoxe.xoxp-…), which only the App Manifest APIs take.
TokenKind = Literal["bot", "user", "app", "config"]


@dataclass(frozen=True)
class TokenInfo:
    token: str
    kind: TokenKind
    user_id: str  # the bot user for bot and app tokens
    scopes: frozenset[str] | None = None  # None: every scope (the emulator's own tokens)
    expires: float | None = None  # with token rotation: when Slack stops taking it (token_expired)


@dataclass(frozen=True)
class Grant:
    """What a user approved on the authorize page, waiting to be redeemed with oauth.v2.access."""

    user_id: str
    redirect_uri: str | None = None
    user_scopes: frozenset[str] | None = None  # None: the emulator's default user scopes, unrestricted
    bot_scopes: frozenset[str] = frozenset({"commands", "chat:write"})


def _digits(n: int) -> str:
    return str(secrets.randbelow(9 * 10 ** (n - 1)) + 10 ** (n - 1))


class Tokens:
    def __init__(self, app_id: str) -> None:
        self.app_id = app_id
        self._tokens: dict[str, TokenInfo] = {}
        self._codes: dict[str, Grant] = {}
        self._refresh: dict[str, TokenInfo] = {}  # refresh token -> what the next access token stands for

    def issue(self, kind: TokenKind, user_id: str, scopes: frozenset[str] | None = None) -> str:
        if kind == "bot":
            token = f"xoxb-{_digits(12)}-{_digits(13)}-{secrets.token_urlsafe(18)[:24]}"
        elif kind == "user":
            token = f"xoxp-{_digits(12)}-{_digits(12)}-{_digits(13)}-{secrets.token_hex(16)}"
        elif kind == "app":
            token = f"xapp-1-{self.app_id}-{_digits(13)}-{secrets.token_hex(32)}"
        else:
            # Slack's config-token guide shows the access token as "xoxe.xoxp-..." (its refresh
            # token, "xoxe-...", is for tooling.tokens.rotate, which the emulator does not have).
            token = f"xoxe.xoxp-1-{secrets.token_urlsafe(48)}"
        self._tokens[token] = TokenInfo(token, kind, user_id, scopes)
        return token

    def issue_for_execution(self, user_id: str, scopes: frozenset[str] | None) -> str:
        """The bot token a workflow step's run comes with (`bot_access_token` of function_executed):
        the bot's own access, spelt `xwfp-…` as bolt-python's tests spell it."""
        token = f"xwfp-{_digits(13)}-{_digits(13)}-{_digits(13)}-{secrets.token_hex(16)}"
        self._tokens[token] = TokenInfo(token, "bot", user_id, scopes)
        return token

    def issue_rotating(self, kind: TokenKind, user_id: str, scopes: frozenset[str] | None,
                       expires: float) -> tuple[str, str]:
        """An expiring access token and its refresh token, as with token rotation switched on.

        Slack's token rotation guide: the access token reads `xoxe.xoxb-1-…` (or `xoxe.xoxp-1-…`),
        expires after 12 hours, and the refresh token (`xoxe-1-…`) is spent by the exchange that
        returns the next pair."""
        prefix = "xoxb" if kind == "bot" else "xoxp"
        token = f"xoxe.{prefix}-1-{secrets.token_urlsafe(48)}"
        self._tokens[token] = TokenInfo(token, kind, user_id, scopes, expires)
        refresh = f"xoxe-1-{secrets.token_hex(40)}"
        self._refresh[refresh] = self._tokens[token]
        return token, refresh

    def knows(self, secret: str) -> bool:
        """Whether a token, an OAuth code or a refresh token was issued here (by this workspace)."""
        return secret in self._tokens or secret in self._codes or secret in self._refresh

    def spend_refresh(self, refresh: str) -> TokenInfo | None:
        """What a refresh token renews; a refresh token works once."""
        return self._refresh.pop(refresh, None)

    def revoke_all(self, kinds: frozenset[TokenKind]) -> list[TokenInfo]:
        """Revoke every token of these kinds and every refresh token (the app was uninstalled)."""
        gone = [info for info in self._tokens.values() if info.kind in kinds]
        for info in gone:
            del self._tokens[info.token]
        self._refresh.clear()
        return gone

    def restrict(self, token: str, scopes: frozenset[str] | None) -> None:
        info = self._tokens[token]
        self._tokens[token] = TokenInfo(info.token, info.kind, info.user_id, scopes, info.expires)

    def get(self, token: str) -> TokenInfo | None:
        return self._tokens.get(token)

    def revoke(self, token: str) -> None:
        self._tokens.pop(token, None)

    def issue_code(self, user_id: str, grant: Grant | None = None) -> str:
        """An OAuth authorization code, as if `user_id` had just approved the app."""
        code = f"{_digits(12)}.{_digits(13)}.{secrets.token_hex(32)}"
        self._codes[code] = grant or Grant(user_id)
        return code

    def redeem_code(self, code: str) -> Grant | None:
        """What was approved behind a code; a code works once, like Slack's."""
        return self._codes.pop(code, None)
