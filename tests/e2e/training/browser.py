"""A real headless Chromium (Debian's `chromium`, driven by Playwright) for the run pages' tests,
and checks of what it drew: screenshots read back as pixels."""

from __future__ import annotations

import io
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Any]:
    """A browser with a fresh profile; the test is skipped (saying why) where Chromium or Playwright is missing:
    ./scripts/test installs both."""
    playwright_api = pytest.importorskip("playwright.async_api", reason="pip install playwright (the test extra)")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; ./scripts/test does it)")
    async with playwright_api.async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True, viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            await context.close()


def picture(png: bytes) -> Any:
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def inked(png: bytes) -> tuple[int, int]:
    """(pixels that are not near-white, distinct colours among them) of a screenshot."""
    image = picture(png)
    data = image.tobytes()
    pixels = [data[i:i + 3] for i in range(0, len(data), 3) if min(data[i:i + 3]) < 230]
    return len(pixels), len(set(pixels))


def saved(path: Path, png: bytes) -> bytes:
    """Keep a screenshot beside the test's other files (pytest's tmp_path), for a reader of a failure."""
    path.write_bytes(png)
    return png
