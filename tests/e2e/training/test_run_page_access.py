"""Who gets into the run pages: only a member holding a session from a link Sloth signed for them,
and then only the runs they may see, as `runs` shows them (a private channel's runs to its members
and the owner). A missing, forged or expired link gets a plain 403, never the page."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.api import MemberLinks
from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.training.test_training_privacy import KENJI, report
from tests.e2e.training.training_harness import AMELIA, WILL, cards, ingest_url, monitoring_bot

SECRET = "a-secret-key-for-the-run-page-tests"


async def fetch(url: str, cookies: dict[str, str] | None = None) -> tuple[int, str]:
    async with aiohttp.ClientSession(cookies=cookies) as http, http.get(url, allow_redirects=False) as answer:
        return answer.status, await answer.text()


async def session(base: str, link: str) -> dict[str, str]:
    """Open `link` as a browser would; the session cookie it sets."""
    async with aiohttp.ClientSession() as http, http.get(link, allow_redirects=False) as answer:
        assert answer.status == 303, await answer.text()
        return {name: morsel.value for name, morsel in answer.cookies.items()}


def link_in(answer: Any) -> str:
    found: str = answer.buttons["training:page-opened"]["url"]
    return found


async def test_only_a_signed_link_lets_a_member_in_and_only_to_the_runs_they_may_see(
        emulator: Emulator, tmp_path: Path) -> None:
    secret = emulator.workspace.create_channel("ml-secret", WILL, is_private=True)
    secret.members[emulator.bot_user_id] = None
    async with monitoring_bot(emulator, tmp_path, secret_key=SECRET) as runtime:
        base = ingest_url(runtime)
        sloth = Sloth(emulator, runtime, runtime.clock)
        await report(runtime, "run-private01", "initech-model", "#ml-secret", AMELIA, {"data": "s3://private"})
        await report(runtime, "run-public001", "open-model", "#testing_exp", AMELIA, {"data": "s3://public"})
        await emulator.wait_for(lambda: cards(emulator, secret.id) and cards(emulator, "testing_exp"), timeout=10)
        page = f"{base}/training/runs/run-private01"

        for url in (page, f"{page}/data", f"{base}/training/runs", f"{base}/training/compare?run=run-public001"):
            status, text = await fetch(url)
            assert status == 403 and "no session" in text and "initech" not in text

        asked = await sloth.command("runs page run-private01", user=WILL)  # a member of #ml-secret
        assert [p.ephemeral_to for p in asked.posts] == [WILL]
        link = link_in(asked)
        will = await session(base, link)
        status, text = await fetch(page, will)
        assert status == 200 and "initech-model" in text
        status, text = await fetch(f"{page}/data", will)
        assert status == 200 and json.loads(text)["summary"]["name"] == "initech-model"

        token = parse_qs(urlsplit(link).query)["t"][0]
        body, _, mac = token.partition(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        kenji_body = base64.urlsafe_b64encode(json.dumps({**claims, "m": KENJI}).encode()).decode().rstrip("=")
        for forged in (f"{kenji_body}.{mac}", f"{body}.{mac[:-2]}xx", "not-a-token"):
            status, text = await fetch(f"{base}/training/enter?t={forged}")
            assert status == 403 and "not one of Sloth's" in text

        team = runtime.ctx.of("training").identity.team_id
        an_hour_ago = MemberLinks(SECRET, "training", lambda: base, lambda: time.time() - 3700, team=team)
        status, text = await fetch(an_hour_ago.url(WILL, "/training/runs", enter="/training/enter"))
        assert status == 403 and "expired" in text
        now = MemberLinks(SECRET, "training", lambda: base, team=team)
        assert (await fetch(now.url(WILL, "/training/runs", enter="/training/enter")))[0] == 303  # the same, in time
        for elsewhere in (MemberLinks(SECRET, "games", lambda: base, team=team),
                          MemberLinks(SECRET, "training", lambda: base, team="T0OTHERTEAM")):
            status, _ = await fetch(elsewhere.url(WILL, "/training/runs", enter="/training/enter"))
            assert status == 403  # another feature's link, or another workspace's

        refused = await sloth.command("runs page run-private01", user=KENJI)  # not in #ml-secret, not the owner
        assert "No training run" in refused.text and "http" not in refused.visible
        kenji = await session(base, link_in(await sloth.command("runs page", user=KENJI)))
        for url in (page, f"{page}/data", f"{base}/training/compare?run=run-private01&run=run-public001"):
            status, text = await fetch(url, kenji)
            assert status == 404 and "initech" not in text
        status, text = await fetch(f"{base}/training/runs", kenji)
        assert status == 200 and "open-model" in text and "initech-model" not in text
        status, text = await fetch(f"{base}/training/runs", will)
        assert "open-model" in text and "initech-model" in text


async def test_without_a_secret_key_sloth_sends_no_link(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        answer = await Sloth(emulator, runtime, runtime.clock).command("runs page", user=WILL)
        assert "SLOTH_SECRET_KEY" in answer.text and "training:page-opened" not in answer.buttons
        status, text = await fetch(f"{ingest_url(runtime)}/training/runs")
        assert status == 403 and "SLOTH_SECRET_KEY" in text
