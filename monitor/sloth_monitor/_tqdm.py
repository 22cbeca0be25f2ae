"""tqdm(iterable, run=run): a progress bar that also feeds the run card's batch bar.

With the tqdm package installed this is a real ``tqdm.tqdm`` (the console bar as usual); without
it, a plain wrapper that only reports. Updates go through TrainingRun.report_batch, so they are
thinned to one per `progress_interval` before any work and coalesced in the queue: a loop of a
million iterations sends a few requests, not a million.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ._run import TrainingRun
from ._wire import to_float


class Feed:
    """What both bars share: which epoch, how many, the postfix metrics; reports to the run."""

    def __init__(self, run: TrainingRun | None, epoch: int | None, total: int | None) -> None:
        self.run = run
        self.epoch = epoch
        self.total = total
        self.done = 0
        self.metrics: dict[str, Any] = {}

    def report(self, done: int) -> None:
        if self.run is None or done <= 0:
            return
        epoch = self.epoch if self.epoch is not None else self.run.current_epoch
        self.run.report_batch(epoch, done - 1, self.total, self.metrics)

    def postfix(self, values: dict[str, Any]) -> None:
        self.metrics = {k: v for k, v in values.items() if to_float(v) is not None}


class PlainBar:
    """The subset of tqdm's interface that training loops use, for machines without tqdm."""

    def __init__(self, iterable: Iterable[Any] | None = None, total: int | None = None, *,
                 run: TrainingRun | None = None, epoch: int | None = None, **ignored: Any) -> None:
        self.iterable = iterable
        self.total = total if total is not None else _length(iterable)
        self.n = 0
        self.feed = Feed(run, epoch, self.total)

    def __iter__(self) -> Iterator[Any]:
        for item in self.iterable or ():
            yield item
            self.update(1)

    def __len__(self) -> int:
        return self.total or 0

    def update(self, n: float = 1) -> None:
        self.n += int(n)
        self.feed.report(self.n)

    def set_postfix(self, ordered_dict: dict[str, Any] | None = None, refresh: bool = True, **kwargs: Any) -> None:
        self.feed.postfix({**(ordered_dict or {}), **kwargs})

    def set_description(self, desc: str | None = None, refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> PlainBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _length(iterable: Any) -> int | None:
    try:
        return len(iterable)
    except TypeError:
        return None


_class: type | None = None


def _tqdm_class() -> type:
    global _class
    if _class is not None:
        return _class
    try:
        import tqdm as tqdm_package
    except ImportError:
        _class = PlainBar
        return _class

    class SlothTqdm(tqdm_package.tqdm):
        def __init__(self, *args: Any, run: TrainingRun | None = None, epoch: int | None = None,
                     **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.feed = Feed(run, epoch, self.total)
            self.feed.done = int(kwargs.get("initial", 0) or 0)

        def __iter__(self) -> Iterator[Any]:
            # Counted here: tqdm's own loop updates self.n only when it redraws, and never when
            # disabled. When it redraws it calls update() with the items since the last redraw,
            # which this loop has counted already: update() leaves those alone.
            self.iterating = True
            try:
                for item in super().__iter__():
                    yield item
                    self.feed.done += 1
                    self.feed.report(self.feed.done)
            finally:
                self.iterating = False

        def update(self, n: float | None = 1) -> bool | None:
            shown: bool | None = super().update(n)
            if not getattr(self, "iterating", False):
                self.feed.done += int(n or 0)
                self.feed.report(self.feed.done)
            return shown

        def set_postfix(self, ordered_dict: Any = None, refresh: bool = True, **kwargs: Any) -> None:
            super().set_postfix(ordered_dict, refresh, **kwargs)
            self.feed.postfix({**dict(ordered_dict or {}), **kwargs})

    _class = SlothTqdm
    return _class


def tqdm(iterable: Iterable[Any] | None = None, *args: Any, run: TrainingRun | None = None,
         epoch: int | None = None, **kwargs: Any) -> Any:
    """``for batch in tqdm(loader, run=run):`` as with tqdm; `epoch` defaults to the epochs logged so far."""
    return _tqdm_class()(iterable, *args, run=run, epoch=epoch, **kwargs)
