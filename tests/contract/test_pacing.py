"""chat.update's budget (bot.slack.pacing) on every store backend: slots per window, shared by every
process using the store, interactive edits before background ones, and redraws of one message
folded together.

The pacer runs on a clock the test moves: nothing here waits for a real window to pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import pytest

from bot.slack.pacing import EditPacer
from bot.store import Namespaced, Store

WINDOW = 12.0  # production's numbers: time is the test's to move
START = 141_666_667 * WINDOW  # the start of a window, in November 2023


class SteppedClock:
    """Time that moves only when the test moves it; `sleep` returns once it has moved far enough."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._changed = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> asyncio.Future[None]:
        """Done once the clock has moved `seconds` on from now (now: when called, not when awaited)."""
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if seconds <= 0:
            wake.set_result(None)
            return wake
        entry = (self.now + seconds, wake)
        self._sleepers.append(entry)
        self._changed.set()
        wake.add_done_callback(lambda _: self._forget(entry))
        return wake

    def _forget(self, entry: tuple[float, asyncio.Future[None]]) -> None:
        if entry in self._sleepers:  # cancelled: it no longer counts as asleep
            self._sleepers.remove(entry)
            self._changed.set()

    def advance(self, seconds: float) -> None:
        """Move time on and wake every sleeper now due (they stop counting as asleep at once)."""
        self.now += seconds
        for entry in [e for e in self._sleepers if e[0] <= self.now]:
            self._sleepers.remove(entry)
            if not entry[1].done():
                entry[1].set_result(None)

    async def asleep(self, count: int) -> None:
        """Wait until exactly `count` coroutines are sleeping on this clock: everything else has
        run as far as it can without time moving."""
        # A sleep cancelled a moment ago is done at once, though its entry goes a step later.
        while sum(not wake.done() for _, wake in self._sleepers) != count:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), 5)


def pacer_on(store: Store, clock: SteppedClock, per_window: int, reserved: int | None = None) -> EditPacer:
    return EditPacer(Namespaced(store, "pace"), per_window=per_window, window=WINDOW, clock=clock,
                     sleep=clock.sleep, reserved=reserved)


async def finished(*tasks: Awaitable[None]) -> None:
    """Wait for `tasks`; a pacer that never lets them through fails the test instead of hanging it."""
    await asyncio.wait_for(asyncio.gather(*tasks), 5)


RUNNING: list[asyncio.Task[None]] = []


def started(*waits: Awaitable[None]) -> list[asyncio.Task[None]]:
    async def run(wait: Awaitable[None]) -> None:
        await wait

    tasks = [asyncio.ensure_future(run(wait)) for wait in waits]
    RUNNING.extend(tasks)
    return tasks


@pytest.fixture(autouse=True)
async def stopped_afterwards(store: Store) -> AsyncIterator[None]:
    """Whatever a test left waiting (it failed) is stopped before its store closes."""
    try:
        yield
    finally:
        pending = set(RUNNING)
        for _ in range(10):  # redis-py sometimes swallows a cancellation that lands mid-command
            if not pending:
                break
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=0.5)
        RUNNING.clear()


async def test_slots_per_window_then_the_next_window(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=3)
    for _ in range(3):
        await pacer.acquire()  # the window's three slots: no sleep at all
    [fourth] = started(pacer.acquire())
    await clock.asleep(1)
    clock.advance(WINDOW - 0.01)
    await clock.asleep(1)  # still asleep a moment before the window ends
    assert not fourth.done() and pacer.edits == 3
    clock.advance(0.01)
    await fourth
    assert pacer.edits == 4


async def test_processes_sharing_a_store_share_one_budget(store: Store) -> None:
    clock = SteppedClock()
    one, two = pacer_on(store, clock, per_window=4), pacer_on(store, clock, per_window=4)
    asked = started(*(pacer.acquire() for pacer in (one, two) for _ in range(3)))  # six asked, four fit
    while sum(task.done() for task in asked) < 4:
        await asyncio.wait([task for task in asked if not task.done()], return_when=asyncio.FIRST_COMPLETED)
    waiting = sum(not all(task.done() for task in asked[i:i + 3]) for i in (0, 3))
    await clock.asleep(waiting)  # each process with an edit left waits for the next window
    assert one.edits + two.edits == 4 and sum(task.done() for task in asked) == 4
    clock.advance(WINDOW)
    await finished(*asked)
    assert one.edits + two.edits == 6


async def test_background_edits_leave_the_reserved_slots(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=2, reserved=1)
    await pacer.acquire(background=True)
    [card] = started(pacer.acquire(background=True))
    await clock.asleep(1)
    clock.advance(WINDOW / 2)
    await clock.asleep(1)
    assert not card.done()  # a card edit does not take the last slot of the window...
    await pacer.acquire()  # ...a move someone waits for does, without sleeping
    clock.advance(WINDOW / 2)
    await card
    assert pacer.edits == 3


async def test_the_earlier_reserve_argument_marks_a_background_edit(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=2, reserved=1)
    await pacer.acquire(reserve=1)
    [card] = started(pacer.acquire(reserve=1))
    await clock.asleep(1)
    assert not card.done()
    await pacer.acquire()
    clock.advance(WINDOW)
    await card


async def test_background_edits_are_spread_over_the_window(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=8)  # two reserved for moves, two kept for cards, six at most
    cards = started(*(pacer.acquire(background=True) for _ in range(7)))
    await finished(*cards[:2])  # the two kept for cards go at once
    await clock.asleep(1)
    for elapsed, edits in ((2, 2), (4, 3), (6, 4), (8, 5), (10, 6)):  # the rest: one each 2 s from 4 s
        clock.advance(WINDOW / 6)
        await clock.asleep(1)
        assert pacer.edits == edits, elapsed
    # Ten seconds in, six cards were edited; the seventh waits for the next window, and a move
    # still finds two slots at once.
    await pacer.acquire()
    await pacer.acquire()
    assert pacer.edits == 8 and sum(task.done() for task in cards) == 6
    clock.advance(WINDOW / 6)
    await finished(*cards)


async def test_moves_take_the_whole_window_when_no_card_waits(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=8)
    for _ in range(8):
        await pacer.acquire()  # nothing sleeps: no slot was kept back
    assert pacer.edits == 8


async def test_moves_go_first_however_many_cards_wait(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=8)
    cards = started(*(pacer.acquire(background=True) for _ in range(20)))
    await finished(*cards[:2])
    await clock.asleep(1)
    clock.advance(WINDOW * 11 / 12)  # late in the window: the cards have taken their six slots
    await clock.asleep(1)
    assert sum(task.done() for task in cards) == 6
    moves = started(*(pacer.acquire() for _ in range(8)))  # asked after the cards, served first
    await finished(*moves[:2])  # the two reserved slots, at once
    await clock.asleep(2)  # the next move, and the next card, wait for the next window
    assert sum(task.done() for task in moves) == 2
    clock.advance(WINDOW / 12)
    # The next window: every waiting move, and the two slots kept for cards so they never freeze.
    await finished(*moves, *cards[6:8])
    await clock.asleep(1)
    assert sum(task.done() for task in cards) == 8 and pacer.edits == 16


async def test_an_edit_given_up_leaves_the_queue(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=1)
    await pacer.acquire()
    first, second = started(pacer.acquire(), pacer.acquire())
    await clock.asleep(1)
    first.cancel()  # e.g. Sloth stopping while a card waited
    await asyncio.wait([first])
    clock.advance(WINDOW)
    await asyncio.wait_for(second, 5)  # the next in line is not stuck behind it
    assert first.cancelled() and pacer.edits == 2


async def test_redraws_of_one_message_are_folded_and_end_on_the_latest_state(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=1)
    state = {"version": 0}
    drawn: list[int] = []

    async def draw() -> None:
        drawn.append(state["version"])

    await pacer.acquire()  # this window's only slot is gone: the redraws below wait together

    async def change_and_redraw(version: int) -> None:
        state["version"] = version
        await pacer.redraw("C1:1.0", draw)

    folded = started(*(change_and_redraw(v) for v in range(1, 21)))
    await clock.asleep(1)
    clock.advance(WINDOW)
    await finished(*folded)
    assert drawn == [20]  # twenty changes, one edit, showing the last
    two = started(pacer.redraw("C1:1.0", draw), pacer.redraw("C2:2.0", draw, background=True))
    await clock.asleep(1)
    clock.advance(WINDOW)
    await clock.asleep(1)
    clock.advance(WINDOW)
    await finished(*two)
    assert len(drawn) == 3  # two messages: one edit each


async def test_a_change_made_while_drawing_is_drawn_after(store: Store) -> None:
    clock = SteppedClock()
    pacer = pacer_on(store, clock, per_window=8)
    state = {"version": 1}
    drawn: list[str] = []
    drawing, release = asyncio.Event(), asyncio.Event()

    async def slow_draw() -> None:
        drawn.append(f"card {state['version']}")
        drawing.set()
        await release.wait()

    async def draw() -> None:
        drawn.append(f"card {state['version']}")

    async def other() -> None:
        drawn.append("another message")

    [first] = started(pacer.redraw("C1:1.0", slow_draw))
    await drawing.wait()
    state["version"] = 2  # the card changed while its edit was on its way
    [second] = started(pacer.redraw("C1:1.0", draw))
    await pacer.redraw("C2:2.0", other)  # slots are free: only the same message waits
    assert drawn == ["card 1", "another message"]
    release.set()
    await finished(first, second)
    assert drawn == ["card 1", "another message", "card 2"]  # it ends on the latest state
