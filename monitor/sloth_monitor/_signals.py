"""How a job ended, when something outside the training code ended it: SIGTERM, Ctrl-C, a crash.

A SIGTERM is how SLURM, Kubernetes and most schedulers preempt a job. The first run started in
the main thread puts a handler in front of whatever handled SIGTERM before (never in front of
SIG_IGN, nor of a handler set outside Python). On SIGTERM:

- if the job or its framework had a handler of its own (Lightning has), that handler is called
  and decides what happens, as without this package; a run that ends after that, however it
  ends, is reported "preempted";
- if SIGTERM had its default meaning (end the process), every open run is reported "preempted"
  at once and given the usual short flush, then the default is put back and the signal raised
  again: the process ends as it would have, killed by SIGTERM.

Ctrl-C (KeyboardInterrupt) is "stopped", marked as interrupted at the job, never "failed". An
exception nobody caught is remembered (through a sys.excepthook that calls the one before it),
so a run left open when the process exits is reported with that exception rather than as a
bare "the process exited".
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

sigterm_received = threading.Event()
_uncaught: list[BaseException] = []
_lock = threading.Lock()
_hook_installed = False
_handling = False


def ending(error: BaseException | None, stop_requested: bool) -> tuple[str, bool, BaseException | None]:
    """(status, interrupted at the job, the error worth reporting) for a run ending with `error`."""
    if sigterm_received.is_set() or type(error).__name__ == "SIGTERMException":  # Lightning's, after a SIGTERM
        return "preempted", False, None
    if isinstance(error, KeyboardInterrupt):
        return "stopped", True, None
    if isinstance(error, SystemExit) and error.code in (None, 0):
        error = None  # sys.exit(0) inside the block is a normal end
    if error is not None:
        return "failed", False, error
    return ("stopped" if stop_requested else "completed"), False, None


def uncaught() -> BaseException | None:
    """The exception that is ending the process, if one went uncaught."""
    return _uncaught[-1] if _uncaught else None


def install(on_terminate: Callable[[], None]) -> None:
    """Watch for SIGTERM and uncaught exceptions; `on_terminate` reports every open run before
    the process ends. Safe to call often: it does its work when something is missing."""
    global _hook_installed
    with _lock:
        if not _hook_installed:
            sys.excepthook = _remembering(sys.excepthook)
            _hook_installed = True
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set a signal handler
        try:
            current = signal.getsignal(signal.SIGTERM)
        except (ValueError, AttributeError):
            return
        if current in (signal.SIG_IGN, None) or getattr(current, "sloth_monitor", False):
            return  # ignored on purpose, owned outside Python, or ours already in front
        try:
            signal.signal(signal.SIGTERM, _handler(current, on_terminate))
        except (ValueError, OSError):
            return


def _remembering(previous: Callable[..., Any]) -> Callable[..., Any]:
    def hook(kind: type[BaseException], value: BaseException, traceback: Any) -> None:
        _uncaught.append(value)
        previous(kind, value, traceback)
    return hook


def _handler(previous: Any, on_terminate: Callable[[], None]) -> Callable[[int, FrameType | None], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        global _handling
        # A framework that put its handler in front of ours calls ours in turn: it already decided.
        if _handling:
            return
        _handling = True
        try:
            sigterm_received.set()
            if callable(previous):
                previous(signum, frame)
                return
            on_terminate()
        finally:
            _handling = False
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    handle.sloth_monitor = True  # type: ignore[attr-defined]
    return handle
