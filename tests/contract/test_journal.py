"""The journal's contract, on every backend: SQLite (the store's file), Redis (a real redis-server),
memory. Entries outlive their replica until its lease runs out; each is taken over by one replica."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import open_journal, open_store
from bot.store.journal import MAX_TAKEOVERS, Journal, JournalUnavailable, RepeatedRequest

FRAME = {"type": "events_api", "envelope_id": "e1", "payload": {"event": {"type": "app_mention", "text": "hi"},
                                                                 "blocks": []}}


@pytest.fixture(params=["sqlite", "redis", "memory"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "memory":
        yield "sqlite:///:memory:"
        return
    url = f"sqlite:///{tmp_path / 'sloth.db'}" if request.param == "sqlite" else request.getfixturevalue("redis_url")
    store = await open_store(url)  # the store made the file (or emptied Redis) first, as the runtime does
    if request.param == "redis":
        await store.client.flushdb()  # type: ignore[attr-defined]
    await store.close()
    yield url


async def journal_of(url: str, lease: float = 0.3) -> Journal:
    return await open_journal(url, lease_seconds=lease)


async def test_an_entry_crossed_out_is_never_taken_over(store_url: str) -> None:
    if store_url.endswith(":memory:"):
        pytest.skip("a memory journal is one process's: nobody else can take anything over")
    first, second = await journal_of(store_url), await journal_of(store_url)
    try:
        done, left = first.append(FRAME), first.append({**FRAME, "envelope_id": "e2"})
        assert done and left and done != left
        first.finish(done)
        await first.take_over(10)  # the crossing-out is queued on the journal's thread; this waits behind it
        assert await second.take_over(10) == []  # the first replica is alive: nothing is anyone else's
        await first.close()  # ends its lease at once
        [taken] = await second.take_over(10)
        assert taken.id == left and taken.frame == {**FRAME, "envelope_id": "e2"} and taken.takeovers == 0
        assert await second.take_over(10) == []  # held by the second now, alive
    finally:
        await second.close()


async def test_a_dead_replicas_entries_go_to_one_replica_only(store_url: str) -> None:
    if store_url.endswith(":memory:"):
        pytest.skip("a memory journal is one process's")
    dead = await journal_of(store_url, lease=0.3)
    ids = {dead.append({**FRAME, "envelope_id": str(i)}) for i in range(20)}
    dead._stop.set()  # it stops renewing, as a killed process would, without ending its lease
    survivors = [await journal_of(store_url, lease=5) for _ in range(3)]
    try:
        await asyncio.sleep(0.4)  # the dead one's lease runs out: what is tested is that it does
        found = await asyncio.gather(*(s.take_over(100) for s in survivors))
        taken = [e.id for batch in found for e in batch]
        assert sorted(taken) == sorted(ids)  # every one, each by one replica
    finally:
        for survivor in survivors:
            await survivor.close()
        dead._worker.shutdown()
        dead.backend.close()


async def test_an_entry_that_kills_every_replica_is_dropped(store_url: str) -> None:
    if store_url.endswith(":memory:"):
        pytest.skip("a memory journal is one process's")
    first = await journal_of(store_url)
    first.append(FRAME)
    await first.close()
    for _ in range(MAX_TAKEOVERS):
        replica = await journal_of(store_url)
        [entry] = await replica.take_over(10)
        await replica.close()  # dies before finishing it
    last = await journal_of(store_url)
    try:
        assert await last.take_over(10) == []
        await last.close()
        again = await journal_of(store_url)
        assert await again.take_over(10) == []  # dropped, not merely skipped
        await again.close()
    finally:
        if not last._stop.is_set():
            await last.close()
    assert entry.takeovers == MAX_TAKEOVERS - 1


async def test_a_request_is_taken_once(store_url: str) -> None:
    journal = await journal_of(store_url)
    try:
        assert journal.append(FRAME, once="v0=abc")
        with pytest.raises(RepeatedRequest):
            journal.append(FRAME, once="v0=abc")
        assert journal.append(FRAME, once="v0=abd")
    finally:
        await journal.close()


async def test_appends_from_many_threads(store_url: str) -> None:
    journal = await journal_of(store_url)
    ids: list[str | None] = []

    def append_some() -> None:
        ids.extend(journal.append({**FRAME, "envelope_id": str(i)}) for i in range(50))

    threads = [threading.Thread(target=append_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(ids) == 200 and None not in ids and len(set(ids)) == 200
    finally:
        await journal.close()


def test_a_failing_backend_lets_acks_through_and_rests() -> None:
    skipped: list[int] = []
    backend = _Refusing()
    journal = Journal(backend, "test", on_skip=lambda: skipped.append(1))  # type: ignore[arg-type]
    try:
        assert journal.append(FRAME) is None  # not written down, and no error: the envelope is acked all the same
        assert journal.append(FRAME) is None
        assert backend.tries == 1 and skipped == [1, 1]  # resting after the failure: not even tried again
    finally:
        journal._worker.shutdown()


class _Refusing:
    tries = 0

    def append(self, *args: object) -> bool:
        self.tries += 1
        raise JournalUnavailable("disk I/O error")
