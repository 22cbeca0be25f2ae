"""Sloth's own end-to-end helpers, on top of the test kit (`bot.testing`) that features use too."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import pytest

from bot.features.registry import Registry
from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock, bot_settings, grant_manifest_scopes, registry_for, start_runtime
from sloth_emulator import Emulator
from sloth_emulator.responses import ResponsePost

__all__ = ["FakeClock", "answers", "ask", "bot_settings", "running_bot", "settle", "sloth_over_both_transports",
           "table_rows", "visible_text"]


@asynccontextmanager
async def running_bot(
    emu: Emulator, data_dir: Path, connections: int = 1, *, registry: Registry | None = None,
    features: Sequence[str] = (), env: Mapping[str, str] | None = None, clock: Callable[[], float] = time.time,
    jobs: Literal["auto", "manual"] | None = None, scopes: bool = True, **overrides: Any,
) -> AsyncIterator[Runtime]:
    """A started runtime with the built-in features (plus `features`), configured from `env`.

    Jobs run on their own with the real clock, and only when a test runs them with a FakeClock.
    """
    registry = registry or registry_for(features, env)
    if scopes:
        # exactly what installing the app would grant
        grant_manifest_scopes(emu, registry, agent=overrides.get("model") is not None)
    chosen = jobs or ("manual" if isinstance(clock, FakeClock) else "auto")
    async with start_runtime(emu, data_dir, registry=registry, clock=clock, connections=connections, jobs=chosen,
                             **overrides) as runtime:
        yield runtime


def sloth_over_both_transports(**options: Any) -> pytest.MarkDecorator:
    """For a test of the kit's `sloth` fixture: run it over Socket Mode and over HTTP (Slack's
    requests signed, to /slack/events), the test's `transport` saying which, each started as
    `@pytest.mark.sloth(**options)` would start it. (The `sloth` fixture reads one marker, so
    the options go here rather than on a marker of their own.)"""
    return pytest.mark.parametrize("transport", [
        pytest.param("socket", marks=pytest.mark.sloth(**options)),
        pytest.param("http", marks=pytest.mark.sloth(transport="http", **options))])


async def settle(runtime: Runtime) -> None:
    """Wait until every envelope acked so far has been fully handled (replies sent)."""
    await runtime.pool.queue.join()


async def run_jobs(runtime: Runtime) -> int:
    """Run the features' jobs that are due now, as the background loop would, and settle."""
    ran = await runtime.scheduler.tick()
    await settle(runtime)
    return ran


async def ask(emu: Emulator, runtime: Runtime, text: str, **where: Any) -> dict[str, Any]:
    """Send `/sloth <text>`, wait for it to be handled, return the body posted to its response_url."""
    delivery = await emu.slash_command(text=text, **where)
    await delivery.acked()
    await settle(runtime)
    url = delivery.payload["response_url"]
    posts = [p for p in emu.responses if p.url == url]
    assert len(posts) == 1, f"expected one reply to {text!r}, got {len(posts)}"
    body: dict[str, Any] = posts[0].body
    return body


async def answers(emu: Emulator, runtime: Runtime, text: str, **where: Any) -> list[ResponsePost]:
    """Send `/sloth <text>`, wait for it to be handled, return every post to its response_url
    (a refused one included: a reply Slack refused and Sloth said again is two)."""
    delivery = await emu.slash_command(text=text, **where)
    await delivery.acked()
    await settle(runtime)
    return [p for p in emu.responses if p.url == delivery.payload["response_url"]]


def visible_text(body: dict[str, Any]) -> str:
    """Everything a reader would see in a message body: text, blocks, attachments."""
    return json.dumps([body.get("text"), body.get("blocks"), body.get("attachments")], ensure_ascii=False)


def table_rows(body: dict[str, Any]) -> list[list[str]]:
    """The rows of the table block in a message body (the header first), each cell as its text reads."""
    [block] = [b for b in body.get("blocks") or [] if b.get("type") == "table"]
    return [[cell_text(cell) for cell in row] for row in block["rows"]]


def cell_text(cell: dict[str, Any]) -> str:
    if cell["type"] == "raw_text":
        return str(cell["text"])
    parts = [e for section in cell["elements"] for e in section["elements"]]
    return "".join(f":{e['name']}:" if e["type"] == "emoji" else str(e.get("text") or e.get("fallback") or "")
                   for e in parts)
