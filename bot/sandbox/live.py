"""What the sandbox adds for training runs: ingest on a known port with a token, the command to
point a job at it, changes shown as they happen (a run card edits itself), and uploaded files
saved to disk so their pictures can be opened."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text

from bot.emulator import Emulator

PREFERRED_PORT = 8080  # bot.monitor's default SLOTH_URL is http://127.0.0.1:8080


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
            "python examples/train_digits.py --owner U01WJK68KS")


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

    def lines(self, message: dict[str, Any]) -> list[Text]:
        found = []
        for shared in message.get("files") or []:
            record = self.emu.workspace.files.get(shared.get("id", ""))
            if record is None or record.content is None:
                continue
            path = self._save(record.id, record.name, record.content)
            found.append(Text(f"📎 {record.title or record.name} ({len(record.content):,} bytes) saved to {path}",
                              style="blue"))
        return found

    def _save(self, file_id: str, name: str, content: bytes) -> Path:
        if file_id not in self.saved:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="sloth-sandbox-files-"))
            safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name) or "file"
            path = self.folder / f"{file_id}-{safe}"
            path.write_bytes(content)
            self.saved[file_id] = path
        return self.saved[file_id]


def fingerprint(message: dict[str, Any]) -> str:
    """What a reader sees of a message: a new reply in its thread does not make it look edited."""
    return json.dumps([message.get(k) for k in ("text", "blocks", "attachments", "files")], sort_keys=True)
