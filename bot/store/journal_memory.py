"""The journal of a store that lives in memory (`sqlite:///:memory:`): nothing outlives the process,
so only the requests' replay guard matters; the rest keeps the journal's interface."""

from __future__ import annotations

import json
import threading
import time

from bot.store.journal import Entry


class MemoryBackend:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Entry]] = {}
        self._leases: dict[str, float] = {}
        self._once: dict[str, float] = {}

    def append(self, entry_id: str, owner: str, frame: str, once: str | None, once_seconds: float) -> bool:
        now = time.time()
        with self._lock:
            if once is not None:
                if self._once.get(once, 0.0) > now:
                    return False
                self._once = {k: until for k, until in self._once.items() if until > now}
                self._once[once] = now + once_seconds
            self._entries[entry_id] = (now, Entry(entry_id, json.loads(frame), owner, 0))
        return True

    def finish(self, entry_ids: list[str]) -> None:
        for entry_id in entry_ids:
            self.drop(entry_id)

    def drop(self, entry_id: str) -> None:
        with self._lock:
            self._entries.pop(entry_id, None)

    def renew(self, owner: str, seconds: float) -> None:
        with self._lock:
            self._leases[owner] = time.time() + seconds

    def leave(self, owner: str) -> None:
        with self._lock:
            self._leases.pop(owner, None)

    def orphans(self, limit: int) -> list[Entry]:
        now = time.time()
        with self._lock:
            found = sorted(((at, e) for at, e in self._entries.values() if self._leases.get(e.owner, 0.0) <= now),
                           key=lambda pair: pair[0])
        return [e for _, e in found[:limit]]

    def claim(self, entry: Entry, owner: str) -> bool:
        with self._lock:
            held = self._entries.get(entry.id)
            if held is None or held[1] != entry:
                return False
            self._entries[entry.id] = (held[0], Entry(entry.id, entry.frame, owner, entry.takeovers + 1))
        return True

    def close(self) -> None:
        pass
