"""A member's browser, for OAuth flows: a real aiohttp client that keeps cookies and follows redirects.

    async with browser(emu, signed_in_as="U01WJK68KS") as session:
        async with session.get(authorize_url) as page: ...   # approves and lands on the redirect_uri

Signed in, the authorize page approves as that member; not signed in, it asks who to be.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import aiohttp
from yarl import URL

from sloth_emulator.oauth import SESSION_COOKIE

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator


@asynccontextmanager
async def browser(emu: Emulator, signed_in_as: str | None) -> AsyncIterator[aiohttp.ClientSession]:
    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: keep cookies from 127.0.0.1
    if signed_in_as:
        jar.update_cookies({SESSION_COOKIE: signed_in_as}, URL(emu.base_url))
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        yield session
