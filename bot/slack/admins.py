"""Who counts as an admin: SLOTH_ADMINS, or the workspace's own admins and owners."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.context import Context
    from bot.features.core import Core


async def is_admin(ctx: Context | Core, user_id: str) -> bool:
    if user_id in ctx.settings.admins:
        return True
    # Asked fresh each time (users.info is Tier 4): a member who stops being an admin loses the right at once.
    user = (await ctx.client.users_info(user=user_id))["user"]
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
