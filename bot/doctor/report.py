"""What `sloth doctor` found: one Check per line of its table, and the exit code they add up to;
and the channel it tries messages and files in (`Place`), with what to clean up there."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["ok", "failed", "skipped"]
LABELS: dict[Status, str] = {"ok": "ok", "failed": "FAILED", "skipped": "not checked"}
HEADER = ("check", "result", "what to change")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    result: str  # what was found, in a few words
    change: str = ""  # what to do about it; empty when nothing needs doing

    @property
    def shown(self) -> str:
        return f"{LABELS[self.status]}: {self.result}"


@dataclass
class Place:
    """The channel `--channel` names, and what the doctor posted there and deletes afterwards."""

    id: str
    label: str  # "#sloth-test"
    bot: str  # the bot user's name, for "invite @sloth"
    messages: list[str] = field(default_factory=list)  # ts of messages to delete afterwards
    files: list[str] = field(default_factory=list)  # IDs of files to delete afterwards


def ok(name: str, result: str, change: str = "") -> Check:
    return Check(name, "ok", result, change)


def failed(name: str, result: str, change: str) -> Check:
    return Check(name, "failed", result, change)


def skipped(name: str, result: str, change: str = "") -> Check:
    return Check(name, "skipped", result, change)


def exit_code(checks: Sequence[Check]) -> int:
    """0 when every check passed or was skipped, 1 when any failed."""
    return 1 if any(c.status == "failed" for c in checks) else 0


def summary(checks: Sequence[Check]) -> str:
    counts = {status: sum(c.status == status for c in checks) for status in LABELS}
    return f"{counts['failed']} failed, {counts['ok']} passed, {counts['skipped']} not checked."


def render(checks: Sequence[Check], width: int = 120) -> str:
    """The table: check | result | what to change, long cells wrapped within their column."""
    name_width = max(len(HEADER[0]), *(len(c.name) for c in checks)) if checks else len(HEADER[0])
    rest = max(40, width - name_width - 4)
    result_width = rest * 11 // 20
    change_width = rest - result_width
    rows = [HEADER, *((c.name, c.shown, c.change) for c in checks)]
    lines: list[str] = []
    for index, (name, result, change) in enumerate(rows):
        left = textwrap.wrap(name, name_width) or [""]
        middle = textwrap.wrap(result, result_width, break_on_hyphens=False) or [""]
        right = textwrap.wrap(change, change_width, break_on_hyphens=False) or [""]
        for i in range(max(len(left), len(middle), len(right))):
            cells = (_cell(left, i, name_width), _cell(middle, i, result_width), _cell(right, i, 0))
            lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join(("-" * name_width, "-" * result_width, "-" * change_width)))
    return "\n".join([*lines, "", summary(checks)]) + "\n"


def _cell(parts: list[str], i: int, width: int) -> str:
    return (parts[i] if i < len(parts) else "").ljust(width)
