"""chat.update's budget (bot.pacing) on every store backend: slots per window, shared by every
process using the store, and redraws of one message folded together."""

from __future__ import annotations

import asyncio
import time

from bot.pacing import EditPacer
from bot.store import Namespaced, Store

WINDOW = 0.4


def window_start() -> float:
    """Just after a window began, so a test's slots all fall in one window."""
    now = time.time()
    return (now // WINDOW + 1) * WINDOW + 0.01 - now


async def test_slots_per_window_then_the_next_window(store: Store) -> None:
    pacer = EditPacer(Namespaced(store, "pace"), per_window=3, window=WINDOW)
    await asyncio.sleep(window_start())
    started = time.time()
    for _ in range(3):
        await pacer.acquire()
    assert time.time() - started < WINDOW / 2  # the window's three slots: no wait
    await pacer.acquire()  # the fourth waits for the next window
    assert time.time() - started >= WINDOW * 0.8 and pacer.edits == 4


async def test_processes_sharing_a_store_share_one_budget(store: Store) -> None:
    one, two = (EditPacer(Namespaced(store, "pace"), per_window=4, window=WINDOW) for _ in range(2))
    await asyncio.sleep(window_start())
    started = time.time()
    await asyncio.gather(*(pacer.acquire() for pacer in (one, two) for _ in range(3)))  # six asked, four fit
    assert time.time() - started >= WINDOW * 0.8 and one.edits + two.edits == 6


async def test_background_edits_leave_the_last_slot(store: Store) -> None:
    pacer = EditPacer(Namespaced(store, "pace"), per_window=2, window=WINDOW)
    await asyncio.sleep(window_start())
    await pacer.acquire(reserve=1)
    waiting = asyncio.create_task(pacer.acquire(reserve=1))
    await asyncio.sleep(WINDOW / 4)
    assert not waiting.done()  # a card edit does not take the last slot of the window...
    await asyncio.wait_for(pacer.acquire(), WINDOW / 4)  # ...a move someone waits for does
    await waiting


async def test_redraws_of_one_message_are_folded_and_end_on_the_latest_state(store: Store) -> None:
    pacer = EditPacer(Namespaced(store, "pace"), per_window=1, window=WINDOW)
    state = {"version": 0}
    drawn: list[int] = []

    async def draw() -> None:
        drawn.append(state["version"])
        await asyncio.sleep(0.01)

    await pacer.acquire()  # this window's only slot is gone: the redraws below wait together

    async def change_and_redraw(version: int) -> None:
        state["version"] = version
        await pacer.redraw("C1:1.0", draw)

    await asyncio.gather(*(change_and_redraw(v) for v in range(1, 21)))
    assert drawn == [20]  # twenty changes, one edit, showing the last
    await asyncio.gather(pacer.redraw("C1:1.0", draw), pacer.redraw("C2:2.0", draw))
    assert len(drawn) == 3  # two messages: one edit each
