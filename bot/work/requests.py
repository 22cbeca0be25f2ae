"""The request id: one short id per request, on every log record written while it is handled.

Set when an envelope is taken up (`bot.work.supervisor.WorkerPool`) and carried in each job it
puts on the queue, so a worker's log lines of that job carry it too: one request can be followed
from the replica that acked it to the worker that drew its chart. It is also the error id a
member is shown when something goes wrong, so the id they quote finds every line of their request.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import secrets
from collections.abc import Iterator

_current: contextvars.ContextVar[str] = contextvars.ContextVar("sloth_request_id", default="")


def new_request_id() -> str:
    return secrets.token_hex(4)


def request_id() -> str:
    """The id of the request being handled; "" outside one (start-up, a background task)."""
    return _current.get()


@contextlib.contextmanager
def handling_request(request: str | None = None) -> Iterator[str]:
    """Log records written inside carry `request` (a new id when None)."""
    chosen = request or new_request_id()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record that reaches the handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = _current.get()
        if current and not getattr(record, "request_id", ""):
            record.request_id = current
        return True
