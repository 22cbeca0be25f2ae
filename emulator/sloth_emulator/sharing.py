"""The share step of file upload v2, which Slack runs after files.completeUploadExternal answers.

Slack's upload guide and SDK issues agree that the share is asynchronous: right after the call
files.info shows no `shares` and no `channels`, and a little later the file is shared (the
message with initial_comment appears). Here the share runs `share_delay` seconds after the
call (Emulator(share_delay=...)); None holds every share until a test calls
`Emulator.complete_shares()`, so both states can be looked at without guessing a time.

One failure is modelled as python-slack-sdk#1818 reports it (labelled server-side): with
`alt_txt` on a non-image upload (the report uploads a PDF), files_upload_v2 succeeds but the
file is never shared and the initial_comment never appears. Such shares are dropped, silently,
and listed in `dropped` for tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sloth_emulator.model import Channel, FileRecord, Message
from sloth_emulator.shapes import file_kind

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator


@dataclass(frozen=True)
class PendingShare:
    files: list[FileRecord]
    messages: list[tuple[Channel, Message]]  # where to share, and the share message for each
    thread_ts: str | None


def fails_silently(record: FileRecord) -> bool:
    """python-slack-sdk#1818: alt_txt (a "Description of image for screen-reader", per the
    reference) on a file that is not an image leaves it unshared."""
    return bool(record.alt_txt) and not file_kind(record.name)[0].startswith("image/")


class Shares:
    def __init__(self, emu: Emulator, delay: float | None) -> None:
        self.emu = emu
        self.delay = delay
        self.pending: list[PendingShare] = []
        self.dropped: list[PendingShare] = []

    def later(self, files: list[FileRecord], messages: list[tuple[Channel, Message]], thread_ts: str | None) -> None:
        share = PendingShare(files, messages, thread_ts)
        if any(fails_silently(record) for record in files):
            self.dropped.append(share)
            return
        self.pending.append(share)
        if self.delay is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.emu.timers.append(loop.call_later(self.delay, self._complete, share))

    def complete_all(self) -> int:
        """Run every share still waiting; how many there were."""
        waiting = list(self.pending)
        for share in waiting:
            self._complete(share)
        return len(waiting)

    def _complete(self, share: PendingShare) -> None:
        if share not in self.pending:
            return
        self.pending.remove(share)
        ws = self.emu.workspace
        for channel, message in share.messages:
            parent = channel.messages.get(share.thread_ts or "")
            stored = ws.post(channel, message, thread_ts=share.thread_ts if parent is not None else None)
            for record in share.files:
                if record.id in ws.files:
                    record.shares.setdefault(channel.id, []).append(stored["ts"])
        self.emu.changed()
