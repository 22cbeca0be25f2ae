"""What each import adds to a fresh interpreter: RSS, wall time and modules, in the given order.

    python bench/import_cost.py [module ...]

Each figure is the cost of that import given everything before it, so the order matters: the
default list follows what `python -m bot run` loads, libraries first, then Sloth's own layers,
then (last, for comparison) the drawing and crypto libraries that the main process no longer
imports. For the tree of one import, use `python -X importtime -c "import bot.runtime.lifecycle"`.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT = [
    "asyncio", "aiohttp", "slack_sdk.web.async_client", "slack_sdk.socket_mode.aiohttp", "slack_bolt.async_app",
    "prometheus_client", "dotenv", "aiosqlite", "zoneinfo", "multiprocessing", "concurrent.futures.process",
    "bot.config.settings", "bot.work.cpu", "bot.features.context", "bot.features.router", "bot.handling.entry",
    "handlers.games.commands", "handlers.training.feature", "handlers.plots", "bot.features.loader",
    "bot.runtime.lifecycle", "bot.cli", "cryptography.fernet", "handlers.charts",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    modules = sys.argv[1:] or DEFAULT
    print(f"| import | RSS + MB | ms | modules + |\n|---|---:|---:|---:|\n| (python itself) | {rss_mb():.1f} | | |")
    for name in modules:
        rss, count, begun = rss_mb(), len(sys.modules), time.perf_counter()
        importlib.import_module(name)
        print(f"| {name} | {rss_mb() - rss:.1f} | {(time.perf_counter() - begun) * 1000:.0f} "
              f"| {len(sys.modules) - count} |")
    print(f"| total | {rss_mb():.1f} | | {len(sys.modules)} |")


if __name__ == "__main__":
    main()
