"""Sloth's OAuth pages: `/slack/install` sends the browser to Slack, `/slack/oauth_redirect` takes it back.

The `state` Sloth signed for one member travels with the browser: `/slack/install` checks it and
keeps a copy in a cookie, so the redirect only completes in the browser that started it; its
nonce is spent once. The token Slack grants is kept only when Slack says it belongs to the member
named in the state; anything else is revoked on the spot and nothing is stored.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.errors import SlackApiError

from bot.connect.commands import revoke
from bot.connect.members import oauth_problem, signer
from bot.connect.sealing import STATE_TTL, SealError, State
from bot.connect.tokens import save_token
from bot.features.context import Context
from bot.features.core import core_of
from bot.features.router import Router
from bot.slack.client import make_client

log = logging.getLogger(__name__)
router = Router()
STATE_COOKIE = "sloth_oauth_state"
COOKIE_PATH = "/slack"
# What `StateSigner.sign` makes: base64url JSON (about 110 characters), a dot, base64url HMAC-SHA256.
STATE_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]{43}")


def redirect_url(ctx: Context) -> str:
    return f"{ctx.settings.public_url}/slack/oauth_redirect"


def page(status: int, title: str, text: str) -> web.Response:
    body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>")
    # The state rides in the URL: keep it out of caches and out of Referer headers.
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return web.Response(status=status, text=body, content_type="text/html", headers=headers)


def switched_off(ctx: Context) -> web.Response | None:
    problem = oauth_problem(core_of(ctx).settings)
    if problem is None:
        return None
    log.warning("OAuth page requested, but connecting is switched off: %s", problem)
    return page(503, "Connecting is switched off", f"This Sloth cannot connect accounts because {problem}.")


def checked_state(ctx: Context, request: web.Request) -> State | web.Response:
    """The request's signed state, or the page that refuses it (connecting off, bad or expired link)."""
    refusal = switched_off(ctx)
    if refusal is not None:
        return refusal
    again = f"Ask Sloth for a new one with {ctx.slash('connect')} in Slack."
    given = request.query.getall("state", [])
    # Anything else (non-ASCII, oversized, repeated, missing) is refused before any decoding.
    if len(given) != 1 or not STATE_SHAPE.fullmatch(given[0]):
        return page(400, "This link cannot be used", f"This link cannot be used: it is not one Sloth made. {again}")
    try:
        return signer(core_of(ctx).settings).read(given[0], ctx.clock())
    except SealError as e:
        return page(400, "This link cannot be used", f"This link cannot be used: {e}. {again}")


@router.http("GET", "/slack/install")
async def install(ctx: Context, request: web.Request) -> web.StreamResponse:
    state = checked_state(ctx, request)
    if isinstance(state, web.Response):
        return state
    raw = request.query.get("state", "")
    core = core_of(ctx)
    query = {"client_id": core.settings.client_id, "user_scope": ",".join(sorted(core.registry.user_scopes())),
             "redirect_uri": redirect_url(ctx), "state": raw, "team": ctx.identity.team_id}
    response = web.Response(status=302, headers={"Location": f"{core.settings.authorize_url}?{urlencode(query)}",
                                                 "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
    response.set_cookie(STATE_COOKIE, raw, max_age=int(STATE_TTL), path=COOKIE_PATH, httponly=True,
                        samesite="Lax", secure=ctx.settings.public_url.startswith("https://"))
    return response


@router.http("GET", "/slack/oauth_redirect")
async def oauth_redirect(ctx: Context, request: web.Request) -> web.StreamResponse:
    state = checked_state(ctx, request)
    if isinstance(state, web.Response):
        return state
    raw = request.query.get("state", "")
    if request.cookies.get(STATE_COOKIE) != raw:
        return page(400, "Please start again from Slack",
                    f"This browser did not start this connection. Use the button from {ctx.slash('connect')}.")
    if not await ctx.store.child("oauth_nonce").add(state.nonce, state.user, ttl=2 * STATE_TTL):
        return page(400, "This link was already used", f"Ask Sloth for a new one with {ctx.slash('connect')}.")
    if request.query.get("error"):
        response = page(200, "Nothing changed", "You did not allow Sloth to act as you, so nothing changed.")
    else:
        response = await finish(ctx, state, request.query.get("code", ""))
    response.del_cookie(STATE_COOKIE, path=COOKIE_PATH)
    return response


async def finish(ctx: Context, state: State, code: str) -> web.Response:
    if not code:
        return page(400, "Slack sent no approval", f"Try {ctx.slash('connect')} again.")
    core = core_of(ctx)
    settings = core.settings
    # Credentials go in the form body (Slack accepts them there or as HTTP Basic auth).
    tokenless = make_client(None, settings.api_url, core.session, core.metrics)
    try:
        granted: dict[str, Any] = (await tokenless.api_call("oauth.v2.access", data={
            "client_id": settings.client_id, "client_secret": settings.client_secret, "code": code,
            "redirect_uri": redirect_url(ctx)})).data  # type: ignore[assignment]
    except SlackApiError as e:
        error = e.response.get("error")
        log.warning("oauth.v2.access refused the code of %s: %s", state.user, error)
        return page(400, "Slack did not accept the approval", f"Slack said {error}. Try {ctx.slash('connect')} again.")
    authed = granted.get("authed_user") or {}
    token, team = authed.get("access_token"), (granted.get("team") or {}).get("id")
    if authed.get("id") != state.user or team != ctx.identity.team_id or state.team != team:
        if token:
            await revoke(core, token)  # never keep (or use) one member's token for another
        log.warning("refused a token of %s (team %s) for a link made for %s", authed.get("id"), team, state.user)
        return page(403, "This link was made for someone else",
                    f"Nothing was saved. Ask Sloth for your own link with {ctx.slash('connect')}.")
    if not token:
        return page(400, "Slack granted no user token", f"Try {ctx.slash('connect')} again.")
    await save_token(core, state.user, token, str(authed.get("scope", "")))
    log.info("%s connected (scopes %s)", state.user, authed.get("scope"))
    ctx.refresh_home(state.user)
    await tell(ctx, state.user)
    return page(200, "Sloth is connected", "You can close this tab and go back to Slack.")


async def tell(ctx: Context, user: str) -> None:
    text = (f"You're connected: Sloth can now set your status (`{ctx.slash('status')}`), pause your "
            f"notifications (`{ctx.slash('snooze')}`) and search for you (`{ctx.slash('search')}`). "
            f"`{ctx.slash('disconnect')}` undoes it.")
    try:
        await ctx.client.chat_postMessage(channel=user, text=text)
    except SlackApiError as e:
        log.warning("could not tell %s they are connected: %s", user, e.response.get("error"))
