"""How runs end: the finish event, replacing a run re-created under the same name, and process exit.

A run's sender thread holds no reference to its TrainingRun, so a run that nobody refers to any
more can be collected; nothing here keeps one alive either. In a notebook, running a cell again
creates the run again: the earlier run of that name and channel in this process is finished
("stopped") without waiting, so its thread ends instead of heartbeating for the kernel's life.

Runs still open when the process ends are finished here: at exit (as failed with the exception
that ended the process, stopped after Ctrl-C, preempted after SIGTERM), or from the SIGTERM
handler (`_signals`) when SIGTERM is about to end the process. Either way the process waits at
most the longest flush of those runs, once, not once per run.
"""

from __future__ import annotations

import atexit
import threading
import time
import traceback
from typing import Any

from . import _signals
from ._delivery import Outbox, Sender

MAX_TRACEBACK_LINES = 20
# Reentrant: the SIGTERM handler runs on the main thread, which may hold it at that moment.
_lock = threading.RLock()
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
    _signals.install(_preempt_all)
    for old_sender, old_outbox, timeout in earlier:
        close(old_sender, old_outbox, "stopped",
              {"type": "Replaced", "message": f"a new run named {key[0]} started in this process"}, None, timeout)


def watch_signals_again() -> None:
    """Put the SIGTERM handler back in front after a framework installed its own around it.

    Lightning registers its handler after `on_fit_start` and calls the handler it found (ours,
    which would end the process) after its own; in front again, ours lets Lightning decide."""
    if _open:
        _signals.install(_preempt_all)


def close(sender: Sender, outbox: Outbox, status: str, error: dict[str, Any] | None, summary: str | None,
          within: float, interrupted: bool = False) -> None:
    """Queue the finish event once and tell the thread to send it and end within `within` seconds."""
    with sender.lock:
        if sender.finish_queued:
            return
        sender.finish_queued = True
        outbox.put({"type": "finish", "status": status, "error": error, "interrupted": interrupted,
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


def _finish_all(status: str, error: dict[str, Any] | None, interrupted: bool = False) -> None:
    """Finish every open run alike and wait for them together, at most the longest flush."""
    with _lock:
        left = list(_open.values())
    for sender, outbox, timeout, _ in left:
        close(sender, outbox, status, error, None, timeout, interrupted)
    deadline = time.monotonic() + max((t for _, _, t, _ in left), default=0.0)
    for sender, _, _, _ in left:
        sender.finished.wait(max(0.0, deadline - time.monotonic()))


def _preempt_all() -> None:
    _finish_all("preempted", None)


def _at_exit() -> None:
    cause = _signals.uncaught()
    status, interrupted, error = _signals.ending(cause, stop_requested=False)
    fields: dict[str, Any] | None
    if cause is None and status == "completed":  # nothing ended it, yet the run was never finished
        status, fields = "failed", {"type": "ProcessExit",
                                    "message": "the training process exited before the run finished"}
    else:
        fields = error_fields(error)
    _finish_all(status, fields, interrupted)
