"""Who counts as an admin: SLOTH_ADMINS, or the workspace's own admins and owners."""

from __future__ import annotations

from collections.abc import Set
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient


class AdminSettings(Protocol):
    @property
    def admins(self) -> Set[str]: ...


class Asks(Protocol):
    """What the question needs: Sloth's admins and a client (a feature's `Context` or the core)."""

    @property
    def settings(self) -> AdminSettings: ...

    @property
    def client(self) -> AsyncWebClient: ...


async def is_admin(ctx: Asks, user_id: str) -> bool:
    if user_id in ctx.settings.admins:
        return True
    # Asked fresh each time (users.info is Tier 4): a member who stops being an admin loses the right at once.
    user: dict[str, Any] = (await ctx.client.users_info(user=user_id))["user"]
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
