"""The worker module of `slow_feature`: files that take as long as a test says, or never come.

Stdlib only, like a chart module: it runs in worker processes. A file is made only once the test
lets it (a file named `go` appears in the folder), so a test can kill a worker while it is making one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# The smallest PNG there is: one transparent pixel.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def slow_png(folder: str) -> bytes:
    """Note that it started (`started-<pid>`), then wait for `go` (a minute at most)."""
    Path(folder, f"started-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while not Path(folder, "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never said go")
        time.sleep(0.02)
    return PIXEL


def broken_png() -> bytes:
    raise RuntimeError("this picture can never be drawn")
