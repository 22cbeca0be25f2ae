"""The connect feature's part of each member's Home tab: whether Sloth may act as them, and the
button that changes it (Connect runs `connect`, whose link comes to their DM; Disconnect runs
`disconnect`). Both commands, and the OAuth round trip, redraw the tab when they are done."""

from __future__ import annotations

from typing import Any

from bot.connect.members import oauth_problem
from bot.connect.tokens import connected_scopes
from bot.features.context import Context
from bot.features.core import core_of
from bot.features.router import Router
from bot.pure.blocks import context_block, section
from bot.views.home import home_button

router = Router()
WHAT = "set your status, pause your notifications and search messages for you"


@router.home
async def connection(ctx: Context, member: str) -> list[dict[str, Any]]:
    core = core_of(ctx)
    scopes = await connected_scopes(core, member)
    if scopes is not None:
        text = f":white_check_mark: *Sloth may act as you*: it can {WHAT}, only when you ask."
        return [section(text, accessory=home_button("Disconnect", "disconnect"))]
    problem = oauth_problem(core.settings)
    text = f":link: *Sloth does not act as you.* Connect to let it {WHAT}."
    if problem:
        return [section(text), context_block(f"Connecting is switched off on this Sloth: {problem}.")]
    return [section(text, accessory=home_button("Connect", "connect", style="primary"))]
