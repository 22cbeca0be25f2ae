"""Signed links that let one member into a feature's web pages, and the session they open.

A feature that serves pages about things only some members may see (a training run's page)
cannot make them public, and Slack offers no login for a bot's own web pages. So the member asks
in Slack (a button, a command), and the feature answers them, and only them, with a link:

    url = ctx.links.url(inv.user, "/training/runs/abc", enter="/training/enter")

The link carries a token: the member, the page it leads to, an expiry and the workspace (in clear,
so with many workspaces Sloth knows whose key to check it with), signed with a key
derived from SLOTH_SECRET_KEY for this workspace and feature alone (a feature never sees the
secret itself, and one feature's or workspace's links never open another's pages). The
feature's `enter` route checks it with `enter(request)`, which answers with a session cookie
(HttpOnly, SameSite=Lax, Secure behind https, scoped to the feature's path) and a redirect to
the page, so the token does not stay in the address bar or in a Referer. Each later request
names its member with `member(request)`; whether that member may see what they ask for is the
feature's to check on every request.

Anyone holding a link is let in as its member until it expires: a link is sent only where its
member alone sees it (an ephemeral answer, a DM), and lives an hour by default.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from aiohttp import web

LINK_TTL = 3600.0  # an hour to open a link
SESSION_TTL = 12 * 3600.0  # a working day in the pages, then a fresh link from Slack
MAX_TOKEN = 2048
TEAM_ID = re.compile(r"[A-Z0-9]{1,32}")


class LinkRefused(Exception):
    """A token that does not let anyone in; the message says why (never the token)."""


@dataclass(frozen=True)
class Pass:
    member: str
    path: str
    expires: float


class MemberLinks:
    """One feature's signed links and sessions; `clock` is the feature's (`ctx.clock`)."""

    def __init__(self, secret: str, feature: str, public_url: Callable[[], str],
                 clock: Callable[[], float] = time.time, team: str = "") -> None:
        # A key per workspace and feature: a member ID means someone else in another workspace.
        purpose = f"sloth member links:{team}:{feature}"
        self.team = team
        self._key = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
        self.feature = feature
        self.cookie = cookie_of(feature)
        self.public_url = public_url
        self.clock = clock

    def token(self, member: str, path: str, ttl: float = LINK_TTL, kind: str = "link") -> str:
        if not path.startswith("/") or path.startswith("//"):
            raise ValueError("a member link leads to a path of Sloth's own, e.g. /training/runs")
        # The workspace in clear (signed, not secret): with many workspaces it says whose key checks the rest.
        claims = {"k": kind, "w": self.team, "m": member, "p": path, "e": int(self.clock() + ttl)}
        body = json.dumps(claims, separators=(",", ":"))
        encoded = _b64(body.encode())
        return f"{encoded}.{self._mac(encoded)}"

    def url(self, member: str, path: str, *, enter: str, ttl: float = LINK_TTL) -> str:
        """The link to send `member` (and only them): it opens `path` through the `enter` route."""
        return f"{self.public_url()}{enter}?t={quote(self.token(member, path, ttl))}"

    def open(self, token: str, kind: str = "link") -> Pass:
        """What a token lets in; LinkRefused when it is not this feature's, is damaged or has expired."""
        if not token or len(token) > MAX_TOKEN or not token.isascii():
            raise LinkRefused("the link is not one of Sloth's")
        body, _, mac = token.partition(".")
        if not body or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            raise LinkRefused("the link is not one of Sloth's (or not for these pages)")
        try:
            data = json.loads(_unb64(body))
            found = Pass(str(data["m"]), str(data["p"]), float(data["e"]))
        except (ValueError, KeyError, TypeError) as e:
            raise LinkRefused("the link is damaged") from e
        if data.get("k") != kind:
            raise LinkRefused("the link is of another kind")
        if found.expires < self.clock():
            raise LinkRefused("the link has expired")
        return found

    def enter(self, request: web.Request, cookie_path: str) -> web.Response:
        """The answer to a link being opened: a session cookie and a redirect to its page, or 403."""
        from aiohttp import web

        try:
            opened = self.open(request.query.get("t", ""))
        except LinkRefused as refused:
            return refusal(str(refused))
        session = self.token(opened.member, cookie_path, SESSION_TTL, kind="session")
        answer = web.Response(status=303, headers={"Location": opened.path, "Cache-Control": "no-store",
                                                   "Referrer-Policy": "no-referrer"})
        answer.set_cookie(self.cookie, session, max_age=int(SESSION_TTL), path=cookie_path, httponly=True,
                          samesite="Lax", secure=self.public_url().startswith("https://"))
        return answer

    def member(self, request: web.Request) -> str | None:
        """The member whose session the request carries, or None (no cookie, forged, expired)."""
        try:
            return self.open(request.cookies.get(self.cookie, ""), kind="session").member
        except LinkRefused:
            return None

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def cookie_of(feature: str) -> str:
    """The name of the cookie that holds a member's session in `feature`'s pages."""
    return f"sloth_{feature}"


def team_of(token: str) -> str | None:
    """The workspace a token says it is for, unchecked: only whose key to check it with, so nothing
    it says is trusted before that workspace's `open` passed."""
    body = token.partition(".")[0]
    if not token or len(token) > MAX_TOKEN or not token.isascii() or not body:
        return None
    try:
        team = json.loads(_unb64(body)).get("w")
    except (ValueError, AttributeError):
        return None
    return team if isinstance(team, str) and TEAM_ID.fullmatch(team) else None


def refusal(reason: str, status: int = 403) -> web.Response:
    """A plain page saying why, and how to get in: never the page itself."""
    from aiohttp import web

    text = (f"Sloth cannot show this page: {reason}.\n\n"
            "Ask Sloth in Slack for a fresh link: a link is for the member it was sent to, and only for a while.\n")
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
