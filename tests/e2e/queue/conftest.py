"""Fixtures of the job queue's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis import asyncio as aioredis


@pytest.fixture
async def queue_url(redis_url: str) -> AsyncIterator[str]:
    """A database of the test redis-server of its own, empty."""
    url = redis_url.rsplit("/", 1)[0] + "/5"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    yield url


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the slow feature's tasks note their attempts and wait for `go`."""
    made = tmp_path / "markers"
    made.mkdir()
    return made
