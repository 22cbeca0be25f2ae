"""The token an MCP client acts with: made by one member in Slack (`mcp token`), bound to them,
kept only as its SHA-256 in the store, replaced by the next one they make, dropped by `mcp revoke`.

The token is never the bot's and carries no rights of its own: the server (`bot.agent.mcp_server`)
runs every tool as the member it names, with that member's rights.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from bot.features.core import Core
from bot.store import Namespaced

PREFIX = "sloth_mcp_"  # so a leaked one is recognisable (and secret scanners can be told)


def store_of(core: Core) -> Namespaced:
    return Namespaced(core.store, "mcp")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(core: Core, member: str) -> str:
    """A new token for `member`; the one they had before stops working."""
    store = store_of(core)
    await revoke(core, member)
    token = PREFIX + secrets.token_urlsafe(32)
    await store.set(f"token:{digest(token)}", {"member": member, "created": core.clock()})
    await store.set(f"member:{member}", digest(token))
    return token


async def revoke(core: Core, member: str) -> bool:
    """Drop the member's token; False when they had none."""
    store = store_of(core)
    held = await store.get(f"member:{member}")
    if not isinstance(held, str):
        return False
    await store.delete(f"token:{held}")
    await store.delete(f"member:{member}")
    return True


async def member_of(core: Core, token: str) -> str | None:
    """The member a token acts for, or None for a token that is unknown or revoked."""
    if not token.startswith(PREFIX):
        return None
    found: Any = await store_of(core).get(f"token:{digest(token)}")
    member = found.get("member") if isinstance(found, dict) else None
    return member if isinstance(member, str) else None
