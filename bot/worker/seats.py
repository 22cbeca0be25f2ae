"""As whom a worker uploads a job's file: the workspace the job names (`FileTo.team`).

With one workspace, every job is that workspace's, uploaded with SLACK_BOT_TOKEN; a job naming
another workspace is refused. With many (SLOTH_WORKSPACES=many), the worker reads the job's
workspace's installation from the store (sealed with SLOTH_SECRET_KEY, as the replicas do),
renews an expiring token through `Installations.fresh` (under the store's lock, so replicas and
workers renew it once), and keeps one client, directory and record of uploads per workspace, on
that workspace's part of the store: a file is uploaded into the workspace that asked, and only
there. A workspace that uninstalled Sloth gets nothing uploaded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from bot.config.settings import Settings
from bot.pure.errors import UserError
from bot.slack.access import Access
from bot.slack.client import MeteredWebClient, make_client
from bot.slack.directory import Directory
from bot.slack.directory_store import Kept
from bot.slack.uploads import Uploads
from bot.store import Namespaced, Store
from bot.work.metrics import Metrics
from bot.workspaces.installations import Installations, RenewalFailed
from bot.workspaces.serving import workspace_store

log = logging.getLogger(__name__)


@dataclass
class Seat:
    """One workspace, as a worker uploads into it."""

    client: MeteredWebClient
    directory: Directory  # for the access rule and the names the guard shows
    uploads: Uploads  # files Sloth uploaded there, for members' `files` and Home tab


class Seats(Protocol):
    async def seat(self, team: str) -> Seat:
        """The workspace `team`'s seat; UserError (told to the member) when the worker cannot upload there."""
        ...

    async def close(self) -> None: ...


def seat_on(client: MeteredWebClient, store: Store) -> Seat:
    directory = Directory(client, Kept(Namespaced(store, "directory")))
    client.access = Access(client, directory)  # uploads keep to what the asking member may see
    return Seat(client, directory, Uploads(Namespaced(store, "upload")))


class OneWorkspace:
    def __init__(self, seat: Seat) -> None:
        self._seat = seat

    async def seat(self, team: str) -> Seat:
        if team and team != self._seat.client.team:
            log.error("a job names workspace %s, but this worker uploads into %s only (SLACK_BOT_TOKEN)", team,
                      self._seat.client.team)
            raise UserError("I can't upload into this workspace from here.")
        return self._seat

    async def close(self) -> None:
        await self._seat.directory.close()


class ManyWorkspaces:
    def __init__(self, settings: Settings, store: Store, session: aiohttp.ClientSession, metrics: Metrics,
                 clock: Callable[[], float] = time.time) -> None:
        assert settings.secret_key and settings.client_id and settings.client_secret, "checked by the settings"
        self.settings, self.store, self.session, self.metrics = settings, store, session, metrics
        self.installations = Installations(store, settings.secret_key, clock)
        self.tokenless = make_client(None, settings.api_url, session, metrics)  # oauth.v2.access, to renew
        self._seats: dict[str, Seat] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def seat(self, team: str) -> Seat:
        assert self.settings.client_id and self.settings.client_secret
        if not team:
            raise UserError("I can't tell which workspace that file is for, so it was not uploaded.")
        try:
            found = await self.installations.fresh(team, self.tokenless, self.settings.client_id,
                                                   self.settings.client_secret)
        except RenewalFailed as e:
            log.error("%s", e)
            raise UserError("I couldn't renew my access to this workspace, so the file was not uploaded.") from None
        async with self._locks.setdefault(team, asyncio.Lock()):
            seat = self._seats.get(team)
            if found is None:
                if seat is not None:
                    del self._seats[team]
                    await seat.directory.close()
                raise UserError("Sloth is no longer installed in this workspace, so the file was not uploaded.")
            if seat is None:
                client = make_client(found.bot_token, self.settings.api_url, self.session, self.metrics)
                client.team = team
                seat = self._seats[team] = seat_on(client, workspace_store(self.store, team))
            elif seat.client.token != found.bot_token:  # renewed (here, by a replica or another worker)
                seat.client.token = found.bot_token
        return seat

    async def close(self) -> None:
        for seat in self._seats.values():
            await seat.directory.close()
        self._seats.clear()
