"""`/slack/install` and `/slack/oauth_redirect` with many workspaces: installing Sloth, and members'
own `connect` in whichever workspace they are.

`/slack/install` without a `state` installs the bot: Sloth signs a state naming no member, keeps
a copy in a cookie (the redirect completes only in the browser that started it) and sends the
browser to Slack's authorize page with the manifest's bot scopes. The redirect spends the state's
nonce in the shared store, so a state works once across every replica (slack_sdk's stateless
state store would take it again), redeems the code, and keeps the installation. A link that
`connect` made for a member names the member and their workspace: it goes to the `connect`
pages of that workspace, as with one workspace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.errors import SlackApiError

from bot.config.settings import Settings
from bot.connect.pages import COOKIE_PATH, STATE_COOKIE, STATE_SHAPE, page
from bot.connect.sealing import STATE_TTL, SealError, State, StateSigner
from bot.features.registry import Registry
from bot.store import Namespaced, Store
from bot.workspaces.installations import Installation
from bot.workspaces.serving import Workspaces

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
INSTALL, REDIRECT = ("GET", "/slack/install"), ("GET", "/slack/oauth_redirect")
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class InstallPages:
    def __init__(self, settings: Settings, registry: Registry, store: Store, workspaces: Workspaces,
                 bot_scopes: list[str], clock: Callable[[], float]) -> None:
        assert settings.secret_key, "checked by the settings"
        self.settings, self.registry, self.workspaces, self.clock = settings, registry, workspaces, clock
        self.signer = StateSigner(settings.secret_key)
        self.spent = Namespaced(store, "install_state")
        self.bot_scopes = bot_scopes

    def routes(self) -> dict[tuple[str, str], Handler]:
        return {INSTALL: self.install, REDIRECT: self.redirect}

    @property
    def redirect_uri(self) -> str:
        return f"{self.settings.public_url}/slack/oauth_redirect"

    async def install(self, request: web.Request) -> web.StreamResponse:
        if "state" in request.query:
            return await self._member(INSTALL, request)
        raw = self.signer.sign("", "", self.clock())
        query = {"client_id": self.settings.client_id, "scope": ",".join(self.bot_scopes),
                 "redirect_uri": self.redirect_uri, "state": raw}
        response = web.Response(status=302, headers={"Location": f"{self.settings.authorize_url}?{urlencode(query)}",
                                                     **HEADERS})
        response.set_cookie(STATE_COOKIE, raw, max_age=int(STATE_TTL), path=COOKIE_PATH, httponly=True,
                            samesite="Lax", secure=self.settings.public_url.startswith("https://"))
        return response

    async def redirect(self, request: web.Request) -> web.StreamResponse:
        state = self._state(request)
        if isinstance(state, web.Response):
            return state
        if state.user:
            return await self._member(REDIRECT, request)
        raw = request.query["state"]
        if request.cookies.get(STATE_COOKIE) != raw:
            return page(400, "Please start again", "This browser did not start this installation. "
                        "Open /slack/install again.")
        if not await self.spent.add(state.nonce, True, ttl=2 * STATE_TTL):
            return page(400, "This link was already used", "Open /slack/install again to install Sloth.")
        if request.query.get("error"):
            response = page(200, "Nothing was installed", "You did not allow Sloth in, so nothing changed.")
        else:
            response = await self._finish(request.query.get("code", ""))
        response.del_cookie(STATE_COOKIE, path=COOKIE_PATH)
        return response

    def _state(self, request: web.Request) -> State | web.Response:
        given = request.query.getall("state", [])
        if len(given) != 1 or not STATE_SHAPE.fullmatch(given[0]):
            return page(400, "This link cannot be used", "This link cannot be used: it is not one Sloth made.")
        try:
            return self.signer.read(given[0], self.clock())
        except SealError as e:
            return page(400, "This link cannot be used", f"This link cannot be used: {e}.")

    async def _member(self, route: tuple[str, str], request: web.Request) -> web.StreamResponse:
        """A member's `connect` link: the connect pages of the workspace the link was made in."""
        state = self._state(request)
        if isinstance(state, web.Response):
            return state
        handler = self.registry.routes.get(route)
        served = await self.workspaces.serve(state.team) if handler is not None else None
        if handler is None or served is None:
            return page(404, "This link cannot be used", "Sloth does not connect accounts in this workspace.")
        return await handler[0](served.core.of(handler[1].name), request)

    async def _finish(self, code: str) -> web.Response:
        if not code:
            return page(400, "Slack sent no approval", "Open /slack/install again.")
        try:
            answer: dict[str, Any] = (await self.workspaces.tokenless.api_call("oauth.v2.access", data={
                "client_id": self.settings.client_id, "client_secret": self.settings.client_secret, "code": code,
                "redirect_uri": self.redirect_uri})).data  # type: ignore[assignment]
        except SlackApiError as e:
            log.warning("oauth.v2.access refused an installation's code: %s", e.response.get("error"))
            return page(400, "Slack did not accept the approval", f"Slack said {e.response.get('error')}. "
                        "Open /slack/install again.")
        team = answer.get("team") or {}
        if not answer.get("access_token") or not team.get("id") or answer.get("is_enterprise_install"):
            return page(400, "Slack granted no bot token", "Sloth installs into one workspace at a time; "
                        "open /slack/install again.")
        expires = answer.get("expires_in")
        found = Installation(
            team_id=str(team["id"]), team_name=str(team.get("name") or ""), bot_token=str(answer["access_token"]),
            bot_user_id=str(answer.get("bot_user_id") or ""), scopes=str(answer.get("scope") or ""),
            installer=str((answer.get("authed_user") or {}).get("id") or ""), installed_at=self.clock(),
            refresh_token=answer.get("refresh_token"),
            expires_at=self.clock() + float(expires) if expires else None)
        await self.workspaces.installations.save(found)
        await self.workspaces.forget(found.team_id)  # a reinstall: served again with the new token
        if await self.workspaces.serve(found.team_id) is None:
            return page(500, "Sloth could not start in this workspace", "The logs say why; try again.")
        log.info("Sloth was installed in %s (%s) by %s", found.team_id, found.team_name, found.installer)
        return page(200, f"Sloth is installed in {found.team_name}", "You can close this tab and go back to Slack.")


async def not_served(request: web.Request) -> web.Response:
    """A request for a feature's own route, with many workspaces, that carries neither a workspace's
    token nor a member's link or session (bot.workspaces.feature_routes): it names no workspace.
    Refused plainly, so the caller's log says why rather than a bare Not Found."""
    return web.Response(status=404, text=(
        f"{request.path} is not served by this Sloth: it serves many workspaces (SLOTH_WORKSPACES=many), "
        "and this request names none. With many workspaces, features' own routes are served only with "
        "a workspace's token (such as training ingest) or a link Sloth sent a member in Slack (such as "
        "a run page's).\n"), headers=HEADERS)
