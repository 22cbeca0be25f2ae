"""The workspaces this process serves, each from its installation, made when first needed.

A workspace served is a core of its own (bot.features.core) with its own Bolt app: a client
with the workspace's bot token, its directory, access and edit pacing, its features' contexts
and jobs, and every store key under `workspace:<team ID>:`. Which one an envelope goes to is the
team Slack names in it; an envelope of a workspace not installed (or uninstalled) is dropped.
`app_uninstalled`, and `tokens_revoked` naming the bot, remove the installation at once, in
every replica (the record is the store's); members whose tokens were revoked are disconnected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.settings import Settings
from bot.features.core import Core
from bot.features.jobs import Scheduler
from bot.store import Namespaced, Store
from bot.workspaces.installations import Installation, Installations, RenewalFailed

log = logging.getLogger(__name__)


@dataclass
class Served:
    core: Core
    app: AsyncApp
    scheduler: Scheduler
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


Build = Callable[[Installation, Store], Awaitable[Served]]


def team_of(payload: dict[str, Any]) -> str | None:
    """The workspace an event, command or click comes from, as Slack names it."""
    team = payload.get("team_id") or payload.get("team")
    if isinstance(team, dict):
        team = team.get("id")
    if not team:
        team = (payload.get("user") or {}).get("team_id") if isinstance(payload.get("user"), dict) else None
    return str(team) if team else None


class WorkspaceStore(Namespaced):
    """A workspace's part of the store, as its core's whole store: every key under `workspace:<ID>:`."""

    async def sweep(self) -> int:
        return await self._store.sweep()  # expired keys of every workspace: one sweep serves all

    async def close(self) -> None:
        """The store beneath stays open: it is every workspace's."""


def workspace_store(store: Store, team_id: str) -> WorkspaceStore:
    return WorkspaceStore(store, f"workspace:{team_id}")


class Workspaces:
    def __init__(self, settings: Settings, store: Store, installations: Installations, tokenless: AsyncWebClient,
                 build: Build, close: Callable[[Served], Awaitable[None]],
                 uninstalled: Callable[[str], Awaitable[None]] | None = None) -> None:
        self.settings, self.store, self.installations = settings, store, installations
        self.tokenless = tokenless  # for oauth.v2.access
        self._build, self._close = build, close
        self._uninstalled = uninstalled  # what else goes with the installation (its route tokens)
        self._served: dict[str, Served] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def app_for(self, payload: dict[str, Any]) -> AsyncApp | None:
        """The Bolt app of the workspace `payload` comes from; None when it is not installed."""
        team = team_of(payload)
        if team is None:
            log.warning("dropped a request that names no workspace")
            return None
        event = payload.get("event") or {}
        if payload.get("type") == "event_callback" and event.get("type") in ("app_uninstalled", "tokens_revoked"):
            await self.revoked(team, event)
            return None
        served = await self.serve(team)
        if served is None:
            log.warning("dropped a request from %s, where Sloth is not installed", team)
        return served.app if served is not None else None

    async def serve(self, team: str) -> Served | None:
        """The workspace served, made (or given its renewed token) as its installation says."""
        assert self.settings.client_id and self.settings.client_secret, "checked by the settings"
        try:
            found = await self.installations.fresh(team, self.tokenless, self.settings.client_id,
                                                   self.settings.client_secret)
        except RenewalFailed as e:
            log.error("%s", e)
            return None
        if found is None:
            await self.forget(team)
            return None
        async with self._locks.setdefault(team, asyncio.Lock()):
            served = self._served.get(team)
            if served is None:
                try:
                    served = self._served[team] = await self._build(found, workspace_store(self.store, team))
                except SlackApiError as e:
                    log.error("cannot serve %s: Slack refused its bot token (%s)", team, e.response.get("error"))
                    return None
            elif served.core.settings.bot_token != found.bot_token:  # renewed (here or by another replica)
                served.core.settings = replace(served.core.settings, bot_token=found.bot_token)
                served.core.client.token = found.bot_token
        return served

    async def start_all(self) -> None:
        """Serve every installed workspace (their jobs run from the start, not at the first request)."""
        for team in await self.installations.teams():
            await self.serve(team)

    async def revoked(self, team: str, event: dict[str, Any]) -> None:
        tokens = event.get("tokens") or {}
        found = await self.installations.find(team)
        bot_user = found.bot_user_id if found is not None else None
        if event.get("type") == "app_uninstalled" or (bot_user and bot_user in (tokens.get("bot") or [])):
            await self.installations.remove(team)
            await self.forget(team)
            if self._uninstalled is not None:
                await self._uninstalled(team)
            log.info("Sloth was uninstalled from %s: its installation is removed", team)
        for user in tokens.get("oauth") or []:
            await workspace_store(self.store, team).child("user_token").delete(str(user))

    async def forget(self, team: str) -> None:
        served = self._served.pop(team, None)
        if served is not None:
            await self._close(served)

    async def close(self) -> None:
        for team in list(self._served):
            await self.forget(team)

    @property
    def served(self) -> dict[str, Served]:
        return dict(self._served)
