"""A Slack emulator for the sandbox and the end-to-end tests.

    async with Emulator(Workspace.default()) as emu:
        client = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)
"""

from __future__ import annotations

from bot.emulator.delivery import Delivery
from bot.emulator.emulator import Emulator
from bot.emulator.ratelimit import RateLimits
from bot.emulator.responses import ResponsePost
from bot.emulator.socket import NoConnectionError
from bot.emulator.webapi import ApiCall
from bot.emulator.workspace import Workspace

__all__ = ["ApiCall", "Delivery", "Emulator", "NoConnectionError", "RateLimits", "ResponsePost", "Workspace"]
