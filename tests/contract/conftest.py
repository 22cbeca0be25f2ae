"""Store backends under test: SQLite always; Redis with the real redis-server of tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store, open_store


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("redis_url")
    opened = await open_store(url)
    if request.param == "redis":
        await opened.client.flushdb()  # type: ignore[attr-defined]
    yield opened
    await opened.close()
