"""The runtime's part when it serves many workspaces (`SLOTH_WORKSPACES=many`).

Each installed workspace gets a core of its own, built the first time an envelope or a request
names it (and for every installed workspace at start): its own client and rate budget, directory,
access rules, edit pacing, feature contexts, forms, Home tabs, Bolt app and jobs, all on its part
of the store (`bot.workspaces.serving`). The HTTP side serves the install pages, and each feature
route in the workspace its bearer token was issued in, or whose signed member link it carries
(`bot.workspaces.feature_routes`). The runtime (`bot.runtime.lifecycle`) builds one of these
instead of its single core.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Literal, Protocol

import aiohttp
from slack_bolt.async_app import AsyncApp

from bot.config.settings import Settings
from bot.features.context import Identity
from bot.features.core import Core
from bot.features.jobs import Scheduler
from bot.features.manifest import manifest
from bot.features.registry import Registry
from bot.handling.entry import bind_route, build_app
from bot.handling.home import HomeTabs
from bot.runtime.errors import FatalError
from bot.slack.access import Access
from bot.slack.client import MeteredWebClient, make_client
from bot.slack.directory import Directory
from bot.slack.directory_store import Kept
from bot.slack.fallback import BlockSupport
from bot.store import Namespaced, Store
from bot.views.submissions import Submissions
from bot.work.cpu import Work
from bot.work.metrics import Metrics
from bot.work.supervisor import Supervisor
from bot.workspaces.feature_routes import member_route, workspace_route
from bot.workspaces.install_pages import InstallPages
from bot.workspaces.installations import Installation, Installations
from bot.workspaces.route_tokens import RouteTokens
from bot.workspaces.serving import Served, Workspaces

log = logging.getLogger(__name__)


class Host(Protocol):
    """What a workspace's core is built from: the runtime's shared parts (`bot.runtime.lifecycle.Runtime`)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def store(self) -> Store: ...

    @property
    def client(self) -> MeteredWebClient: ...

    @property
    def session(self) -> aiohttp.ClientSession: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def supervisor(self) -> Supervisor: ...

    @property
    def cpu(self) -> Work: ...

    @property
    def forms(self) -> Submissions: ...

    @property
    def jobs(self) -> Literal["auto", "manual"]: ...

    def clock(self) -> float: ...

    def contexts(self, identity: Identity, cpu: Work, store: Store, client: MeteredWebClient, directory: Directory,
                 access: Access, settings: Settings | None = None) -> Core: ...

    def surfaces(self, core: Core) -> HomeTabs: ...

    async def run_hooks(self, which: str, core: Core) -> None: ...

    def scheduler_for(self, core: Core, store: Store) -> Scheduler: ...


class ManyWorkspaces:
    def __init__(self, runtime: Host) -> None:
        self.runtime = runtime
        settings = runtime.settings
        assert settings.secret_key and settings.client_id, "checked by the settings"
        self.installations = Installations(runtime.store, settings.secret_key, runtime.clock)
        self.route_tokens = RouteTokens(runtime.store, runtime.clock)
        bearing = sorted({feature.name for key, (_, feature) in runtime.registry.routes.items()
                          if key in feature.router.bearers})

        async def uninstalled(team: str) -> None:
            await self.route_tokens.revoke_all(team, bearing)

        self.workspaces = Workspaces(settings, runtime.store, self.installations, runtime.client,
                                     self.serve, self.stop, uninstalled)
        self.install_pages: InstallPages | None = None

    @property
    def app_for(self) -> Callable[[dict[str, Any]], Awaitable[AsyncApp | None]]:
        """The Bolt app an envelope goes to: its workspace's."""
        return self.workspaces.app_for

    async def serve(self, found: Installation, store: Store) -> Served:
        """One workspace's core, contexts, Bolt app and jobs, all on its part of the store."""
        runtime = self.runtime
        client = make_client(found.bot_token, runtime.settings.api_url, runtime.session, runtime.metrics)
        client.blocks = BlockSupport(runtime.clock)  # each workspace refuses what it refuses
        auth = await client.auth_test()
        identity = Identity(team_id=auth["team_id"], team_name=auth.get("team", ""), bot_user_id=auth["user_id"],
                            bot_id=auth.get("bot_id", ""), url=auth.get("url", ""))
        client.team = identity.team_id
        directory = Directory(client, Kept(Namespaced(store, "directory"), runtime.clock), runtime.clock)
        access = Access(client, directory)
        client.access = access
        core = runtime.contexts(identity, runtime.cpu, store, client, directory, access,
                                replace(runtime.settings, bot_token=found.bot_token))
        core.route_tokens = self.route_tokens
        home = runtime.surfaces(core)
        try:
            await runtime.run_hooks("start", core)
        except FatalError as e:
            # One workspace's feature that cannot start must not stop the others (nor this one's other features).
            log.error("in %s: %s", identity.team_id, e)
        served = Served(core, build_app(core, runtime.forms), runtime.scheduler_for(core, store))
        if runtime.jobs == "auto":
            served.tasks.append(runtime.supervisor.spawn(served.scheduler.run(), name=f"jobs:{identity.team_id}"))
            served.tasks.append(runtime.supervisor.spawn(home.keep(), name=f"home-tabs:{identity.team_id}"))
        return served

    async def stop(self, served: Served) -> None:
        for task in served.tasks:
            task.cancel()
        await self.runtime.run_hooks("stop", served.core)
        await served.core.directory.close()

    def routes(self) -> dict[tuple[str, str], Any]:
        """The install pages (members' `connect` included), and features' routes: one that takes a
        bearer token served in the workspace its token was issued in, the others (features' pages) in
        the workspace whose signed member link or session the request carries."""
        runtime = self.runtime
        settings = runtime.settings
        bot_scopes = manifest(runtime.registry, settings.command)["oauth_config"]["scopes"]["bot"]
        self.install_pages = InstallPages(settings, runtime.registry, runtime.store, self.workspaces, bot_scopes,
                                          runtime.clock)
        routes: dict[tuple[str, str], Any] = dict(self.install_pages.routes())
        for key, (handler, feature) in sorted(runtime.registry.routes.items(), key=lambda item: item[0]):
            setting = feature.router.bearers.get(key)
            if key in routes:
                continue
            if setting is None:
                routes[key] = member_route(self.workspaces, feature, handler, bind_route)
            else:
                if feature.config.get(setting):
                    log.warning("with many workspaces the %s setting %s is not used: each workspace's admins issue "
                                "tokens of its own (`%s token %s`)", feature.name, setting, settings.command,
                                feature.name)
                routes[key] = workspace_route(self.workspaces, self.route_tokens, feature, setting, handler,
                                              bind_route)
        return routes

    def settings_changed(self) -> None:
        """The runtime's settings changed (a port picked at start): the pages and workspaces see them."""
        assert self.install_pages is not None
        self.install_pages.settings = self.workspaces.settings = self.runtime.settings
