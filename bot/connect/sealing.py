"""Keys from SLOTH_SECRET_KEY: sealed user tokens and signed OAuth `state` values.

One secret, one derived key per purpose (HKDF), so a leaked state signature says nothing about
the token encryption key. Tokens are sealed with Fernet (AES-128-CBC + HMAC-SHA256) together
with the user they belong to: a sealed token copied onto another user's record does not open.
A `state` names the user who asked to connect, expires, and carries a nonce that is spent once.

`cryptography` is imported on first use, not with this module: it adds about 7 MB to a process
that may never seal a token (nobody connects, or the OAuth side is off).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

STATE_TTL = 600.0  # ten minutes to click the link and approve


class SealError(Exception):
    """A sealed value or a state that does not open; the message says why (never the value)."""


def derive_key(secret: str, purpose: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(secret.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenBox:
    """Encrypts user tokens at rest, each bound to its user (or, for the installations' bot
    tokens, `purpose="sloth bot tokens"`, each bound to its workspace)."""

    def __init__(self, secret: str, purpose: str = "sloth user tokens") -> None:
        from cryptography.fernet import Fernet

        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret, purpose)))

    def seal(self, user: str, token: str) -> str:
        return self._fernet.encrypt(json.dumps({"u": user, "t": token}).encode()).decode()

    def open(self, user: str, sealed: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            data = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError) as e:
            raise SealError("the sealed token does not open with this SLOTH_SECRET_KEY") from e
        if data.get("u") != user:
            raise SealError("the sealed token belongs to another user")
        return str(data["t"])


@dataclass(frozen=True)
class State:
    user: str
    team: str
    nonce: str
    expires: float


class StateSigner:
    """Makes and checks OAuth `state` values: `<payload>.<HMAC-SHA256>`, both base64url."""

    def __init__(self, secret: str, ttl: float = STATE_TTL) -> None:
        self._key = derive_key(secret, "sloth oauth state")
        self.ttl = ttl

    def sign(self, user: str, team: str, now: float) -> str:
        payload = {"u": user, "t": team, "n": secrets.token_urlsafe(12), "e": int(now + self.ttl)}
        body = _b64(json.dumps(payload, separators=(",", ":")).encode())
        return f"{body}.{self._mac(body)}"

    def read(self, state: str, now: float) -> State:
        body, _, mac = state.partition(".")
        # Only ASCII can be one: compare_digest raises TypeError on a str that is not.
        if not body or not state.isascii() or not hmac.compare_digest(mac, self._mac(body)):
            raise SealError("the link is not one Sloth made")
        try:
            data = json.loads(_unb64(body))
            found = State(str(data["u"]), str(data["t"]), str(data["n"]), float(data["e"]))
        except (ValueError, KeyError, TypeError) as e:
            raise SealError("the link is damaged") from e
        if found.expires < now:
            raise SealError("the link has expired")
        return found

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
