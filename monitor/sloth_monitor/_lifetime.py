"""How runs end: the finish event, replacing a run re-created under the same name, and process exit.

A run's sender thread holds no reference to its TrainingRun, so a run that nobody refers to any
more can be collected; nothing here keeps one alive either. In a notebook, running a cell again
creates the run again: the earlier run of that name and channel in this process is finished
("stopped") without waiting, so its thread ends instead of heartbeating for the kernel's life.
"""

from __future__ import annotations

import atexit
import threading
import time
import traceback
from typing import Any

from ._delivery import Outbox, Sender

MAX_TRACEBACK_LINES = 20
_lock = threading.Lock()
_open: dict[int, tuple[Sender, Outbox, float, tuple[str, str]]] = {}
_atexit_registered = False


def opened(sender: Sender, outbox: Outbox, flush_timeout: float, key: tuple[str, str]) -> None:
    """A run started: finish any earlier open run with the same (name, channel)."""
    global _atexit_registered
    with _lock:
        earlier = [(s, o, t) for s, o, t, k in _open.values() if k == key and s is not sender]
        _open[id(sender)] = (sender, outbox, flush_timeout, key)
        if not _atexit_registered:
            atexit.register(_at_exit)
            _atexit_registered = True
    for old_sender, old_outbox, timeout in earlier:
        close(old_sender, old_outbox, "stopped",
              {"type": "Replaced", "message": f"a new run named {key[0]} started in this process"}, None, timeout)


def close(sender: Sender, outbox: Outbox, status: str, error: dict[str, Any] | None, summary: str | None,
          within: float) -> None:
    """Queue the finish event once and tell the thread to send it and end within `within` seconds."""
    with sender.lock:
        if sender.finish_queued:
            return
        sender.finish_queued = True
        outbox.put({"type": "finish", "status": status, "error": error,
                    "summary": None if summary is None else str(summary)[:2000], "time": time.time()})
        sender.close(within)  # under the same lock: nothing (a machine sample) is queued after the finish
    with _lock:
        _open.pop(id(sender), None)


def error_fields(error: BaseException | None) -> dict[str, Any] | None:
    """The finish event's error: type, message and the last lines of the traceback."""
    if error is None:
        return None
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    text = "".join(lines).rstrip().splitlines()
    return {"type": type(error).__name__, "message": str(error)[:2000],
            "traceback": [line[:300] for line in text[-MAX_TRACEBACK_LINES:]]}


def _at_exit() -> None:
    with _lock:
        left = list(_open.values())
    message = "the training process exited before the run finished"
    for sender, outbox, timeout, _ in left:
        close(sender, outbox, "failed", {"type": "ProcessExit", "message": message}, None, timeout)
    deadline = time.monotonic() + max((t for _, _, t, _ in left), default=0.0)
    for sender, _, _, _ in left:
        sender.finished.wait(max(0.0, deadline - time.monotonic()))
