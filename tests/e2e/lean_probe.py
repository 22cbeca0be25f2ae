"""Sloth's runtime in a fresh interpreter, telling `test_lean_main_process` what it has imported.

Run as `python -m tests.e2e.lean_probe` with the emulator's tokens and URL in the environment.
Prints one JSON line with the loaded top-level modules once the socket is connected, then waits
for a line on stdin (the test has had its chart) and prints them again.
"""

from __future__ import annotations

import asyncio
import json
import sys

from bot.config.settings import load_settings
from bot.runtime.lifecycle import Runtime


def loaded() -> list[str]:
    return sorted({name.partition(".")[0] for name in sys.modules})


async def main() -> None:
    async with Runtime(load_settings()):
        print(json.dumps(loaded()), flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        print(json.dumps(loaded()), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
