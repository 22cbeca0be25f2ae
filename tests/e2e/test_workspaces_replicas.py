"""Many workspaces across replicas sharing Redis: an install state works once whichever replica
it reaches, an expiring token is renewed once when two replicas need it at the same moment, and
`sloth worker` uploads each chart into the workspace that asked, with that workspace's token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.pure.errors import UserError
from bot.pure.tasks import Made, Task
from bot.runtime.lifecycle import Runtime
from bot.store import open_store
from bot.work.lanes import FileTo
from bot.work.queue import QueuedWork
from bot.workspaces.installations import Installation, Installations
from sloth_emulator import FakeClock, MultiWorkspace, Workspace
from tests.e2e.harness import settle
from tests.e2e.queue.workers import sloth_worker
from tests.e2e.workspaces import SECRET_KEY, browser, finish, install, running_many, start_install

DATA, FIELD, WILL, MARIA = "T024DATAAN", "T03FIELDNT", "U01WJK68KS", "U03MARIAGS"


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


def many_worker_env(slack: MultiWorkspace) -> dict[str, str]:
    """A `sloth worker` of a deployment with many workspaces: the replicas' settings, no bot token."""
    return {"SLACK_BOT_TOKEN": "", "SLACK_API_URL": slack.api_url, "SLOTH_WORKSPACES": "many",
            "SLOTH_TRANSPORT": "http", "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_CLIENT_ID": slack.client_id, "SLACK_CLIENT_SECRET": slack.client_secret,
            "SLOTH_SECRET_KEY": SECRET_KEY}


async def test_with_many_workspaces_the_worker_uploads_each_chart_into_the_workspace_that_asked(
        slack: MultiWorkspace, tmp_path: Path, redis_db: str) -> None:
    data, field = slack[DATA], slack[FIELD]
    async with running_many(slack, tmp_path / "sloth", store_url=redis_db) as sloth, \
            sloth_worker(field, tmp_path / "worker", redis_db, **many_worker_env(slack)) as worker:
        assert isinstance(sloth.cpu, QueuedWork)
        await install(sloth, DATA, WILL)
        await install(sloth, FIELD, MARIA)
        await (await field.slash_command(text="plot members", user=MARIA, channel="C03GENERAL")).acked()
        await settle(sloth)
        [chart] = [f for f in field.uploaded() if f.name == "members-time-zones.png"]
        assert chart.user == field.workspace.bot_user_id and chart.shares
        assert data.uploaded() == []
        # A chart of the other workspace: drawn by the same worker, uploaded with that workspace's token.
        await (await data.slash_command(text="plot members", user=WILL, channel="C01GENERAL")).acked()
        await settle(sloth)
        [other] = [f for f in data.uploaded() if f.name == "members-time-zones.png"]
        assert other.user == data.workspace.bot_user_id and len(field.uploaded()) == 1
        # A job naming a workspace with no installation: refused before anything is drawn or uploaded.
        nowhere = FileTo(requester=MARIA, channel="C03GENERAL", thread=None, filename="x.png", title="x",
                         initial_comment="", team="T0NOTHERE")
        with pytest.raises(UserError, match="no longer installed"):
            await sloth.cpu.remote_upload(Made(Task("handlers.charts:members_png")), nowhere)
        log = worker.log()
    # Made by the worker, not in the replica's own processes.
    assert counted(sloth, "done") == 2 and counted(sloth, "refused") == 1 and counted(sloth, "local") == 0
    assert log.count(": file in ") == 2, log
    for emu in (data, field):
        [upload] = [c for c in emu.calls_to("files.completeUploadExternal") if c.ok]
        assert upload.token == emu.bot_token


def counted(runtime: Runtime, outcome: str) -> float:
    return float(runtime.metrics.jobs_done.labels("heavy", outcome)._value.get())
