"""What the sandbox adds for training runs: ingest on a known port with a token, the command to
point a job at it, changes shown as they happen (a run card edits itself), and uploaded files
saved to disk so their pictures can be opened."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import secrets
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sloth_emulator import Emulator

PREFERRED_PORT = 8080  # sloth_monitor's default SLOTH_URL is http://127.0.0.1:8080


def monitor_token() -> str:
    return os.environ.get("SLOTH_MONITOR_TOKEN", "").strip() or secrets.token_urlsafe(18)


def pick_port(preferred: int = PREFERRED_PORT) -> int:
    """The preferred port when it is free on 127.0.0.1, else 0 (any free port)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            return 0
    return preferred


def how_to_report(port: int, token: str) -> str:
    return (f"Training jobs can report here: SLOTH_URL=http://127.0.0.1:{port} SLOTH_MONITOR_TOKEN={token} "
            "python examples/train_digits.py --channel '#ml' --owner U01WJK68KS")


async def show_changes(emu: Emulator, unseen: Callable[[], bool], show: Callable[[], None]) -> None:
    """Print changes nobody typed a line for, such as a run card being edited, as they happen."""
    while True:
        with contextlib.suppress(TimeoutError):
            await emu.wait_for(unseen, timeout=3600)
            show()


class SavedFiles:
    """Files Sloth uploads, written to a folder that outlives the sandbox so they can be opened."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.folder: Path | None = None
        self.saved: dict[str, Path] = {}

    def save_all(self, message: dict[str, Any]) -> None:
        for shared in message.get("files") or []:
            record = self.emu.workspace.files.get(shared.get("id", ""))
            if record is not None and record.content is not None:
                self._save(record.id, record.name, record.content)

    def describe(self, file_id: str) -> str | None:
        """Where a file was saved, and what it is (PNG size, CSV rows)."""
        path = self.saved.get(file_id)
        return f"{path}{_what(path.read_bytes())}" if path else None

    def _save(self, file_id: str, name: str, content: bytes) -> Path:
        if file_id not in self.saved:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="sloth-sandbox-files-"))
            safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name) or "file"
            path = self.folder / f"{file_id}-{safe}"
            path.write_bytes(content)
            self.saved[file_id] = path
        return self.saved[file_id]


def _what(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return f" ({int.from_bytes(data[16:20], 'big')}×{int.from_bytes(data[20:24], 'big')} PNG)"
    if data[:3] == b"\xef\xbb\xbf":  # a CSV export, UTF-8 with a BOM
        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) - 1
        return f" (CSV, {rows:,} rows)"
    return ""


def fingerprint(message: dict[str, Any]) -> str:
    """What a reader sees of a message: a new reply in its thread does not make it look edited."""
    return json.dumps([message.get(k) for k in ("text", "blocks", "attachments", "files")], sort_keys=True)
