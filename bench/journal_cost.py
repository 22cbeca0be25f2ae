"""What writing an envelope to the journal costs an ack: `Journal.append` timed on its own thread,
as the socket thread calls it, while the journal's thread crosses entries out behind it.

    python bench/journal_cost.py [--count 5000] [--dir DIR] [--redis redis://127.0.0.1:6379/15]

SQLite in DIR (default: a temporary folder; put it on the disk the store will live on), and
Redis when a URL is given (its database is emptied first: use a spare one). The frame is a
mention's envelope as Slack sends it (about 1.5 KB). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.store import open_journal, open_store

FRAME = {
    "envelope_id": "8d7d6d0a-4c59-4b5a-9b6c-0f8e2d1c3b4a", "type": "events_api", "accepts_response_payload": False,
    "retry_attempt": 0, "retry_reason": "",
    "payload": {
        "token": "x" * 24, "team_id": "T024DATAAN", "api_app_id": "A0SLOTH001", "type": "event_callback",
        "event_id": "Ev0123456789", "event_time": 1_700_000_000, "is_ext_shared_channel": False,
        "authorizations": [{"enterprise_id": None, "team_id": "T024DATAAN", "user_id": "U0SLOTHBOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "event_context": "4-app_mention-T024DATAAN-C01GENERAL",
        "event": {"type": "app_mention", "user": "U01WJK68KS", "text": "<@U0SLOTHBOT> history #python_content 25",
                  "ts": "1700000000.000100", "channel": "C01GENERAL", "event_ts": "1700000000.000100",
                  "team": "T024DATAAN", "client_msg_id": "2f9c1c1e-9c3b-4a4e-8d9e-3b2a1c0d9e8f",
                  "blocks": [{"type": "rich_text", "block_id": "Ab1", "elements": [{"type": "rich_text_section",
                              "elements": [{"type": "user", "user_id": "U0SLOTHBOT"},
                                           {"type": "text", "text": " history #python_content 25 " * 8}]}]}]},
    },
}


async def measure(url: str, count: int) -> tuple[float, float, float]:
    store = await open_store(url)  # made first, as the runtime does (for SQLite: the file, WAL mode)
    if url.startswith("redis"):
        await store.client.flushdb()  # type: ignore[attr-defined]
    journal = await open_journal(url)

    def appends() -> list[float]:
        took = []
        for _ in range(count):
            started = time.perf_counter()
            entry = journal.append(FRAME)
            took.append(time.perf_counter() - started)
            if entry is not None:
                journal.finish(entry)  # on the journal's own thread, as after the work
        return took

    took = await asyncio.to_thread(appends)  # a thread of its own, as the socket's
    await journal.close()
    await store.close()
    ordered = sorted(took)
    return statistics.median(took) * 1e3, ordered[int(0.99 * len(ordered))] * 1e3, max(took) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite file goes")
    parser.add_argument("--redis", default=None, help="a Redis URL whose database may be emptied")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        targets = [("SQLite", f"sqlite:///{Path(folder) / 'sloth.db'}")]
        if args.redis:
            targets.append(("Redis", args.redis))
        print(f"\nJournal.append, {args.count} envelopes of {len(str(FRAME))} bytes, one thread\n")
        print("| backend | p50 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|")
        for name, url in targets:
            p50, p99, worst = asyncio.run(measure(url, args.count))
            print(f"| {name} | {p50:.3f} | {p99:.3f} | {worst:.2f} |")


if __name__ == "__main__":
    main()
