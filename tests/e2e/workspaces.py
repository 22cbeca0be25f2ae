"""Sloth with many workspaces against the emulator's `MultiWorkspace`: settings, and installing
through Sloth's /slack/install in a real browser session (cookies kept, redirects followed)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from bot.config.settings import Settings
from bot.runtime.lifecycle import Runtime
from bot.testing import registry_for
from sloth_emulator import MultiWorkspace

SECRET_KEY = "k" * 32


def many_settings(slack: MultiWorkspace, data_dir: Path, **overrides: Any) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        bot_token="", workspaces="many", transport="http", api_url=slack.api_url, http_host="127.0.0.1",
        http_port=0, data_dir=data_dir, store_url=f"sqlite:///{data_dir / 'sloth.db'}", secret_key=SECRET_KEY,
        client_id=slack.client_id, client_secret=slack.client_secret, signing_secret=slack.signing_secret,
        edits_per_window=10_000)
    return replace(settings, **overrides)


@contextlib.asynccontextmanager
async def running_many(slack: MultiWorkspace, data_dir: Path, **overrides: Any) -> AsyncIterator[Runtime]:
    async with Runtime(many_settings(slack, data_dir, **overrides), registry_for(), jobs="manual") as runtime:
        await slack.use_request_url(f"http://127.0.0.1:{runtime.http_port}/slack/events")
        yield runtime


def sloth_url(runtime: Runtime) -> str:
    return f"http://127.0.0.1:{runtime.http_port}"


@contextlib.asynccontextmanager
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), trust_env=False) as session:
        yield session


async def start_install(http: aiohttp.ClientSession, runtime: Runtime, team: str, user: str) -> str:
    """Open Sloth's /slack/install, pick the workspace and approve on Slack's page as `user`:
    where Slack sends the browser back (Sloth's redirect, with the code and the state)."""
    async with http.get(f"{sloth_url(runtime)}/slack/install", allow_redirects=False) as to_slack:
        assert to_slack.status == 302, await to_slack.text()
        authorize = URL(to_slack.headers["Location"])
    async with http.get(authorize, allow_redirects=False) as chooser:
        assert "Choose a workspace" in await chooser.text()
    chosen = authorize.with_query({**authorize.query, "team": team, "sign_in_as": user})
    async with http.get(chosen, allow_redirects=False) as approved:
        assert approved.status == 302
        return approved.headers["Location"]


async def finish(http: aiohttp.ClientSession, redirect: str) -> tuple[int, str]:
    async with http.get(redirect, allow_redirects=False) as landed:
        return landed.status, await landed.text()


async def install(runtime: Runtime, team: str, user: str) -> str:
    async with browser() as http:
        status, text = await finish(http, await start_install(http, runtime, team, user))
    assert status == 200, text
    return text
