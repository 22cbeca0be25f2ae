"""One contract, every backend: get / set with TTL / delete / compare-and-set on JSON values."""

from __future__ import annotations

import asyncio

from bot.store import Namespaced, Store

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
