"""The member and channel directories: loaded once, kept fresh from events, re-synced now and then.

Answers name every author, channel and member; asking Slack per row would cost one call each
and hit rate limits on any real workspace. The first load follows users.list /
conversations.list pagination to the end (rate limits are ridden out by the client's retry
handler, which honours Retry-After); after that, questions cost no list calls.

With a store (`kept`, bot.slack.directory_store) the rows are kept there too: a process that
starts reads them instead of walking the lists again, changes from events reach every process
sharing the store, and only one process walks a list at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.pure.errors import UserError
from bot.pure.text import ChannelRef, UserRef, channel_not_found
from bot.slack.directory_store import Kept, Rows

log = logging.getLogger(__name__)

# The largest page each list allows: conversations.list's reference says its limit "must be an
# integer under 1000" (else invalid_limit); users.list takes up to 1000. Big pages keep the first
# load of a large workspace to few calls of these Tier 2 methods.
PRIVATE_CHANNEL = "private-channel"
PAGE_LIMITS = {"users.list": 1000, "conversations.list": 999}
WAIT_FOR_WALK = 1.0  # seconds between looks while another process walks a list


class Directory:
    def __init__(self, client: AsyncWebClient, kept: Kept | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.kept = kept
        self.clock = clock
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.loaded_at: dict[str, float] = {}
        self._locks = {"users": asyncio.Lock(), "channels": asyncio.Lock()}
        self._walking: dict[str, dict[str, dict[str, Any] | None]] = {}  # events met during a walk

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
        await self._load("users", force)

    async def load_channels(self, force: bool = False) -> None:
        await self._load("channels", force)

    def _rows(self, kind: str) -> Rows:
        return self.users if kind == "users" else self.channels

    async def _load(self, kind: str, force: bool) -> None:
        async with self._locks[kind]:
            if not force and kind in self.loaded_at:
                await self.fresh()
                return
            if not force and self.kept is not None and await self._read_kept(kind):
                return
            await self._walk(kind, force)

    async def _read_kept(self, kind: str) -> bool:
        assert self.kept is not None
        started = time.monotonic()
        stored = await self.kept.load(kind)
        if stored is None:
            return False
        rows, walked = stored
        self._rows(kind).clear()
        self._rows(kind).update(rows)
        self.loaded_at[kind] = walked
        log.info("%s directory: %d read from the store in %.2fs", kind[:-1], len(rows), time.monotonic() - started)
        return True

    async def _walk(self, kind: str, force: bool) -> None:
        """Walk the list, one process at a time: another's walk is waited for and read instead."""
        while self.kept is not None and not await self.kept.claim_walk(kind):
            await asyncio.sleep(WAIT_FOR_WALK)
            if not force and await self._read_kept(kind):
                return
            walked = await self.kept.walked_at(kind)
            if force and walked is not None and walked > self.loaded_at.get(kind, -1.0):
                await self._read_kept(kind)  # the other process's walk was the re-sync asked for
                return
        started = time.monotonic()
        self._walking[kind] = {}
        renewing = asyncio.create_task(self.kept.keep_walking(kind)) if self.kept is not None else None
        try:
            if kind == "users":
                rows = await self._list_all("users.list", "members")
            else:
                rows = await self._list_all("conversations.list", "channels", types="public_channel,private_channel",
                                            exclude_archived="false")
            found = {row["id"]: row for row in rows}
            for row_id, row in self._walking[kind].items():  # events that came while the pages were read
                if row is None:
                    found.pop(row_id, None)
                else:
                    found[row_id] = row
            before = dict(self._rows(kind))
            self._rows(kind).clear()
            self._rows(kind).update(found)
            self.loaded_at[kind] = self.clock()
            log.info("%s directory: %d walked in %.1fs", kind[:-1], len(found), time.monotonic() - started)
            if self.kept is not None:
                await self.kept.save_walk(kind, found, before)
        finally:
            self._walking.pop(kind, None)
            if renewing is not None:
                renewing.cancel()
            if self.kept is not None:
                await self.kept.release_walk(kind)

    async def fresh(self) -> None:
        """Take in what other processes sharing the store changed (cheap: at most one small read)."""
        if self.kept is not None and self.loaded_at:
            await self.kept.refresh({kind: self._rows(kind) for kind in self.loaded_at})

    async def members(self) -> list[dict[str, Any]]:
        await self.load_users()
        return [u for u in self.users.values() if not u.get("deleted")]

    async def channel_list(self) -> list[dict[str, Any]]:
        await self.load_channels()
        return list(self.channels.values())

    async def resync(self, max_age: float = 0.0) -> None:
        """Walk again whatever was loaded (here or, with a store, by any process) and not walked
        within `max_age` seconds, to catch changes missed while no process was connected."""
        for kind in ("users", "channels"):
            walked = self.loaded_at.get(kind)
            if self.kept is not None:
                walked = await self.kept.walked_at(kind)
            if walked is not None and self.clock() - walked >= max_age:
                await self._load(kind, force=True)

    async def close(self) -> None:
        """Write what events changed and is not yet in the store."""
        if self.kept is not None:
            await self.kept.close()

    # -- lookups --------------------------------------------------------------------------

    async def user(self, user_id: str) -> dict[str, Any] | None:
        await self.fresh()
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
        self._changed("users", user["id"], user)

    def put_channel(self, channel_id: str, **changes: Any) -> None:
        channel = self.channels.setdefault(channel_id, {"id": channel_id})
        channel.update(changes)
        self._changed("channels", channel_id, channel)

    def drop_channel(self, channel_id: str) -> None:
        self.channels.pop(channel_id, None)
        self._changed("channels", channel_id, None)

    def _changed(self, kind: str, row_id: str, row: dict[str, Any] | None) -> None:
        if kind in self._walking:
            self._walking[kind][row_id] = row
        if self.kept is not None:
            self.kept.note(kind, row_id, row)


def _handle_matches(user: dict[str, Any], name: str) -> bool:
    profile = user.get("profile", {})
    return name in (user.get("name"), profile.get("display_name_normalized", "").lower(),
                    profile.get("display_name", "").lower())


def _plain(ref: UserRef | ChannelRef) -> str:
    # Only IDs and already-validated names reach here; shown as code so nothing pings.
    return ref.name or ref.id or "?"
