"""Requests to Sloth's HTTP side in a test, as a webhook sender or a dashboard would make them."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from sloth_emulator import Answer


@dataclass(frozen=True)
class HttpAnswer:
    """What Sloth's HTTP side answered a request, and what it said in Slack meanwhile.

    `headers` is case-insensitive (`answer.headers["content-type"]`); `answer` holds the
    messages Sloth posted, changed or deleted and the views it opened while the route ran (an
    `Answer`, empty when it said nothing)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    answer: Answer

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body)


async def request(base_url: str, method: str, path: str, *, json: Any = None, data: bytes | str | None = None,
                  headers: Mapping[str, str] | None = None,
                  params: Mapping[str, str] | None = None) -> tuple[int, Mapping[str, str], bytes]:
    """One request on a connection of its own: status, headers and body."""
    if not path.startswith("/"):
        raise ValueError(f"a path starts with '/', not {path!r}")
    if json is not None and data is not None:
        raise ValueError("give json= or data=, not both")
    async with aiohttp.ClientSession() as session, session.request(
            method, base_url + path, json=json, data=data, headers=dict(headers or {}),
            params=dict(params or {}), allow_redirects=False) as response:
        return response.status, response.headers.copy(), await response.read()
