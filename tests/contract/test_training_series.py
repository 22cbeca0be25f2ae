"""A run's series (every step, the machine over time) on every store backend: appended in order,
read back whole, thinned evenly when full."""

from __future__ import annotations

import pytest

from bot.store import Namespaced, Store
from handlers.training import series
from handlers.training.series import Series


def points(first: int, count: int) -> list[dict[str, float]]:
    return [{"time": 1_700_000_000.0 + n, "loss": 1.0 / (n + 1)} for n in range(first, first + count)]


async def test_points_come_back_in_order_across_chunks(store: Store) -> None:
    kept = Series(Namespaced(store, "training:"))
    for first in range(0, 600, 40):  # a request's worth at a time, across several chunks
        await kept.add("run-0001", "steps", points(first, 40))
    await kept.add("run-0001", "machine", points(0, 3))
    assert await kept.read("run-0001", "steps") == points(0, 600)
    assert await kept.read("run-0001", "machine") == points(0, 3)
    assert await kept.read("run-0002", "steps") == [] and await kept.stride("run-0001", "steps") == 1


async def test_a_full_series_keeps_every_other_point_and_then_every_second_offered(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(series, "MAX_POINTS", 100)
    monkeypatch.setattr(series, "CHUNK", 30)
    kept = Series(Namespaced(store, "training:"))
    for first in range(0, 160, 10):
        await kept.add("run-0001", "steps", points(first, 10))
    found = await kept.read("run-0001", "steps")
    # 100 points thinned to 50 (0, 2, ... 98), then every second one offered: 100, 102, ... 158.
    assert found == points(0, 160)[::2] and await kept.stride("run-0001", "steps") == 2
