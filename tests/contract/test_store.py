"""One contract, every backend: get / set with TTL / delete / compare-and-set on JSON values,
expired keys gone (and their room freed), and a store that cannot save saying so."""

from __future__ import annotations

import asyncio

import pytest

from bot.store import Namespaced, Store, StoreUnavailable
from bot.store.health import Watched
from tests.store_faults import Fault, refusing_writes, stored_keys

VALUE = {"board": [["X", "", "O"]], "version": 3, "players": ["U1", "U2"], "winner": None, "ratio": 0.5}


async def test_round_trip_json(store: Store) -> None:
    assert await store.get("missing") is None
    await store.set("game", VALUE)
    assert await store.get("game") == VALUE
    await store.set("game", [1, "two"])
    assert await store.get("game") == [1, "two"]
    await store.delete("game")
    assert await store.get("game") is None


async def test_ttl_expires(store: Store) -> None:
    await store.set("short", "soon gone", ttl=0.05)
    await store.set("long", "stays", ttl=60)
    await asyncio.sleep(0.1)  # the TTL itself is what is being tested
    assert await store.get("short") is None
    assert await store.get("long") == "stays"
    # An expired key counts as absent for compare-and-set.
    assert await store.compare_and_set("short", None, "new")


async def test_compare_and_set(store: Store) -> None:
    assert await store.compare_and_set("k", None, {"v": 1})
    assert not await store.compare_and_set("k", None, {"v": 9})  # exists already
    assert not await store.compare_and_set("k", {"v": 2}, {"v": 3})  # stale expectation
    assert await store.compare_and_set("k", {"v": 1}, {"v": 2})
    assert await store.get("k") == {"v": 2}
    # Key order does not matter: values are compared as JSON values.
    await store.set("d", {"a": 1, "b": 2})
    assert await store.compare_and_set("d", {"b": 2, "a": 1}, {"a": 3})


async def test_concurrent_compare_and_set_lets_exactly_one_win(store: Store) -> None:
    await store.set("game", {"version": 0})
    results = await asyncio.gather(
        *(store.compare_and_set("game", {"version": 0}, {"version": 1, "by": i}) for i in range(20))
    )
    assert sum(results) == 1
    winner = results.index(True)
    assert await store.get("game") == {"version": 1, "by": winner}


async def test_namespaces_do_not_collide(store: Store) -> None:
    games, events = Namespaced(store, "games"), Namespaced(store, "event")
    assert await games.add("1", "game") and await events.add("1", "event")
    assert not await events.add("1", "again")
    assert await games.get("1") == "game" and await events.get("1") == "event"
    assert await store.get("games:1") == "game"


async def test_an_expired_key_is_gone_for_every_operation(store: Store) -> None:
    await store.set("k", "old", ttl=0.05)
    await store.set("persisted", "stays", ttl=0.05)
    await store.set("persisted", "stays")  # a set without a TTL drops the earlier one
    assert await store.compare_and_set("renewed", None, 1, ttl=0.05)
    assert await store.compare_and_set("renewed", 1, 2, ttl=60)  # compare-and-set sets its own TTL
    await asyncio.sleep(0.1)  # the TTL itself is what is being tested
    assert await store.get("k") is None
    assert not await store.compare_and_set("k", "old", "new")  # nothing there to compare with
    assert await store.get("persisted") == "stays" and await store.get("renewed") == 2
    assert await store.compare_and_set("k", None, "again")


async def test_expired_keys_take_no_room_after_a_sweep(store: Store) -> None:
    for n in range(50):
        await store.set(f"event:{n}", n, ttl=0.05)
    await store.set("live", "kept", ttl=60)
    await store.set("forever", "kept")
    await asyncio.sleep(0.1)  # the TTL itself is what is being tested
    await store.sweep()
    # SQLite deleted them in the sweep; Redis deletes them by itself, in an expiry cycle that runs
    # ten times a second on its own clock, so it gets up to five seconds to do so.
    for _ in range(100):
        if await stored_keys(store) == 2:
            break
        await asyncio.sleep(0.05)
    assert await stored_keys(store) == 2
    assert await store.get("live") == "kept" and await store.get("forever") == "kept"


@pytest.mark.parametrize("fault", ["full", "read-only"])
async def test_a_store_that_cannot_save_says_so_and_recovers(store: Store, fault: Fault) -> None:
    watched = Watched(store)
    await watched.set("before", "kept")
    assert await watched.writable()
    async with refusing_writes(store, fault):
        with pytest.raises(StoreUnavailable):
            await watched.set("new", "value")
        with pytest.raises(StoreUnavailable):
            await watched.compare_and_set("another", None, "value", ttl=60)
        assert watched.failing is not None
        assert not await watched.writable()  # the probe still fails
        assert await store.get("before") == "kept"  # what was saved can still be read
    assert await watched.writable()  # the probe works again
    assert watched.failing is None
    await watched.set("new", "value")
    assert await watched.get("new") == "value"
