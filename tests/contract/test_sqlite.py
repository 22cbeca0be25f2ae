"""What only the SQLite backend has to do itself: count TTLs on the clock it was given, and
delete expired rows (Redis does both on its own)."""

from __future__ import annotations

from pathlib import Path

from bot.store import open_store
from bot.testing import FakeClock
from tests.store_faults import stored_keys


async def test_ttls_follow_the_injected_clock_and_expired_rows_go_when_read(tmp_path: Path) -> None:
    clock = FakeClock()
    store = await open_store(f"sqlite:///{tmp_path / 'store.db'}", clock)
    try:
        await store.set("short", 1, ttl=60)
        await store.set("long", 2, ttl=3600)
        clock.advance(59)
        assert await store.get("short") == 1 and await stored_keys(store) == 2
        clock.advance(2)
        assert await store.get("short") is None
        assert await stored_keys(store) == 1  # the read deleted the expired row
        clock.advance(3600)
        assert await store.sweep() == 1 and await stored_keys(store) == 0
    finally:
        await store.close()


async def test_the_sweep_deletes_in_batches_and_keeps_the_live_rows(tmp_path: Path) -> None:
    clock = FakeClock()
    store = await open_store(f"sqlite:///{tmp_path / 'store.db'}", clock)
    try:
        for n in range(2500):  # more than two batches
            await store.set(f"event:{n}", n, ttl=3600)
        await store.set("game", {"live": True}, ttl=7 * 86400)
        await store.set("setting", "kept")
        clock.advance(3601)
        assert await store.sweep() == 2500
        assert await stored_keys(store) == 2
        assert await store.get("game") == {"live": True} and await store.get("setting") == "kept"
    finally:
        await store.close()
