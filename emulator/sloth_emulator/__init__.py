"""A Slack emulator as strict as Slack's references, for testing Slack apps offline.

    async with Emulator(Workspace.default()) as emu:
        client = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)
        answer = await emu.command("/hello world")      # once the app's socket is connected

With pytest, the fixtures `slack` and `slack_thread` do the starting (sloth_emulator.pytest_plugin).

Options: `bot_scopes=` (the bot token's granted scopes; None: all), `rate_limits=RateLimits.realistic()`
(Slack's published limits; off by default; `.faster(20)` runs their clock 20 times faster),
`share_delay=` (seconds before an upload v2 share lands; None: until `complete_shares()`),
`clock=` (response_url expiry, scheduled messages). `hold_answers(method)` keeps the answers to
`method` back (the calls are carried out) until the event it returns is set.
`MultiWorkspace(Workspace.default(), Workspace.field_notes())`: one app installed in several
workspaces at one address (installs, token rotation, uninstalling: sloth_emulator.installs).
"""

from __future__ import annotations

from sloth_emulator.answers import Answer, Posted
from sloth_emulator.clock import FakeClock
from sloth_emulator.delivery import Delivery
from sloth_emulator.emulator import Emulator
from sloth_emulator.multi import MultiWorkspace
from sloth_emulator.ratelimit import RateLimits
from sloth_emulator.responses import ResponsePost
from sloth_emulator.socket import NoConnectionError
from sloth_emulator.webapi import ApiCall
from sloth_emulator.workspace import Workspace

__all__ = ["Answer", "ApiCall", "Delivery", "Emulator", "FakeClock", "MultiWorkspace", "NoConnectionError", "Posted",
           "RateLimits", "ResponsePost", "Workspace"]
