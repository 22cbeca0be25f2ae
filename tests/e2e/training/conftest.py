from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.training.monitor_server import RecordingServer, free_port, serving


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    """A stand-in Sloth that records what the monitor client sends."""
    yield from serving()


@pytest.fixture
def closed_port() -> int:
    return free_port()
