"""Charts, exports and shared files are tested on a workspace with a busy channel (#busy)."""

from __future__ import annotations

import pytest

from sloth_emulator import Emulator, Workspace
from tests.e2e.files.filework import workspace_with_busy_channel


@pytest.fixture
def slack_workspace() -> Workspace:
    return workspace_with_busy_channel()


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    return emulator
