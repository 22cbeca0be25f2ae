"""The index of the runs Sloth keeps: their IDs, oldest first, in one store key.

No run is ever left out of it. Additions from this process are coalesced (group commit):
whoever finds the index free writes every ID waiting at that moment in one compare-and-set,
so a burst of a thousand new runs costs a handful of writes, and a compare-and-set can only
lose to another Sloth process, after which it retries with a jittered backoff. There is no
count cap: an ID leaves only when its run has expired (the sweeper calls `remove`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.api import Namespaced

KEY = "index"
MAX_TRIES = 30
MAX_BACKOFF = 0.25  # seconds; the longest pause between two tries against another process


class ConflictError(RuntimeError):
    """A run or the index kept changing; should not happen outside a pathological load."""


@dataclass
class _Group:
    """IDs that wait to be written together, and how their write ended."""

    ids: list[str] = field(default_factory=list)
    done: bool = False
    error: BaseException | None = None


class RunIndex:
    def __init__(self, keys: Namespaced) -> None:
        self.keys = keys
        self._lock = asyncio.Lock()  # one writer of this process at a time
        self._next = _Group()  # the IDs the next write takes

    async def ids(self) -> list[str]:
        """Every indexed run ID, oldest first."""
        found: list[str] = await self.keys.get(KEY) or []
        return found

    async def add(self, run_id: str) -> None:
        """Index `run_id` (at the end, unless it is there already); returns once it is written."""
        group = self._next
        group.ids.append(run_id)
        async with self._lock:
            if not group.done:  # nobody wrote our group while we waited: write it and all it holds
                self._next = _Group()
                try:
                    await self._edit(lambda ids: appended(ids, group.ids))
                except BaseException as e:
                    group.error = e
                    raise
                finally:
                    group.done = True
        if group.error is not None:
            raise ConflictError(f"the run index could not be written: {group.error!r}")

    async def remove(self, run_ids: set[str]) -> None:
        async with self._lock:
            await self._edit(lambda ids: [i for i in ids if i not in run_ids])

    async def _edit(self, edit: Callable[[list[str]], list[str]]) -> None:
        for attempt in range(MAX_TRIES):
            before = await self.keys.get(KEY)
            after = edit(list(before or []))
            if after == before or await self.keys.compare_and_set(KEY, before, after):
                return
            # Another process wrote in between: back off a random while, so two never keep colliding.
            await asyncio.sleep(random.uniform(0, min(MAX_BACKOFF, 0.002 * 2**attempt)))
        raise ConflictError(f"the run index kept changing; gave up after {MAX_TRIES} tries")


def appended(ids: list[str], new: list[str]) -> list[str]:
    """`ids` with those of `new` that it lacks at the end, each once."""
    known = set(ids)
    return ids + [i for i in dict.fromkeys(new) if i not in known]
