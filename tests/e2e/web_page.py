"""`sloth sandbox --web` in a real process, looked at with a real headless Chromium (Debian's
`chromium`, driven by Playwright), and what a screenshot of it holds."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SLOTH_CHROMIUM", "/usr/bin/chromium")
# Headless, and quiet: no updates, no sync, no network of its own beyond the pages it is sent to.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_missing() -> str:
    if shutil.which(CHROMIUM) is None:
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; scripts/test installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return ""


@contextmanager
def web_sandbox(folder: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`sloth sandbox --web --port 0` of this checkout (with `extra_env`, e.g. a model to answer);
    yields the address it prints."""
    log = (folder / "sandbox.log").open("w")
    # This checkout's Sloth and emulator, whichever copies the environment has installed.
    path = os.pathsep.join([str(ROOT), str(ROOT / "emulator")])
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": path, "HOME": str(folder), "COLUMNS": "200", **(extra_env or {})}
    process = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--web", "--port", "0"], cwd=folder, env=env,
                               stdout=subprocess.PIPE, stderr=log, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True).start()
    try:
        while True:
            try:
                line = lines.get(timeout=90)
            except queue.Empty:
                log.flush()
                raise AssertionError(f"no address printed: {(folder / 'sandbox.log').read_text()[-2000:]}") from None
            if "http://127.0.0.1:" in line:
                yield line.split(" on ", 1)[1].split()[0]
                break
    finally:
        process.terminate()
        code = process.wait(timeout=30)
        log.close()
        assert code == 0, f"the sandbox ended with {code}: {(folder / 'sandbox.log').read_text()[-2000:]}"


@contextmanager
def browser(profile: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=FLAGS, headless=True, viewport={"width": 1200, "height": 800})
        try:
            yield context
        finally:
            context.close()


def ink(png: Path, box: dict[str, float] | None = None) -> int:
    """How many pixels of the screenshot (or of `box` in it) are not near-white: drawn content."""
    image = crop(png, box) if box is not None else Image.open(png)
    return sum(1 for r, g, b in pixels(image) if (255 - r) + (255 - g) + (255 - b) > 90)


def pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    data = image.convert("RGB").tobytes()
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 3)]


def crop(png: Path, box: dict[str, float] | None) -> Image.Image:
    assert box is not None, "the element is not on screen"
    image = Image.open(png).convert("RGB")
    return image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))


def colours(png: Path) -> int:
    """How many distinct colours a screenshot has: one for a blank page, a handful for an empty frame."""
    return len(Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20) or [])
