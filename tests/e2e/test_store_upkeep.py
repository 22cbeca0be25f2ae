"""The store stays small: a day of chatter on a simulated clock leaves only live keys behind."""

from __future__ import annotations

from pathlib import Path

from bot.handling.envelopes import DEDUPE_TTL
from bot.runtime.lifecycle import Runtime
from bot.store.sqlite import SQLiteStore
from bot.testing import FakeClock
from sloth_emulator import Emulator
from tests.e2e.harness import run_jobs, running_bot, settle
from tests.store_faults import stored_keys

STEP = 600.0  # ten minutes: the core feature's sweep is due at every step
PER_STEP = 3  # channel messages Sloth sees (and notes the event id of) per step


async def rows(store: SQLiteStore, where: str, *args: object) -> int:
    async with store.db.execute(f"SELECT count(*) FROM kv WHERE {where}", args) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def pages(store: SQLiteStore) -> int:
    async with store.db.execute("PRAGMA page_count") as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def idle_day(emu: Emulator, runtime: Runtime, clock: FakeClock) -> int:
    """A day in ten-minute steps: members chatting where Sloth listens, a chat.update slot taken
    (a pacing key with a TTL), the due jobs run. How many events Sloth saw."""
    seen = 0
    for step in range(int(86400 / STEP)):
        for n in range(PER_STEP):
            await (await emu.user_message(channel="random", text=f"chatter {step}.{n}")).acked()
        await runtime.ctx.edits.acquire()
        await settle(runtime)
        await run_jobs(runtime)
        seen += PER_STEP
        clock.advance(STEP)
    await run_jobs(runtime)
    return seen


async def test_an_idle_day_leaves_the_store_no_larger_than_its_live_keys(emulator: Emulator, tmp_path: Path) -> None:
    clock = FakeClock()
    async with running_bot(emulator, tmp_path, clock=clock) as runtime:
        store = runtime.store.store
        assert isinstance(store, SQLiteStore)
        assert await idle_day(emulator, runtime, clock) == 432
        total = await stored_keys(store)
        assert total == await rows(store, "expires IS NULL OR expires > ?", clock())  # nothing expired is kept
        events = await rows(store, "key LIKE 'event:%'")
        assert 0 < events <= PER_STEP * (DEDUPE_TTL / STEP + 1)  # the last hour's event ids, no more
        assert total < 60, total
        size = await pages(store)
        await idle_day(emulator, runtime, clock)  # a second day reuses the room the first one freed
        assert await stored_keys(store) <= total and await pages(store) <= size
