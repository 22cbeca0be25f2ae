"""The member and channel directories: loaded once, kept fresh from events, re-synced now and then.

Answers name every author, channel and member; asking Slack per row would cost one call each
and hit rate limits on any real workspace. The first load follows users.list /
conversations.list pagination to the end (rate limits are ridden out by the client's retry
handler, which honours Retry-After); after that, questions cost no list calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.pure.errors import UserError
from bot.pure.text import ChannelRef, UserRef, channel_not_found

log = logging.getLogger(__name__)

# The largest page each list allows: conversations.list's reference says its limit "must be an
# integer under 1000" (else invalid_limit); users.list takes up to 1000. Big pages keep the first
# load of a large workspace to few calls of these Tier 2 methods.
PRIVATE_CHANNEL = "private-channel"
PAGE_LIMITS = {"users.list": 1000, "conversations.list": 999}


class Directory:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.loaded_at: dict[str, float] = {}
        self._locks = {"users": asyncio.Lock(), "channels": asyncio.Lock()}

    # -- loading --------------------------------------------------------------------------

    async def _list_all(self, method: str, key: str, **args: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        cursor = None
        while True:
            response = await self.client.api_call(
                method, http_verb="GET", params={"limit": PAGE_LIMITS[method], "cursor": cursor or "", **args}
            )
            rows.extend(response.get(key, []))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return rows

    async def load_users(self, force: bool = False) -> None:
        async with self._locks["users"]:
            if "users" in self.loaded_at and not force:
                return
            started = time.monotonic()
            rows = await self._list_all("users.list", "members")
            self.users = {u["id"]: u for u in rows}
            self.loaded_at["users"] = time.time()
            log.info("member directory: %d members in %.1fs", len(rows), time.monotonic() - started)

    async def load_channels(self, force: bool = False) -> None:
        async with self._locks["channels"]:
            if "channels" in self.loaded_at and not force:
                return
            rows = await self._list_all(
                "conversations.list", "channels", types="public_channel,private_channel", exclude_archived="false"
            )
            self.channels = {c["id"]: c for c in rows}
            self.loaded_at["channels"] = time.time()
            log.info("channel directory: %d channels", len(rows))

    async def members(self) -> list[dict[str, Any]]:
        await self.load_users()
        return [u for u in self.users.values() if not u.get("deleted")]

    async def channel_list(self) -> list[dict[str, Any]]:
        await self.load_channels()
        return list(self.channels.values())

    async def resync(self) -> None:
        """Reload whatever was loaded before, to catch changes missed while disconnected."""
        if "users" in self.loaded_at:
            await self.load_users(force=True)
        if "channels" in self.loaded_at:
            await self.load_channels(force=True)

    # -- lookups --------------------------------------------------------------------------

    async def user(self, user_id: str) -> dict[str, Any] | None:
        if user_id not in self.users and "users" not in self.loaded_at:
            response = await self.client.users_info(user=user_id)
            self.users[user_id] = response["user"]
        return self.users.get(user_id)

    def display_name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        if not user:
            return user_id
        profile = user.get("profile", {})
        return profile.get("real_name") or user.get("real_name") or profile.get("display_name") or user["name"]

    def channel_name(self, channel_id: str) -> str:
        """How to show a channel named in a message: a private one only as one, since the
        message may be read by people who are not in it (Slack shows it to them so too)."""
        channel = self.channels.get(channel_id)
        if not channel:
            return channel_id
        if channel.get("is_private") or channel.get("is_mpim"):
            return PRIVATE_CHANNEL
        return str(channel.get("name") or channel_id)

    async def resolve_user(self, ref: UserRef) -> dict[str, Any]:
        if ref.id:
            found = await self.user(ref.id)
        else:
            await self.load_users()
            found = next((u for u in self.users.values() if _handle_matches(u, ref.name or "")), None)
        if not found or found.get("deleted"):
            raise UserError(f"I can't find the member `{_plain(ref)}`.")
        return found

    async def resolve_channel(self, ref: ChannelRef) -> dict[str, Any]:
        await self.load_channels()
        if ref.id:
            found = self.channels.get(ref.id)
            if found is None:
                response = await self.client.conversations_info(channel=ref.id)
                found = self.channels[ref.id] = response["channel"]
        else:
            found = next((c for c in self.channels.values() if c.get("name") == ref.name), None)
        if not found:
            raise UserError(channel_not_found(ref))
        return found

    # -- upkeep from events -----------------------------------------------------------------

    def put_user(self, user: dict[str, Any]) -> None:
        self.users[user["id"]] = user

    def put_channel(self, channel_id: str, **changes: Any) -> None:
        self.channels.setdefault(channel_id, {"id": channel_id}).update(changes)


def _handle_matches(user: dict[str, Any], name: str) -> bool:
    profile = user.get("profile", {})
    return name in (user.get("name"), profile.get("display_name_normalized", "").lower(),
                    profile.get("display_name", "").lower())


def _plain(ref: UserRef | ChannelRef) -> str:
    # Only IDs and already-validated names reach here; shown as code so nothing pings.
    return ref.name or ref.id or "?"
