"""The workspace the stand-up tests run in: Sloth's default one plus a #standup channel."""

from __future__ import annotations

import pytest

from sloth_emulator import Workspace


@pytest.fixture
def slack_workspace() -> Workspace:
    workspace = Workspace.default()
    workspace.create_channel("standup", creator=workspace.first_human().id)
    return workspace
