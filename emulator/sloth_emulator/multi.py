"""One app in several workspaces: Slack as a distributed app meets it, at one address.

Each workspace is an `Emulator` of its own (its people, channels, tokens); what belongs to the
app is the same in all of them, as on Slack: the app ID, the client ID and secret, the signing
secret. One server answers for every workspace and sends each request to the workspace it
belongs to: a Web API call by its token (or its OAuth code or refresh token), an upload, a
response_url or a file by what the workspace issued. The authorize page asks which workspace to
install in unless `team=` names one, as Slack's own asks. No workspace has a bot token until the
app is installed there (oauth.v2.access). Requests reach the app over HTTP (`use_request_url`):
Socket Mode is not offered for several workspaces here.
"""

from __future__ import annotations

import html
import logging
from types import TracebackType
from typing import Any

from aiohttp import web

from sloth_emulator import server
from sloth_emulator.emulator import Emulator
from sloth_emulator.oauth import authorize
from sloth_emulator.workspace import Workspace

log = logging.getLogger(__name__)


class MultiWorkspace:
    def __init__(self, *workspaces: Workspace, **options: Any) -> None:
        if len({ws.team.id for ws in workspaces}) != len(workspaces) or not workspaces:
            raise ValueError("one or more workspaces, each with a team ID of its own")
        if len({ws.app_id for ws in workspaces}) != 1:
            raise ValueError("one app: every workspace must name the same app ID")
        self.emulators = [Emulator(ws, **options) for ws in workspaces]
        first = self.emulators[0]
        for emu in self.emulators:
            emu.client_id, emu.client_secret = first.client_id, first.client_secret
            emu.outbound.signing_secret = first.outbound.signing_secret
            emu.tokens.revoke(emu.bot_token)  # not installed yet: an install grants the bot token
        self.host, self.port = "127.0.0.1", 0
        self._runner: web.AppRunner | None = None

    def __getitem__(self, team_id: str) -> Emulator:
        for emu in self.emulators:
            if emu.team_id == team_id:
                return emu
        raise KeyError(team_id)

    @property
    def client_id(self) -> str:
        return self.emulators[0].client_id

    @property
    def client_secret(self) -> str:
        return self.emulators[0].client_secret

    @property
    def signing_secret(self) -> str:
        return self.emulators[0].outbound.signing_secret

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}api/"

    def holding(self, secret: str | None) -> Emulator:
        """The workspace that issued a token, code or refresh token (the first when none did,
        which then refuses it as Slack would)."""
        return next((emu for emu in self.emulators if secret and emu.tokens.knows(secret)), self.emulators[0])

    async def use_request_url(self, url: str) -> None:
        for emu in self.emulators:
            await emu.use_request_url(url)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> MultiWorkspace:
        self._runner = web.AppRunner(self._app(), shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.host, self.port = host, int(self._runner.addresses[0][1])
        for emu in self.emulators:
            emu.host, emu.port = self.host, self.port  # links each workspace hands out name this server
        return self

    async def stop(self) -> None:
        for emu in self.emulators:
            await emu.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> MultiWorkspace:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    def _by(self, found: Any) -> Emulator:
        return next((emu for emu in self.emulators if found(emu)), self.emulators[0])

    def _app(self) -> web.Application:
        async def api(request: web.Request) -> web.Response:
            args = await server.read_args(request)
            token = server.request_token(request, args)
            key = token or str(args.get("code") or args.get("refresh_token") or "")
            return await server.api(self.holding(key), request, args, token)

        async def upload(request: web.Request) -> web.Response:
            key = request.match_info["key"]
            return await server.upload(self._by(lambda emu: key in emu.uploads), request)

        async def response_url(request: web.Request) -> web.Response:
            target = request.match_info["id"]
            return await server.response_url(self._by(lambda emu: target in emu.response_urls.targets), request)

        async def download(request: web.Request) -> web.Response:
            team = request.match_info["team_file"].split("-", 1)[0]
            return await server.download(self._by(lambda emu: emu.team_id == team), request)

        async def authorize_page(request: web.Request) -> web.Response:
            team = request.query.get("team")
            if team:
                if not any(emu.team_id == team for emu in self.emulators):
                    return web.Response(status=400, text="invalid_team")
                return await authorize(self[team], request)
            return self._choose_page(request)

        app = web.Application(client_max_size=server.MAX_BODY)
        app.router.add_route("*", "/api/{method}", api)
        app.router.add_post("/upload/v1/{key}", upload)
        app.router.add_post("/response/{id}", response_url)
        app.router.add_get("/files-pri/{team_file}/{name}", download)
        app.router.add_get("/files-pri/{team_file}/download/{name}", download)
        app.router.add_get("/oauth/v2/authorize", authorize_page)
        return app

    def _choose_page(self, request: web.Request) -> web.Response:
        """Slack's "choose a workspace" step: each link is this page again with `team=`."""
        links = []
        for emu in self.emulators:
            query = {**request.query, "team": emu.team_id}
            target = html.escape(str(request.rel_url.with_query(query)))
            links.append(f"<li><a href='{target}'>{html.escape(emu.workspace.team.name)}</a></li>")
        body = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Choose a workspace</title></head><body>"
                f"<h1>Choose a workspace</h1><ul>{''.join(links)}</ul></body></html>")
        return web.Response(text=body, content_type="text/html")
