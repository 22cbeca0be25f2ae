"""Members who have connected, for testing `token="user"` commands: the round trip `connect` makes.

`connect_member` opens the link Sloth's Connect button carries (`/slack/install` with a state
signed for that member) in the member's browser, signed in to the emulator as them: Sloth sends
it to the emulator's OAuth authorize page, the emulator approves the user scopes the loaded
features declare and sends it back to `/slack/oauth_redirect`, and Sloth swaps the code for the
member's token with `oauth.v2.access` and stores it sealed, as it does for a real member. Nothing
is written into the store from outside.
"""

from __future__ import annotations

import re

from bot.connect.members import CONNECT_FEATURE, install_link, oauth_problem
from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from sloth_emulator.browser import browser

CONNECTED_PAGE = "Sloth is connected"


async def connect_member(emu: Emulator, runtime: Runtime, user_id: str) -> None:
    """Connect `user_id` through Sloth's OAuth pages; AssertionError with the page's words if it fails."""
    core = runtime.ctx
    if core.registry.feature(CONNECT_FEATURE) is None:
        raise RuntimeError("connecting a member needs Sloth's connect feature (its OAuth pages), which "
                           "builtins= left out: add 'bot.connect.feature' to builtins, or use connected=[...], "
                           "which loads it")
    problem = oauth_problem(core.settings)
    if problem is not None:
        raise RuntimeError(f"members cannot connect: {problem} (the kit sets them unless a test unsets them)")
    if not core.registry.user_scopes():
        raise RuntimeError("members cannot connect: no loaded command declares user_scopes, and Slack grants "
                           "no user token without one (declare them on the token='user' command)")
    async with browser(emu, user_id) as http, http.get(install_link(core, user_id)) as response:
        status, page = response.status, await response.text()
    if status != 200 or CONNECTED_PAGE not in page:
        said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
        raise AssertionError(f"{user_id} could not connect: Sloth's OAuth page answered {status}: {said[:300]}")
