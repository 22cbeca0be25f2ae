"""The member and channel directories kept in the store (SQLite and a real redis-server): a new
process reads them instead of walking users.list again; a change one process hears of reaches
the others; a re-sync rewrites only what changed, and runs once per deployment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis import asyncio as aioredis

from bot.slack.client import make_client
from bot.slack.directory import Directory
from bot.slack.directory_store import Kept, shard_of
from bot.store import Namespaced, Store, open_store
from sloth_emulator import Emulator, FakeClock, Workspace
from tests.e2e.harness import ask, run_jobs, running_bot, settle, visible_text

USERS = 2_500  # three pages of users.list


@pytest.fixture
def slack_workspace() -> Workspace:
    return Workspace.generated(users=USERS, channels=40, seed=5)


@pytest.fixture(params=["sqlite", "redis"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    url = request.getfixturevalue("redis_url").rsplit("/", 1)[0] + "/6"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    yield url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await open_store(store_url)
    yield opened
    await opened.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


def process(emu: Emulator, session: aiohttp.ClientSession, store: Store) -> Directory:
    """A directory as one Sloth process has it: its own memory, the shared store."""
    kept = Kept(Namespaced(store, "directory"))
    kept.fresh_seconds = 0  # look at the index on every question (a half second apart in production)
    return Directory(make_client(emu.bot_token, emu.api_url, session), kept)


def renamed(user: dict[str, Any], name: str) -> dict[str, Any]:
    """A user_change event's user, with a new real name."""
    return {**user, "real_name": name, "profile": {**user["profile"], "real_name": name}}


def listed(emu: Emulator, method: str = "users.list") -> int:
    return len(emu.calls_to(method))


async def test_a_new_process_reads_the_directory_instead_of_walking_the_lists(
        emulator: Emulator, session: aiohttp.ClientSession, store: Store) -> None:
    first = process(emulator, session, store)
    assert len(await first.members()) == len([u for u in emulator.workspace.users.values() if not u.deleted])
    await first.channel_list()
    walked = (listed(emulator), listed(emulator, "conversations.list"))
    assert walked[0] == 3
    second = process(emulator, session, store)
    assert await second.members() == await first.members()
    assert len(await second.channel_list()) == len(await first.channel_list())
    assert (listed(emulator), listed(emulator, "conversations.list")) == walked


async def test_a_change_one_process_hears_of_reaches_the_others(
        emulator: Emulator, session: aiohttp.ClientSession, store: Store) -> None:
    one, other = process(emulator, session, store), process(emulator, session, store)
    await one.members()
    await other.members()
    await one.channel_list()
    await other.channel_list()
    # Two members in one shard, changed by two processes at once: both changes stay.
    users = list(one.users)
    a, b = next((x, y) for x in users for y in users if x != y and shard_of(x) == shard_of(y))
    one.put_user(renamed(one.users[a], "Changed By One"))
    other.put_user(renamed(other.users[b], "Changed By Other"))
    doomed = next(iter(one.channels))
    one.drop_channel(doomed)
    await asyncio.gather(one.kept.flush(), other.kept.flush())  # type: ignore[union-attr]
    assert (await other.user(a) or {})["real_name"] == "Changed By One"
    assert (await one.user(b) or {})["real_name"] == "Changed By Other"
    assert doomed not in {c["id"] for c in await other.channel_list()}
    newcomer = process(emulator, session, store)
    assert newcomer.display_name(a) == a  # nothing in memory before it asks
    await newcomer.members()
    assert newcomer.display_name(a) == "Changed By One" and newcomer.users[b]["real_name"] == "Changed By Other"


async def test_one_process_walks_while_the_others_wait_for_it(
        emulator: Emulator, session: aiohttp.ClientSession, store: Store) -> None:
    directories = [process(emulator, session, store) for _ in range(3)]
    found = await asyncio.gather(*(d.members() for d in directories))
    assert listed(emulator) == 3  # one walk of three pages, not three
    assert found[0] == found[1] == found[2] and len(found[0]) > 2000


async def test_a_resync_rewrites_only_the_shards_that_changed(
        emulator: Emulator, session: aiohttp.ClientSession, store: Store) -> None:
    one, other = process(emulator, session, store), process(emulator, session, store)
    await one.members()
    await other.members()
    versions = dict(((await one.kept.index())["users"])["shards"])  # type: ignore[union-attr]
    await one.resync()
    assert (await one.kept.index())["users"]["shards"] == versions  # type: ignore[union-attr]
    member = emulator.workspace.user(next(iter(one.users)))
    assert member is not None
    member.real_name = "Renamed While Nobody Listened"  # no event: only a re-sync can find it
    await one.resync()
    after = (await one.kept.index())["users"]["shards"]  # type: ignore[union-attr]
    assert {shard for shard in after if after[shard] != versions[shard]} == {str(shard_of(member.id))}
    assert (await other.user(member.id) or {})["real_name"] == "Renamed While Nobody Listened"


async def test_the_first_answer_after_a_restart_walks_nothing(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path) as bot:
        assert "Page 1 of" in visible_text(await ask(emulator, bot, "users"))
    walked = listed(emulator)
    async with running_bot(emulator, tmp_path) as bot:  # the same data folder: the same SQLite store
        assert "Page 1 of" in visible_text(await ask(emulator, bot, "users"))
    assert listed(emulator) == walked


async def test_the_resync_job_walks_once_per_deployment(emulator: Emulator, tmp_path: Path, redis_url: str) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/7"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    clock = FakeClock()
    async with running_bot(emulator, tmp_path / "a", clock=clock, store_url=url) as a, \
            running_bot(emulator, tmp_path / "b", clock=clock, store_url=url, connections=2) as b:
        delivery = await emulator.slash_command(text="users")  # to one replica or the other
        await delivery.acked()
        await settle(a)
        await settle(b)
        walked = listed(emulator)
        assert walked == 3
        clock.advance(3600)
        assert await run_jobs(a) + await run_jobs(b) >= 1
        assert listed(emulator) == walked + 3  # one more walk for the two replicas together
