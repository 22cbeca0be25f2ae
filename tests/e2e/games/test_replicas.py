"""Two Sloth replicas sharing one Redis and one workspace play the same games consistently.

The emulator hands each delivery to the next Socket Mode connection in turn, as Slack spreads
events over an app's connections, so consecutive clicks land on alternate replicas.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from bot.store import open_store
from bot.testing import FakeClock
from handlers.games.sweeper import sweep
from sloth_emulator import Emulator
from tests.e2e.games.gameplay import (
    AMELIA,
    WILL,
    click,
    click_many,
    drawn_payload,
    message,
    payload,
    settle_all,
    start,
)
from tests.e2e.harness import running_bot


@pytest.fixture
async def replicas(
    emulator: Emulator, tmp_path: Path, redis_url: str, clock: FakeClock
) -> AsyncIterator[list[Runtime]]:
    url = redis_url.rsplit("/", 1)[0] + "/1"  # a database of its own: the contract tests flush db 0
    store = await open_store(url)
    await store.client.flushdb()  # type: ignore[attr-defined]
    await store.close()
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_bot(
            emulator, tmp_path / "a", connections=1, clock=clock, store_url=url))
        second = await stack.enter_async_context(running_bot(
            emulator, tmp_path / "b", connections=2, clock=clock, store_url=url))
        yield [first, second]


def updates_by(runtime: Runtime) -> float:
    return float(runtime.metrics.api_calls.labels("chat.update", "ok")._value.get())


async def test_a_game_played_across_two_replicas(emulator: Emulator, replicas: list[Runtime]) -> None:
    game = await start(emulator, replicas, f"play tictactoe <@{AMELIA}|amelia>")
    game = await click(emulator, replicas, game, "game:accept", AMELIA)
    versions = [payload(game)["version"]]
    for cell, player in ((4, WILL), (0, AMELIA), (8, WILL), (2, AMELIA), (1, WILL), (7, AMELIA), (6, WILL),
                         (5, AMELIA), (3, WILL)):
        game = await click(emulator, replicas, game, f"game:move:{cell}", player)
        versions.append(payload(game)["version"])
    assert versions == list(range(versions[0], versions[0] + 10))
    assert payload(game)["status"] == "draw"
    assert all(updates_by(runtime) >= 4 for runtime in replicas)  # both replicas drew moves

    game = await start(emulator, replicas, "play connect4")
    for column in (0, 0, 0, 6, 6, 6, 5):
        if payload(game)["status"] != "playing":
            break
        game = await click(emulator, replicas, game, f"game:move:{column}", WILL)
        assert payload(game)["turn"] in (WILL, None)  # Sloth always answered, whichever replica it was


async def test_twenty_concurrent_clicks_over_two_replicas_apply_one_move(
    emulator: Emulator, replicas: list[Runtime]
) -> None:
    game = await start(emulator, replicas, f"play tictactoe <@{AMELIA}|amelia>")
    game = await click(emulator, replicas, game, "game:accept", AMELIA)
    version, updates = payload(game)["version"], len(emulator.calls_to("chat.update"))
    game = await click_many(emulator, replicas, game, [("game:move:4", WILL)] * 20)
    assert payload(game)["version"] == version + 1
    assert len(emulator.calls_to("chat.update")) == updates + 1
    updates = len(emulator.calls_to("chat.update"))
    cells = [0, 1, 2, 3, 5, 6, 7, 8]
    game = await click_many(emulator, replicas, game, [(f"game:move:{cells[i % 8]}", AMELIA) for i in range(20)])
    assert payload(game)["version"] == version + 2
    assert sum(row.count("O") for row in payload(game)["board"]) == 1
    drawn = {str(drawn_payload(call)["board"]) for call in emulator.calls_to("chat.update")[updates:]}
    assert drawn == {str(payload(game)["board"])}


async def test_both_sweepers_expire_a_game_once(
    emulator: Emulator, replicas: list[Runtime], clock: FakeClock
) -> None:
    game = await start(emulator, replicas, "play tictactoe")
    clock.advance(24 * 3600)
    updates = len(emulator.calls_to("chat.update"))
    await asyncio.gather(*(sweep(runtime.ctx.of("games")) for runtime in replicas))  # both at once
    await settle_all(replicas)
    assert payload(message(emulator, game["ts"]))["status"] == "expired"
    assert len(emulator.calls_to("chat.update")) == updates + 1
