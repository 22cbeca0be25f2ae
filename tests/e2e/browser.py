"""A member's browser for OAuth tests: a real aiohttp client that keeps cookies and follows redirects."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from yarl import URL

from bot.emulator import Emulator
from bot.emulator.oauth import SESSION_COOKIE


def oauth_settings(emu: Emulator) -> dict[str, Any]:
    """Settings overrides that switch the OAuth side on against the emulator's app credentials."""
    return {"client_id": emu.client_id, "client_secret": emu.client_secret, "secret_key": secrets.token_hex(32)}


@asynccontextmanager
async def browser(emu: Emulator, signed_in_as: str | None) -> AsyncIterator[aiohttp.ClientSession]:
    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: keep cookies from 127.0.0.1
    if signed_in_as:
        jar.update_cookies({SESSION_COOKIE: signed_in_as}, URL(emu.base_url))
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        yield session


def link_buttons(body: dict[str, Any]) -> list[str]:
    return [e["url"] for b in body.get("blocks") or [] if b.get("type") == "actions"
            for e in b.get("elements", []) if e.get("url")]


def connect_link(body: dict[str, Any]) -> str:
    [link] = link_buttons(body)
    return link
