"""A run's series, kept beside the run for pages that draw it: every step's metrics and the
machine's figures over time.

The run itself (one store key, read and written on every request) keeps only what the card
shows: the epochs (`history`), the latest batch and the latest machine sample. The series keep
every point the job sent, in chunks of `CHUNK` points under keys of their own, so a long run
never makes the run's key heavy:

- `steps`: one point per batch event the job sent (the client sends at most about one a
  second): `{"time", "epoch", "batch", "total_batches", "metrics"}`, time in the job's clock;
- `machine`: one point per machine sample (every 5 s by default): `{"time", "gpus",
  "cpu_percent", "process_cpu_percent", "ram_used_mb", "ram_total_mb", "process_rss_mb"}`.

A series holds at most `MAX_POINTS`; reaching it, every other point is dropped and from then on
only every second point offered is kept (then every fourth, ...), so a series always spans the
whole run at an even resolution. Writes of one run are serial in a Sloth process (ingest holds
the run's lock); a series is kept as long as its run (30 days after the last write).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.api import Namespaced

CHUNK = 250
MAX_POINTS = 10_000
TTL = 30 * 86400.0
KINDS = ("steps", "machine")
Point = dict[str, Any]


class Series:
    def __init__(self, keys: Namespaced) -> None:
        self.keys = keys

    async def add(self, run_id: str, kind: str, points: list[Point]) -> None:
        """Append `points` (in the order the job sent them), keeping the series' stride."""
        if not points:
            return
        taken: list[tuple[int, Point]] = []
        meta = await self.keys.update(self._meta(run_id, kind), _allot(points, taken), TTL)
        for chunk in sorted({position // CHUNK for position, _ in taken}):
            mine = [point for position, point in taken if position // CHUNK == chunk]
            await self.keys.update(self._chunk(run_id, kind, chunk), _appended(mine), TTL)
        if meta["count"] >= MAX_POINTS:
            await self._thin(run_id, kind, meta)

    async def read(self, run_id: str, kind: str) -> list[Point]:
        """Every point kept, oldest first."""
        meta = await self.keys.get(self._meta(run_id, kind))
        if meta is None:
            return []
        points: list[Point] = []
        for chunk in range((meta["count"] + CHUNK - 1) // CHUNK):
            points += await self.keys.get(self._chunk(run_id, kind, chunk)) or []
        points.sort(key=lambda point: point["time"])
        return points

    async def stride(self, run_id: str, kind: str) -> int:
        """1 while every point is kept, 2 once every other one is, ..."""
        meta = await self.keys.get(self._meta(run_id, kind))
        return int(meta["stride"]) if meta else 1

    async def _thin(self, run_id: str, kind: str, meta: dict[str, Any]) -> None:
        points = await self.read(run_id, kind)
        kept = points[::2]
        chunks = (len(points) + CHUNK - 1) // CHUNK
        for chunk in range(chunks):
            part = kept[chunk * CHUNK:(chunk + 1) * CHUNK]
            if part:
                await self.keys.set(self._chunk(run_id, kind, chunk), part, TTL)
            else:
                await self.keys.delete(self._chunk(run_id, kind, chunk))
        await self.keys.set(self._meta(run_id, kind), {**meta, "count": len(kept), "stride": meta["stride"] * 2},
                            TTL)

    @staticmethod
    def _meta(run_id: str, kind: str) -> str:
        return f"series:{run_id}:{kind}"

    @staticmethod
    def _chunk(run_id: str, kind: str, chunk: int) -> str:
        return f"series:{run_id}:{kind}:{chunk}"


def _allot(points: list[Point], taken: list[tuple[int, Point]]) -> Callable[[Any], dict[str, Any]]:
    """The meta change that gives each point worth keeping its position (`taken` says which)."""
    def allot(before: Any) -> dict[str, Any]:
        meta = dict(before or {"count": 0, "stride": 1, "seen": 0})
        taken.clear()
        for point in points:
            if meta["seen"] % meta["stride"] == 0:
                taken.append((meta["count"], point))
                meta["count"] += 1
            meta["seen"] += 1
        return meta
    return allot


def _appended(points: list[Point]) -> Callable[[Any], list[Point]]:
    return lambda before: [*(before or []), *points]
