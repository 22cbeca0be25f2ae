"""Installations: each workspace's bot token, sealed in the store, renewed once when it expires.

A record per workspace under `install:team:<ID>`, the bot token (and, with token rotation, the
refresh token) sealed with SLOTH_SECRET_KEY and bound to the workspace: a sealed token copied onto
another workspace's record does not open. The list of installed workspaces is one more key.

Token rotation: an expiring bot token is renewed with oauth.v2.access (grant_type=refresh_token),
which spends the refresh token. Two replicas renewing the same workspace at once would each spend
it, and the second would get `invalid_refresh_token` and lose the workspace (node-slack-sdk#2504).
So the renewal takes a lock in the shared store first; a replica that does not get it waits for
the record the other writes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.connect.sealing import SealError, TokenBox
from bot.store import Namespaced, Store

log = logging.getLogger(__name__)
RENEW_BEFORE = 120.0  # seconds before it expires that a token is renewed
LOCK_SECONDS = 30.0  # a renewal that takes longer (a replica died holding it) is taken over
WAIT_STEP = 0.05  # how often a replica waiting on another's renewal reads the record again


class RenewalFailed(Exception):
    """The workspace's token could not be renewed; the message says why (never a token)."""


@dataclass(frozen=True)
class Installation:
    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    scopes: str
    installer: str
    installed_at: float
    refresh_token: str | None = None
    expires_at: float | None = None  # None: the token does not expire (no token rotation)


class Installations:
    def __init__(self, store: Store, secret_key: str, clock: Callable[[], float]) -> None:
        self.records = Namespaced(store, "install")
        self.box = TokenBox(secret_key, purpose="sloth bot tokens")
        self.clock = clock
        self.renewals = 0  # oauth.v2.access renewals this process made (metrics, tests)

    async def save(self, found: Installation) -> None:
        record = {k: v for k, v in asdict(found).items() if k not in ("bot_token", "refresh_token")}
        secrets_part = json.dumps({"bot": found.bot_token, "refresh": found.refresh_token})
        record["sealed"] = self.box.seal(found.team_id, secrets_part)
        await self.records.set(f"team:{found.team_id}", record)
        await self.records.update("teams", lambda teams: sorted({*(teams or []), found.team_id}))

    async def find(self, team_id: str) -> Installation | None:
        record: dict[str, Any] | None = await self.records.get(f"team:{team_id}")
        if not record or record.get("team_id") != team_id:
            return None
        try:
            opened = json.loads(self.box.open(team_id, str(record["sealed"])))
        except (SealError, KeyError, ValueError) as e:
            log.error("the installation of %s does not open (%s); it must be installed again", team_id, e)
            return None
        fields = {k: v for k, v in record.items() if k != "sealed"}
        return Installation(**fields, bot_token=opened["bot"], refresh_token=opened["refresh"])

    async def remove(self, team_id: str) -> None:
        await self.records.delete(f"team:{team_id}")
        await self.records.update("teams", lambda teams: [t for t in teams or [] if t != team_id] or None)

    async def teams(self) -> list[str]:
        return list(await self.records.get("teams") or [])

    async def fresh(self, team_id: str, client: AsyncWebClient, client_id: str,
                    client_secret: str) -> Installation | None:
        """The workspace's installation with a token good for a while: renewed first if it expires
        soon, by this replica or by whichever got the lock."""
        found = await self.find(team_id)
        if found is None or not self._expiring(found):
            return found
        locks, me = self.records.child("lock"), secrets.token_hex(8)
        deadline = self.clock() + LOCK_SECONDS
        while not await locks.add(team_id, me, ttl=LOCK_SECONDS):
            await asyncio.sleep(WAIT_STEP)  # another replica is renewing: its record is what we want
            found = await self.find(team_id)
            if found is None or not self._expiring(found):
                return found
            if self.clock() > deadline:
                raise RenewalFailed(f"another replica has been renewing the token of {team_id} for too long")
        try:
            found = await self.find(team_id)  # renewed between our read and our lock?
            if found is None or not self._expiring(found):
                return found
            renewed = await self._renew(found, client, client_id, client_secret)
            await self.save(renewed)
            return renewed
        finally:
            await locks.delete(team_id)

    def _expiring(self, found: Installation) -> bool:
        return found.expires_at is not None and found.expires_at - RENEW_BEFORE <= self.clock()

    async def _renew(self, found: Installation, client: AsyncWebClient, client_id: str,
                     client_secret: str) -> Installation:
        if not found.refresh_token:
            raise RenewalFailed(f"the token of {found.team_id} expires and there is no refresh token")
        try:
            answer = await client.api_call("oauth.v2.access", data={
                "client_id": client_id, "client_secret": client_secret, "grant_type": "refresh_token",
                "refresh_token": found.refresh_token})
        except SlackApiError as e:
            raise RenewalFailed(f"Slack refused to renew the token of {found.team_id}: "
                                f"{e.response.get('error')}") from None
        self.renewals += 1
        log.info("renewed the bot token of %s", found.team_id)
        return replace(found, bot_token=str(answer["access_token"]), refresh_token=str(answer["refresh_token"]),
                       expires_at=self.clock() + float(answer["expires_in"]))
