"""Slack's OAuth v2 authorize page (`/oauth/v2/authorize`), approving at once.

A real browser meets it like Slack's: not signed in, it lists the workspace's people to sign in
as (the `d` cookie stands for Slack's session); signed in, it approves the requested scopes and
sends the browser to `redirect_uri` with `code` and `state` (or `error=access_denied` when the
emulator is told to refuse). Tests and the sandbox set the cookie and follow the redirects.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aiohttp import web

from sloth_emulator.tokens import Grant

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

SESSION_COOKIE = "d"


def _scopes(raw: str) -> frozenset[str]:
    return frozenset(s.strip() for s in raw.replace(" ", ",").split(",") if s.strip())


def _problem(status: int, error: str) -> web.Response:
    return web.Response(status=status, text=f"<!DOCTYPE html><html><body><h1>{error}</h1></body></html>",
                        content_type="text/html")


def _with_query(url: str, values: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(values)


def _sign_in_page(emu: Emulator, request: web.Request) -> web.Response:
    links = []
    for user in emu.workspace.users.values():
        if user.is_human:
            target = html.escape(_with_query(str(request.rel_url), {"sign_in_as": user.id}))
            links.append(f"<li><a href='{target}'>{html.escape(user.real_name)} (@{html.escape(user.name)})</a></li>")
    team = html.escape(emu.workspace.team.name)
    body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sign in to {team}</title></head><body>"
            f"<h1>Sign in to {team}</h1><ul>{''.join(links)}</ul></body></html>")
    return web.Response(text=body, content_type="text/html")


async def authorize(emu: Emulator, request: web.Request) -> web.Response:
    query = request.query
    if query.get("client_id") != emu.client_id:
        return _problem(400, "invalid_client_id")
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")):
        return _problem(400, "bad_redirect_uri")
    user_scopes, bot_scopes = _scopes(query.get("user_scope", "")), _scopes(query.get("scope", ""))
    if not user_scopes and not bot_scopes:
        return _problem(400, "invalid_scope")
    if query.get("team") and query["team"] != emu.team_id:
        return _problem(400, "invalid_team")
    signing_in = query.get("sign_in_as")
    user = emu.workspace.user(signing_in or request.cookies.get(SESSION_COOKIE, ""))
    if user is None or not user.is_human:
        return _sign_in_page(emu, request)
    state = query.get("state", "")
    if emu.oauth_approves:
        code = emu.tokens.issue_code(user.id, Grant(user.id, redirect_uri, user_scopes, bot_scopes))
        location = _with_query(redirect_uri, {"code": code, "state": state})
    else:
        location = _with_query(redirect_uri, {"error": "access_denied", "state": state})
    emu.approvals.append((user.id, location))
    emu.changed()
    response = web.Response(status=302, headers={"Location": location})
    if signing_in:
        response.set_cookie(SESSION_COOKIE, user.id, path="/", httponly=True)
    return response
