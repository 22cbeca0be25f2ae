"""@notify(channel="#ml"): a card for any function or script step: started, done in how long, or why it failed.

    @notify(channel="#ml", owner="U012AB3CD")
    def build_features(day): ...

    with notify("nightly export", channel="#ml"):
        ...

The function's return value is the card's summary (``summary=`` takes a function of it to say
something shorter); an exception is reported with its type, message and the last lines of its
traceback, and raised again unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from ._run import TrainingRun

F = TypeVar("F", bound=Callable[..., Any])


class notify:
    """A decorator (``@notify(channel=...)``) and a context manager (``with notify("step", channel=...)``)."""

    def __init__(self, name: str | None = None, *, channel: str, owner: str | None = None,
                 summary: Callable[[Any], Any] | None = None, **run_options: Any) -> None:
        self.name = name
        self.channel = channel
        self.owner = owner
        self.summary = summary
        self.run_options = run_options
        self.run: TrainingRun | None = None

    def __call__(self, function: F) -> F:
        name = self.name or getattr(function, "__qualname__", "task")

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            task = notify(name, channel=self.channel, owner=self.owner, summary=self.summary, **self.run_options)
            with task:
                result = function(*args, **kwargs)
                task.result = result
            return result
        return wrapper  # type: ignore[return-value]

    def __enter__(self) -> TrainingRun:
        self.result: Any = None
        self.run = TrainingRun(self.name or "task", self.channel, owner=self.owner, kind="task",
                               framework="notify", system_interval=None, **self.run_options)
        self.run.start()
        return self.run

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        assert self.run is not None
        if error is not None:
            self.run.finish(error=error)
            return  # the exception goes on unchanged
        self.run.finish(summary=self._summary())

    def _summary(self) -> str | None:
        try:
            value = self.result if self.summary is None else self.summary(self.result)
        except Exception as exc:
            return f"(summary failed: {type(exc).__name__})"
        return None if value is None else repr(value) if not isinstance(value, str) else value
