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

from bot.errors import UserError
from bot.router import Router
from bot.text import ChannelRef, UserRef

log = logging.getLogger(__name__)

PAGE_LIMIT = 1000  # the largest page users.list / conversations.list allow


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
                method, http_verb="GET", params={"limit": PAGE_LIMIT, "cursor": cursor or "", **args}
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
        channel = self.channels.get(channel_id)
        return channel["name"] if channel else channel_id

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
            raise UserError(f"I can't find the channel `{_plain(ref)}`.")
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


def directory_router() -> Router:
    """Events that keep the directories fresh."""
    router = Router()

    @router.event("team_join", "users:read")
    @router.event("user_change", "users:read")
    async def on_user(ctx: Any, event: dict[str, Any]) -> None:
        ctx.directory.put_user(event["user"])

    @router.event("channel_created", "channels:read")
    async def on_created(ctx: Any, event: dict[str, Any]) -> None:
        channel = event["channel"]
        ctx.directory.put_channel(channel["id"], **channel)

    @router.event("channel_rename", "channels:read")
    async def on_rename(ctx: Any, event: dict[str, Any]) -> None:
        ctx.directory.put_channel(event["channel"]["id"], name=event["channel"]["name"])

    @router.event("channel_archive", "channels:read")
    async def on_archive(ctx: Any, event: dict[str, Any]) -> None:
        ctx.directory.put_channel(event["channel"], is_archived=True)

    @router.event("channel_unarchive", "channels:read")
    async def on_unarchive(ctx: Any, event: dict[str, Any]) -> None:
        ctx.directory.put_channel(event["channel"], is_archived=False)

    @router.event("channel_deleted", "channels:read")
    async def on_deleted(ctx: Any, event: dict[str, Any]) -> None:
        ctx.directory.channels.pop(event["channel"], None)

    return router
