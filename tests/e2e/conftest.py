"""Sloth's own end-to-end fixtures, on the emulator's (`sloth_emulator.pytest_plugin`: `slack`, `slack_workspace`).

`emulator` is the kit's `slack` (a module overrides `slack_workspace` for another workspace);
`bot` is a started runtime with the built-in features, talking to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot
from tests.e2e.processes import sloth_wheels


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """sloth-emulator's and sloth-bot's wheels, built once per test session (offline)."""
    return sloth_wheels(tmp_path_factory.mktemp("wheels"))


@pytest.fixture
def emulator(slack: Emulator) -> Emulator:
    return slack


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path) as runtime:
        yield runtime
