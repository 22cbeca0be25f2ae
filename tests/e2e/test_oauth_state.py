"""The OAuth pages refuse any `state` that is not one Sloth could have made: 400 with a short page,
never a 500, whatever its shape, on both pages."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from sloth_emulator import Emulator
from tests.e2e.browser import oauth_settings
from tests.e2e.harness import running_bot

PAGES = ("/slack/install", "/slack/oauth_redirect")
# Query strings as a browser would send them (already percent-encoded).
SHAPES = {
    "non-ASCII": "state=%C3%A9t%C3%A9",
    "non-ASCII around a dot": "state=abc%C3%A9.d%C3%A9f",
    "not UTF-8": "state=%FF%FE.%FF",
    "a NUL byte": "state=abc%00.def",
    "too long": "state=" + "a" * 3000 + "." + "b" * 43,
    "no dot": "state=" + "a" * 60,
    "two dots": "state=aaa.bbb.ccc",
    "markup": "state=%3Cscript%3Ealert(1)%3C%2Fscript%3E.x",
    "a short signature": "state=eyJ1IjoiVTEifQ.abc",
    "empty": "state=",
    "missing": "code=123",
    "given twice": "state=aaa.bbb&state=ccc.ddd",
}


@pytest.mark.parametrize("page", PAGES)
async def test_every_malformed_state_is_a_400(emulator: Emulator, tmp_path: Path, page: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot, aiohttp.ClientSession() as http:
        for shape, query in SHAPES.items():
            url = URL(f"http://127.0.0.1:{bot.http_port}{page}?{query}", encoded=True)
            async with http.get(url, allow_redirects=False) as response:
                body = await response.text()
                assert response.status == 400, (shape, response.status, body)
                assert "This link cannot be used" in body and len(body) < 600, shape
                assert "script" not in body and response.headers["Cache-Control"] == "no-store"
                assert "Set-Cookie" not in response.headers
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
