"""The emulator's OAuth side, scopes and fault injection, against real clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace
from sloth_emulator.browser import browser
from sloth_emulator.emoji import is_known

AMELIA = "U01AMHART1"
REDIRECT = "https://sloth.example.com/slack/oauth_redirect"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


def authorize_url(emu: Emulator, **overrides: str) -> str:
    query = {"client_id": emu.client_id, "user_scope": "users.profile:write,dnd:write", "redirect_uri": REDIRECT,
             "state": "s1", **overrides}
    return f"{emu.base_url}oauth/v2/authorize?{urlencode(query)}"


async def approve(emu: Emulator, signed_in_as: str | None, **overrides: str) -> tuple[int, dict[str, list[str]]]:
    async with browser(emu, signed_in_as) as http, http.get(authorize_url(emu, **overrides),
                                                            allow_redirects=False) as response:
        location = response.headers.get("Location", "")
        return response.status, parse_qs(urlparse(location).query)


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_authorize_approves_the_signed_in_member(emu: Emulator) -> None:
    status, query = await approve(emu, AMELIA)
    assert status == 302 and query["state"] == ["s1"] and emu.approvals[-1][0] == AMELIA
    api = AsyncWebClient(base_url=emu.api_url)
    args = {"client_id": emu.client_id, "client_secret": emu.client_secret, "code": query["code"][0]}
    assert await error_of(api.api_call("oauth.v2.access", data={**args, "redirect_uri": "https://evil/"})) == \
        "bad_redirect_uri"
    _, query = await approve(emu, AMELIA)
    granted = await api.api_call("oauth.v2.access", data={**args, "code": query["code"][0], "redirect_uri": REDIRECT})
    assert "access_token" not in granted.data  # user scopes only: no bot token
    person = granted["authed_user"]
    assert person["id"] == AMELIA and person["scope"] == "dnd:write,users.profile:write"
    amelia = AsyncWebClient(token=person["access_token"], base_url=emu.api_url)
    await amelia.dnd_setSnooze(num_minutes=5)
    with pytest.raises(SlackApiError) as caught:
        await amelia.search_messages(query="pandas")
    assert caught.value.response["error"] == "missing_scope"
    assert (caught.value.response["needed"], caught.value.response["provided"]) == (
        "search:read", "dnd:write,users.profile:write")
    assert (await amelia.auth_revoke())["revoked"] is True
    assert await error_of(amelia.auth_test()) == "invalid_auth"


async def test_authorize_refusals(emu: Emulator) -> None:
    assert (await approve(emu, AMELIA, client_id="1.2"))[0] == 400
    assert (await approve(emu, AMELIA, redirect_uri="ftp://x"))[0] == 400
    assert (await approve(emu, AMELIA, user_scope=""))[0] == 400
    emu.oauth_approves = False
    status, query = await approve(emu, AMELIA)
    assert status == 302 and query == {"error": ["access_denied"], "state": ["s1"]}


async def test_a_browser_that_is_not_signed_in_picks_who_to_be(emu: Emulator) -> None:
    async with browser(emu, None) as http:
        async with http.get(authorize_url(emu)) as page:
            text = await page.text()
        assert "Sign in to Data Analysis" in text and "Amelia Hart (@amelia)" in text and "(@sloth)" not in text
        async with http.get(authorize_url(emu, sign_in_as=AMELIA), allow_redirects=False) as response:
            assert response.status == 302 and "code=" in response.headers["Location"]
        async with http.get(authorize_url(emu), allow_redirects=False) as again:  # the cookie remembers her
            assert again.status == 302 and emu.approvals[-1][0] == AMELIA


async def test_client_credentials_are_checked(emu: Emulator) -> None:
    api = AsyncWebClient(base_url=emu.api_url)
    code = emu.issue_oauth_code("amelia")
    assert await error_of(api.api_call("oauth.v2.access", data={"client_id": "1.2", "client_secret": "s",
                                                                  "code": code})) == "invalid_client_id"
    assert await error_of(api.api_call("oauth.v2.access", data={"client_id": emu.client_id, "client_secret": "s",
                                                                  "code": code})) == "bad_client_secret"


async def test_restricted_bot_scopes_and_planned_failures(emu: Emulator) -> None:
    bot = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)
    emu.restrict_scopes(emu.bot_token, {"chat:write"})
    assert await error_of(bot.conversations_create(name="x")) == "missing_scope"
    await bot.chat_postMessage(channel="C01GENERAL", text="still fine")
    emu.restrict_scopes(emu.bot_token, None)
    emu.fail_next("conversations.create", "fatal_error")
    assert await error_of(bot.conversations_create(name="x")) == "fatal_error"
    assert (await bot.conversations_create(name="x"))["channel"]["name"] == "x"


async def test_status_emoji_must_exist(emu: Emulator) -> None:
    will = AsyncWebClient(token=emu.user_token, base_url=emu.api_url)
    assert await error_of(will.users_profile_set(profile={"status_emoji": ":notanemoji:"})) == \
        "profile_status_set_failed_not_valid_emoji"
    emu.workspace.custom_emoji.add("notanemoji")
    await will.users_profile_set(profile={"status_emoji": ":notanemoji:"})
    await will.users_profile_set(profile={"status_emoji": ":wave::skin-tone-3:"})
    assert is_known(":palm_tree:") and is_known(":+1:") and not is_known(":x") and not is_known("palm_tree")


async def test_plain_http_client_reaches_the_authorize_page(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http, http.get(authorize_url(emu, client_id="nope")) as response:
        assert response.status == 400 and "invalid_client_id" in await response.text()
