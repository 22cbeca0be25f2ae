"""Checking who calls a feature's HTTP route: a bearer token, or a webhook's HMAC signature.

    from bot.api import Signature, require_bearer, require_signature

    GITHUB = Signature("X-Hub-Signature-256", prefix="sha256=")
    SLACK = Signature("X-Slack-Signature", prefix="v0=", timestamp_header="X-Slack-Request-Timestamp",
                      signed="v0:{timestamp}:{body}")

    @router.http("POST", "/deploys/hook")
    async def hook(ctx, request):
        body = await require_signature(request, ctx.config.webhook_secret, GITHUB)

    GITHUB.sign("the secret", body)   # the headers a sender adds: {"X-Hub-Signature-256": "sha256=…"}

Each raises aiohttp's HTTPUnauthorized (401, with the reason as plain text) when the request
does not prove itself, and HTTPForbidden (403) when the route has no secret configured, so a
route with an unset secret refuses everyone instead of accepting an empty token. Secrets are
compared in constant time, as digests of equal length, so neither a value nor a length can be
told from how long a refusal takes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NoReturn

if TYPE_CHECKING:
    from aiohttp import web

MAX_SIGNATURES = 8  # signatures read from one header (a sender rotating secrets sends a few)


@dataclass(frozen=True)
class Signature:
    """How a sender signs its webhooks: an HMAC of the body (and a timestamp) in a header.

    `signed` is what the HMAC covers, `{body}` the raw body and `{timestamp}` the timestamp header's
    value as sent. With `separator`, the header may carry several signatures (PagerDuty: `v1=…,v1=…`);
    any one matching is enough. A sender that signs no timestamp (GitHub, PagerDuty) leaves
    `timestamp_header` empty: such a request can be replayed, so keep its delivery id and refuse repeats.
    """

    header: str  # e.g. "X-Hub-Signature-256", "X-Slack-Signature"
    algorithm: str = "sha256"  # any hashlib name: "sha1", "sha256", "sha512"
    prefix: str = ""  # before the digest: "sha256=", "v0="
    timestamp_header: str = ""  # e.g. "X-Slack-Request-Timestamp" (Unix seconds)
    signed: str = "{body}"  # e.g. "v0:{timestamp}:{body}"
    window: float = 300.0  # seconds the timestamp may be from now, either way
    encoding: Literal["hex", "base64"] = "hex"
    separator: str = ""

    def __post_init__(self) -> None:
        hashlib.new(self.algorithm)  # ValueError for an algorithm hashlib does not know
        if self.signed.count("{body}") != 1:
            raise ValueError("Signature.signed must contain {body} once")
        if bool(self.timestamp_header) != ("{timestamp}" in self.signed):
            raise ValueError("a timestamp header must be signed ({timestamp} in Signature.signed), and only then")

    def expected(self, secret: bytes, timestamp: str, body: bytes) -> bytes:
        before, _, after = self.signed.replace("{timestamp}", timestamp).partition("{body}")
        return hmac.new(secret, before.encode() + body + after.encode(), self.algorithm).digest()

    def sign(self, secret: str | bytes, body: bytes, timestamp: float | None = None) -> dict[str, str]:
        """The headers a sender signing this way adds to `body`: the signature, and the timestamp
        (`timestamp`, else now) when it signs one. For a test of a route, or a sender of one's own."""
        key = secret.encode() if isinstance(secret, str) else secret
        headers: dict[str, str] = {}
        stamp = ""
        if self.timestamp_header:
            stamp = headers[self.timestamp_header] = str(int(time.time() if timestamp is None else timestamp))
        digest = self.expected(key, stamp, body)
        shown = digest.hex() if self.encoding == "hex" else base64.b64encode(digest).decode("ascii")
        headers[self.header] = self.prefix + shown
        return headers

    def given(self, header: str) -> list[bytes]:
        """The signatures the header carries, decoded; anything undecodable is left out."""
        parts = header.split(self.separator) if self.separator else [header]
        found = []
        for part in parts[:MAX_SIGNATURES]:
            part = part.strip()
            if not part.startswith(self.prefix):
                continue
            digest = part[len(self.prefix):]
            try:
                found.append(bytes.fromhex(digest) if self.encoding == "hex"
                             else base64.b64decode(digest.encode("ascii"), validate=True))
            except (ValueError, binascii.Error):  # UnicodeError is a ValueError
                continue
        return found


def require_bearer(request: web.Request, token: str | None, *, realm: str = "sloth") -> None:
    """Returns if the request carries `Authorization: Bearer <token>`; otherwise raises 401 (403 if
    `token` is empty or None, as an unset setting is: the route is switched off)."""
    if not token:
        _forbidden()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": f'Bearer realm="{realm}"'}
    if scheme.lower() != "bearer" or not given.strip():
        _unauthorized("missing bearer token (Authorization: Bearer <token>)", challenge)
    if not _same(given.strip().encode(errors="surrogateescape"), token.encode()):
        _unauthorized("wrong bearer token", challenge)


async def require_signature(request: web.Request, secret: str | bytes | None, signature: Signature, *,
                            now: float | None = None) -> bytes:
    """The request's body, once its signature is checked; otherwise raises 401 with the reason (403
    if `secret` is empty or None). `now` defaults to the wall clock (a feature may pass `ctx.clock()`)."""
    if not secret:
        _forbidden()
    key = secret.encode() if isinstance(secret, str) else secret
    challenge = {"WWW-Authenticate": f'Signature realm="{signature.header}"'}
    header = request.headers.get(signature.header, "")
    if not header:
        _unauthorized(f"missing {signature.header} header", challenge)
    timestamp = ""
    if signature.timestamp_header:
        timestamp = request.headers.get(signature.timestamp_header, "")
        try:
            when = float(timestamp)
        except ValueError:
            when = math.nan
        if not math.isfinite(when):
            _unauthorized(f"missing or malformed {signature.timestamp_header} header (Unix seconds)", challenge)
        if abs((time.time() if now is None else now) - when) > signature.window:
            _unauthorized(f"{signature.timestamp_header} is more than {signature.window:g} s from now "
                          "(a replayed request, or clocks apart)", challenge)
    body = await request.read()
    expected = signature.expected(key, timestamp, body)
    matched = False
    for given in signature.given(header):  # every one compared: no early exit to time
        matched |= _same(given, expected)
    if not matched:
        _unauthorized(f"{signature.header} does not match the body", challenge)
    return body


def _same(given: bytes, expected: bytes) -> bool:
    """Constant-time equality, lengths included: both sides hashed to 32 bytes first."""
    return hmac.compare_digest(hashlib.sha256(given).digest(), hashlib.sha256(expected).digest())


def _unauthorized(reason: str, headers: dict[str, str]) -> NoReturn:
    from aiohttp import web

    raise web.HTTPUnauthorized(text=reason + "\n", headers=headers)


def _forbidden() -> NoReturn:
    from aiohttp import web

    raise web.HTTPForbidden(text="This route is switched off: its secret is not set.\n")
