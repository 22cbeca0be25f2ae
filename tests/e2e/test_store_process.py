"""`python -m bot` with a store it cannot open: exit 1 with one line naming the store (never a
Redis password) and the cause; no traceback, no hang."""

from __future__ import annotations

import asyncio
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sloth_emulator import Emulator
from tests.conftest import free_port
from tests.e2e.processes import ROOT, sloth_env

PASSWORD = "hunter2-not-shown"


async def refused_start(emu: Emulator, data_dir: Path, *, wrap: Sequence[str] = (), **extra: str) -> str:
    """Start Sloth (this checkout's, `wrap` around it); its exit code must be 1; its one log line."""
    env = sloth_env(data_dir, emu, PYTHONPATH=str(ROOT), **extra)
    process = await asyncio.create_subprocess_exec(
        *wrap, sys.executable, "-m", "bot", "run", env=env, cwd=next(p for p in data_dir.parents if p.is_dir()),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(process.communicate(), 30)  # no hang
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = err.decode()
    assert process.returncode == 1, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    [line] = text.strip().splitlines()
    assert " ERROR " in line
    return line.split(": ", 1)[1]  # what follows the logger's name


async def test_a_data_folder_that_cannot_be_made(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "volume").write_text("a file where the data folder should be")
    data = tmp_path / "volume" / "data"
    said = await refused_start(emulator, data)
    assert said == f"Sloth cannot open its store {data / 'sloth.db'}: cannot create the folder {data}: Not a directory"


async def test_a_folder_in_place_of_the_database(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "data" / "sloth.db").mkdir(parents=True)
    said = await refused_start(emulator, tmp_path / "data")
    path = tmp_path / "data" / "sloth.db"
    assert said == f"Sloth cannot open its store {path}: that is a folder, not a database file"


def read_only_mount(folder: Path) -> list[str]:
    """A command prefix that runs the rest with `folder` mounted read-only (a mount namespace of
    its own: nothing outside the process sees it), or a skip where the machine does not allow it."""
    script = f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec \"$@\""
    prefix = ["unshare", "--mount", "sh", "-c", script, "sh"]
    probe = subprocess.run([*prefix, "sh", "-c", f"! touch {folder}/probe 2>/dev/null"], capture_output=True,
                           check=False) if shutil.which("unshare") else None
    if probe is None or probe.returncode != 0:
        pytest.skip("this machine cannot mount a folder read-only for one process (needs unshare and CAP_SYS_ADMIN)")
    return prefix


async def test_a_database_on_a_read_only_volume(emulator: Emulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    prefix = read_only_mount(data)
    sqlite3.connect(data / "sloth.db").execute("CREATE TABLE kept (x)").connection.close()  # a store from before
    said = await refused_start(emulator, data, wrap=prefix)
    assert said.startswith(f"Sloth cannot open its store {data / 'sloth.db'}: ")
    assert said.endswith("(Read-only file system)"), said


async def test_redis_out_of_reach(emulator: Emulator, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    said = await refused_start(emulator, tmp_path / "data", SLOTH_STORE_URL=f"redis://sloth:{PASSWORD}@127.0.0.1:{port}/0")
    assert said.startswith(f"Sloth cannot open its store redis://***@127.0.0.1:{port}/0: Error 111 connecting")
    assert PASSWORD not in said


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers (the kernel accepts them into its backlog)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


async def test_redis_that_never_answers(emulator: Emulator, tmp_path: Path, silent_port: int) -> None:
    said = await refused_start(emulator, tmp_path / "data",
                               SLOTH_STORE_URL=f"redis://:{PASSWORD}@127.0.0.1:{silent_port}/0")
    assert said == f"Sloth cannot open its store redis://***@127.0.0.1:{silent_port}/0: no answer within 5 s"
