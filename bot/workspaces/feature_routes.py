"""Features' own routes with many workspaces: the workspace a request is for, from its bearer token.

A route declared with a bearer setting (`http(..., bearer="monitor_token")`) is served: the token
the request carries must be one a workspace's admin issued for that feature (`route_tokens`), and
the handler runs with that workspace's context, its setting holding the token the request proved
(so the feature's own check passes for it and for nothing else). A token of another feature, one
revoked or never issued, or one of a workspace where Sloth is no longer installed is refused 401
before any feature code runs.

A route with no bearer setting (a feature's web pages) is served to a member who carries the
feature's signed link (`?t=`) or the session it opened (bot.features.member_links): the token
names its workspace in clear, and is checked with that workspace's key for the feature before the
handler runs in that workspace's context. A token that names another workspace than the one whose
key signed it does not pass; a request with neither names no workspace: `not_served`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.config.feature_settings import Config
from bot.features.context import Context
from bot.features.member_links import LinkRefused, cookie_of, refusal, team_of
from bot.features.registry import Feature
from bot.features.router import RouteHandler
from bot.workspaces.install_pages import not_served
from bot.workspaces.route_tokens import RouteTokens
from bot.workspaces.serving import Workspaces

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Bind = Callable[[Context, RouteHandler], Handler]


def workspace_route(workspaces: Workspaces, tokens: RouteTokens, feature: Feature, setting: str,
                    handler: RouteHandler, bind: Bind) -> Handler:
    async def route(request: web.Request) -> web.StreamResponse:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            return refused("missing bearer token (Authorization: Bearer <token>); a workspace's admin issues one "
                           f"with `{workspaces.settings.command} token {feature.name}`")
        issued = await tokens.find(given)
        if issued is None or issued.feature != feature.name:
            return refused(f"unknown or revoked token: a workspace's admin issues one with "
                           f"`{workspaces.settings.command} token {feature.name}`")
        served = await workspaces.serve(issued.team)
        if served is None:
            return refused("this token's workspace no longer has Sloth installed")
        ctx = served.core.of(feature.name)
        proved = dataclasses.replace(ctx, config=Config(feature.name, {**ctx.config, setting: given}))
        return await bind(proved, handler)(request)

    return route


def member_route(workspaces: Workspaces, feature: Feature, handler: RouteHandler, bind: Bind) -> Handler:
    async def route(request: web.Request) -> web.StreamResponse:
        link = request.query.get("t")
        token, kind = (link, "link") if link is not None else (request.cookies.get(cookie_of(feature.name)), "session")
        if not token:
            return await not_served(request)
        team = team_of(token)
        served = await workspaces.serve(team) if team is not None else None
        if served is None:
            return refusal("the link is not one of Sloth's, or its workspace no longer has Sloth installed")
        ctx = served.core.of(feature.name)
        try:
            if ctx.links is None:
                raise LinkRefused("this Sloth signs no links (it has no SLOTH_SECRET_KEY)")
            ctx.links.open(token, kind)
        except LinkRefused as e:
            return refusal(str(e))
        return await bind(ctx, handler)(request)

    return route


def refused(reason: str) -> web.Response:
    # JSON with `error`, as the feature's own refusals: a client shows the reason (sloth_monitor does).
    return web.json_response({"ok": False, "error": reason}, status=401,
                             headers={"WWW-Authenticate": 'Bearer realm="sloth"', "Cache-Control": "no-store"})
