"""A store that cannot be opened says where and why in one sentence, never with a password."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import StoreOpenError, open_store
from bot.store.redis import RedisStore
from tests.conftest import free_port

PASSWORD = "hunter2-not-shown"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers (the kernel accepts them into its backlog)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


async def test_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "volume").write_text("a file where the data folder should be")
    path = tmp_path / "volume" / "data" / "sloth.db"
    with pytest.raises(StoreOpenError) as caught:
        await open_store(f"sqlite:///{path}")
    assert str(caught.value) == (f"Sloth cannot open its store {path}: cannot create the folder {path.parent}: "
                                 "Not a directory")


async def test_a_folder_in_place_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "sloth.db").mkdir()
    with pytest.raises(StoreOpenError) as caught:
        await open_store(f"sqlite:///{tmp_path / 'sloth.db'}")
    path = tmp_path / "sloth.db"
    assert str(caught.value) == f"Sloth cannot open its store {path}: that is a folder, not a database file"


async def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "sloth.db").write_bytes(b"not SQLite at all, " * 100)
    with pytest.raises(StoreOpenError) as caught:
        await open_store(f"sqlite:///{tmp_path / 'sloth.db'}")
    assert str(caught.value) == f"Sloth cannot open its store {tmp_path / 'sloth.db'}: file is not a database"


async def test_redis_out_of_reach_names_the_address_without_the_password() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(StoreOpenError) as caught:
        await open_store(f"redis://sloth:{PASSWORD}@127.0.0.1:{port}/0")
    message = str(caught.value)
    assert message.startswith(f"Sloth cannot open its store redis://***@127.0.0.1:{port}/0: ")
    assert "onnect" in message and PASSWORD not in message


async def test_redis_that_never_answers_is_given_up_on(silent_port: int) -> None:
    with pytest.raises(StoreOpenError) as caught:
        await RedisStore.open(f"redis://127.0.0.1:{silent_port}/0?password={PASSWORD}", within=0.3)
    message = str(caught.value)
    assert message.startswith(f"Sloth cannot open its store redis://127.0.0.1:{silent_port}/0?password=***: ")
    assert "0.3 s" in message or "imeout" in message
    assert PASSWORD not in message


async def test_a_read_only_redis_replica_is_refused(redis_url: str) -> None:
    store = await RedisStore.open(redis_url)
    await store.client.execute_command("REPLICAOF", "127.0.0.1", "1")
    try:
        with pytest.raises(StoreOpenError) as caught:
            await RedisStore.open(redis_url)
        assert "read only replica" in str(caught.value)
    finally:
        await store.client.execute_command("REPLICAOF", "NO", "ONE")
        await store.close()


async def test_an_unknown_kind_of_store() -> None:
    with pytest.raises(StoreOpenError) as caught:
        await open_store(f"postgres://sloth:{PASSWORD}@db/sloth")
    assert str(caught.value) == ("Sloth cannot open its store postgres://***@db/sloth: unsupported store URL; "
                                 "use sqlite:///path or redis://host:port/db")
