"""A view's `private_metadata`, sealed: where a form was opened, for whom, and what it runs.

Slack hands `private_metadata` back with the submission exactly as the app set it; a member's
client never sees or changes it. Only Slack (or whoever holds Sloth's signing secret in HTTP
mode) can send a submission at all, so this is defence in depth: a submission is taken only
with metadata Sloth itself sealed, for the member who submits it, before it expires. Sealing
(HMAC-SHA256, `<payload>.<mac>` in base64url) needs no store, so the socket thread can check a
submission in its ack without waiting for anything, and a submission reaching another replica
is read the same way. The key comes from SLOTH_SECRET_KEY, else from the bot token: both are
secret and the same in every replica.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from typing import Literal

from bot.pure.views import MAX_PRIVATE_METADATA

VIEW_TTL = 12 * 3600.0  # a form left open over lunch still works; its answer may then come by the Web API
Purpose = Literal["pick", "form"]
Via = Literal["slash", "shortcut"]


class SealError(Exception):
    """Metadata Sloth did not seal, or sealed for another purpose, or that has expired."""


@dataclass(frozen=True)
class Origin:
    """Where a view was opened and for whom: what answering its submission needs."""

    user: str
    via: Via = "slash"
    channel: str = ""  # "" after the global shortcut: the answer goes to the member's DM with Sloth
    thread: str | None = None
    team: str | None = None
    response_url: str | None = None  # the slash command's: the answer goes where its answer would
    purpose: Purpose = "pick"
    command: str = ""  # the command a form runs
    admin: bool = False  # offered admin-only commands (checked again when the command runs)
    expires: float = 0.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sealer:
    def __init__(self, secret: str, ttl: float = VIEW_TTL) -> None:
        self._key = hmac.new(secret.encode(), b"sloth view metadata", hashlib.sha256).digest()
        self.ttl = ttl

    def seal(self, origin: Origin, now: float) -> str:
        data = {**asdict(origin), "expires": int(now + self.ttl)}
        body = _b64(json.dumps(data, separators=(",", ":")).encode())
        sealed = f"{body}.{self._mac(body)}"
        if len(sealed) > MAX_PRIVATE_METADATA:
            raise ValueError("the view's origin does not fit in private_metadata")
        return sealed

    def open(self, sealed: object, now: float, purpose: Purpose) -> Origin:
        """The origin sealed in `sealed`; SealError, saying why, when it is not Sloth's, not for
        `purpose`, or expired."""
        if not isinstance(sealed, str) or not sealed.isascii():
            raise SealError("the view's metadata is not Sloth's")
        body, _, mac = sealed.partition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            raise SealError("the view's metadata is not Sloth's")
        try:
            origin = Origin(**json.loads(_unb64(body)))
        except (ValueError, TypeError) as e:
            raise SealError("the view's metadata is damaged") from e
        if origin.purpose != purpose:
            raise SealError(f"the view's metadata is for a {origin.purpose}, not a {purpose}")
        if origin.expires < now:
            raise SealError("the view has expired")
        return origin

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
