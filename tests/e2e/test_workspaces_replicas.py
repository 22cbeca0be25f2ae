"""Many workspaces across replicas sharing Redis: an install state works once whichever replica
it reaches, and an expiring token is renewed once when two replicas need it at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.store import open_store
from bot.work.cpu import CpuPool
from bot.workspaces.installations import Installation, Installations
from sloth_emulator import FakeClock, MultiWorkspace, Workspace
from tests.e2e.harness import settle
from tests.e2e.workspaces import SECRET_KEY, browser, finish, install, running_many, start_install

DATA, FIELD, MARIA = "T024DATAAN", "T03FIELDNT", "U03MARIAGS"


@pytest.fixture
async def redis_db(redis_url: str) -> str:
    url = redis_url.rsplit("/", 1)[0] + "/9"
    flushed = aioredis.from_url(url)
    await flushed.flushdb()
    await flushed.aclose()
    return url


@pytest.fixture
async def slack() -> AsyncIterator[MultiWorkspace]:
    async with MultiWorkspace(Workspace.default(), Workspace.field_notes()) as multi:
        yield multi


async def test_an_install_state_is_spent_once_across_replicas(
        slack: MultiWorkspace, tmp_path: Path, redis_db: str) -> None:
    async with contextlib.AsyncExitStack() as stack:
        one = await stack.enter_async_context(running_many(slack, tmp_path / "one", store_url=redis_db))
        two = await stack.enter_async_context(running_many(slack, tmp_path / "two", store_url=redis_db))
        async with browser() as http:
            redirect = await start_install(http, one, FIELD, MARIA)
            cookie = redirect.split("state=")[1].split("&")[0]
            assert (await finish(http, redirect))[0] == 200
            # The same redirect (code, state and the state's cookie) replayed at the other replica.
            http.cookie_jar.update_cookies({"sloth_oauth_state": cookie})
            replayed = redirect.replace(f":{one.http_port}/", f":{two.http_port}/")
            status, text = await finish(http, replayed)
        assert status == 400 and "already used" in text
        assert await two.installations.teams() == [FIELD]  # the first install, seen by both


async def test_two_replicas_renewing_one_token_renew_it_once(slack: MultiWorkspace, redis_db: str) -> None:
    clock = FakeClock()
    emu = slack[FIELD]
    emu.clock = clock
    emu.token_rotation = True
    token, refresh = emu.install_bot(frozenset({"chat:write"}), 43200)
    stores = [await open_store(redis_db, clock) for _ in range(2)]
    replicas = [Installations(store, SECRET_KEY, clock) for store in stores]
    await replicas[0].save(Installation(FIELD, "Field Notes", token, "U03SLOTHFN", "chat:write", MARIA, clock(),
                                        refresh_token=refresh, expires_at=clock() + 43200))
    clock.advance(43200 - 60)  # within the renewal margin
    renewing = emu.hold_answers("oauth.v2.access")  # both replicas get there before Slack answers
    tokenless = AsyncWebClient(base_url=slack.api_url)
    both = asyncio.gather(*(r.fresh(FIELD, tokenless, slack.client_id, slack.client_secret) for r in replicas))
    await emu.wait_for(lambda: emu.calls_to("oauth.v2.access"))
    renewing.set()
    first, second = await both
    assert first is not None and second is not None
    assert first.bot_token == second.bot_token == emu.bot_token != token
    assert len(emu.calls_to("oauth.v2.access")) == 1 and sum(r.renewals for r in replicas) == 1
    assert (await AsyncWebClient(token=first.bot_token, base_url=slack.api_url).auth_test())["team_id"] == FIELD
    for store in stores:
        await store.close()


async def test_with_many_workspaces_heavy_work_stays_in_the_replica_s_pool(
        slack: MultiWorkspace, tmp_path: Path, redis_db: str) -> None:
    # `sloth worker` uploads with one workspace's token (SLACK_BOT_TOKEN): with many workspaces the
    # replica draws and uploads itself, in the workspace that asked, though the store is Redis.
    async with running_many(slack, tmp_path, store_url=redis_db) as sloth:
        assert type(sloth.cpu) is CpuPool
        await install(sloth, FIELD, MARIA)
        await (await slack[FIELD].slash_command(text="plot members", user=MARIA, channel="C03GENERAL")).acked()
        await settle(sloth)
    [chart] = [f for f in slack[FIELD].uploaded() if f.name == "members-time-zones.png"]
    assert chart.user == slack[FIELD].workspace.bot_user_id and chart.shares
    assert slack[DATA].uploaded() == []
