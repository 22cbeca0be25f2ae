"""One app in two workspaces: installs, tokens kept to their workspace, rotation, uninstalling, the history limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import MultiWorkspace, Workspace
from sloth_emulator.browser import browser

REDIRECT = "https://sloth.example.com/slack/oauth_redirect"
DATA, FIELD = "T024DATAAN", "T03FIELDNT"
WJK68, MARIA = "U01WJK68KS", "U03MARIAGS"


@pytest.fixture
async def slack() -> AsyncIterator[MultiWorkspace]:
    async with MultiWorkspace(Workspace.default(), Workspace.field_notes()) as multi:
        yield multi


async def install(slack: MultiWorkspace, team: str, user: str) -> dict[str, Any]:
    query = {"client_id": slack.client_id, "scope": "chat:write,channels:history,channels:read",
             "redirect_uri": REDIRECT, "state": "s1"}
    async with browser(slack[team], None) as http:
        async with http.get(f"{slack.base_url}oauth/v2/authorize?{urlencode(query)}") as page:
            chooser = await page.text()
        assert "Choose a workspace" in chooser and "Field Notes" in chooser
        url = f"{slack.base_url}oauth/v2/authorize?{urlencode({**query, 'team': team, 'sign_in_as': user})}"
        async with http.get(url, allow_redirects=False) as approved:
            code = parse_qs(urlparse(approved.headers["Location"]).query)["code"][0]
    api = AsyncWebClient(base_url=slack.api_url)
    answer = await api.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret, code=code,
                                       redirect_uri=REDIRECT)
    return dict(answer.data)  # type: ignore[arg-type]


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_each_install_grants_a_token_of_its_own_workspace(slack: MultiWorkspace) -> None:
    data, field = await install(slack, DATA, WJK68), await install(slack, FIELD, MARIA)
    assert data["team"]["id"] == DATA and field["team"]["id"] == FIELD
    assert data["access_token"] != field["access_token"] and field["bot_user_id"] == "U03SLOTHFN"
    as_field = AsyncWebClient(token=field["access_token"], base_url=slack.api_url)
    assert (await as_field.auth_test())["team_id"] == FIELD
    names = [c["name"] for c in (await as_field.conversations_list())["channels"]]
    assert names == ["general", "birds"]  # none of Data Analysis's channels
    assert await error_of(as_field.conversations_history(channel="C01GENERAL")) == "channel_not_found"


async def test_a_workspace_has_no_bot_token_until_installed(slack: MultiWorkspace) -> None:
    before = AsyncWebClient(token=slack[FIELD].bot_token, base_url=slack.api_url)
    assert await error_of(before.auth_test()) == "invalid_auth"


async def test_token_rotation_spends_each_refresh_token_once(slack: MultiWorkspace) -> None:
    slack[FIELD].token_rotation = True
    granted = await install(slack, FIELD, MARIA)
    assert granted["access_token"].startswith("xoxe.xoxb-1-") and granted["expires_in"] == 43200
    api = AsyncWebClient(base_url=slack.api_url)
    args = {"client_id": slack.client_id, "client_secret": slack.client_secret, "grant_type": "refresh_token"}
    renewed = await api.api_call("oauth.v2.access", data={**args, "refresh_token": granted["refresh_token"]})
    assert renewed["access_token"] != granted["access_token"] and renewed["team"]["id"] == FIELD
    again = api.api_call("oauth.v2.access", data={**args, "refresh_token": granted["refresh_token"]})
    assert await error_of(again) == "invalid_refresh_token"


async def test_an_expired_token_is_refused(slack: MultiWorkspace) -> None:
    now = [1_000_000.0]
    emu = slack[FIELD]
    emu.clock = lambda: now[0]
    emu.token_rotation = True
    token = (await install(slack, FIELD, MARIA))["access_token"]
    client = AsyncWebClient(token=token, base_url=slack.api_url)
    assert (await client.auth_test())["ok"]
    now[0] += 43200
    assert await error_of(client.auth_test()) == "token_expired"


async def test_uninstalling_revokes_the_tokens_and_tells_the_app(slack: MultiWorkspace) -> None:
    got: list[dict[str, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("type") == "url_verification":
            return web.json_response({"challenge": body["challenge"]})
        got.append(body)
        return web.Response()

    app = web.Application()
    app.router.add_post("/slack/events", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await slack.use_request_url(f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events")
        data, field = await install(slack, DATA, WJK68), await install(slack, FIELD, MARIA)
        for delivery in await slack[FIELD].uninstall():
            await delivery.acked()
        events = {e["event"]["type"]: e for e in got}
        assert sorted(events) == ["app_uninstalled", "tokens_revoked"] and {e["team_id"] for e in got} == {FIELD}
        # the emulator's own user token (Maria's) goes too: every token of the app in the workspace
        assert events["tokens_revoked"]["event"]["tokens"] == {"oauth": [MARIA], "bot": ["U03SLOTHFN"]}
        gone = AsyncWebClient(token=field["access_token"], base_url=slack.api_url)
        assert await error_of(gone.auth_test()) == "invalid_auth"
        kept = AsyncWebClient(token=data["access_token"], base_url=slack.api_url)
        assert (await kept.auth_test())["team_id"] == DATA
        reinstalled = await install(slack, FIELD, MARIA)
        assert reinstalled["access_token"] != field["access_token"]
    finally:
        await runner.cleanup()


async def test_history_is_limited_for_apps_distributed_outside_the_marketplace(slack: MultiWorkspace) -> None:
    now = [1_000_000.0]
    emu = slack[DATA]
    emu.clock = lambda: now[0]
    client = AsyncWebClient(token=(await install(slack, DATA, WJK68))["access_token"], base_url=slack.api_url)
    for i in range(20):
        emu.workspace.post(emu.workspace.channels["C01RANDOM1"], {"user": WJK68, "text": f"n{i}"})
    assert len((await client.conversations_history(channel="C01RANDOM1", limit=100))["messages"]) == 22
    emu.distributed_unlisted = True
    first = await client.conversations_history(channel="C01RANDOM1", limit=100)
    assert len(first["messages"]) == 15 and first["has_more"]
    with pytest.raises(SlackApiError) as caught:
        await AsyncWebClient(token=client.token, base_url=slack.api_url, retry_handlers=[]).conversations_history(
            channel="C01RANDOM1")
    assert caught.value.response.status_code == 429 and caught.value.response.headers["Retry-After"] == "60"
    now[0] += 60
    assert len((await client.conversations_history(channel="C01RANDOM1", limit=5))["messages"]) == 5
