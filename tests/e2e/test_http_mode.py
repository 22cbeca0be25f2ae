"""HTTP mode: every request to /slack/events checked before anything runs (forged, stale, replayed
and malformed ones refused), Slack's checks answered, retries handled once, two replicas behind a
load balancer sharing one store. The emulator calls Sloth as Slack does, signed."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator, Workspace
from sloth_emulator.request_url import sign
from tests.e2e.balancer import balancing
from tests.e2e.harness import running_bot, settle, visible_text


@pytest.fixture
async def http_bot(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path, transport="http") as runtime:
        yield runtime


def command_body(emu: Emulator, text: str) -> bytes:
    will = emu.workspace.first_human()
    url = emu.response_urls.issue("command", "C01GENERAL", will.id).url
    return urlencode({"command": "/sloth", "text": text, "user_id": will.id, "channel_id": "C01GENERAL",
                      "team_id": emu.team_id, "response_url": url, "trigger_id": "1.2.3"}).encode()


async def post(runtime: Runtime, body: bytes, headers: dict[str, str],
               content_type: str = "application/x-www-form-urlencoded") -> tuple[int, str]:
    async with aiohttp.ClientSession(trust_env=False) as http, http.post(
            f"http://127.0.0.1:{runtime.http_port}/slack/events", data=body,
            headers={"Content-Type": content_type, **headers}) as answer:
        return answer.status, await answer.text()


def signed(secret: str, body: bytes, stamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if stamp is None else stamp
    return {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": sign(secret, body, stamp)}


async def test_a_signed_request_runs_and_anything_else_is_refused_before_it_runs(
        emulator: Emulator, http_bot: Runtime) -> None:
    secret, now = emulator.signing_secret, int(time.time())
    refusals = [
        signed("f" * 32, command_body(emulator, "team")),  # signed with another secret: forged
        signed(secret, b"", now),  # a valid signature of another body
        signed(secret, command_body(emulator, "team"), now - 301),  # stale
        signed(secret, command_body(emulator, "team"), now + 301),  # from the future
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"},
        {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=é"},
        {},
    ]
    for headers in refusals:
        body = command_body(emulator, "team")
        status, _ = await post(http_bot, body, headers)
        assert status == 401, headers
    await settle(http_bot)
    assert emulator.responses == []  # nothing ran
    refused = http_bot.metrics.refused_requests
    assert (refused.labels("signature")._value.get(), refused.labels("stale")._value.get()) == (5, 2)

    body = command_body(emulator, "team")
    headers = signed(secret, body)
    assert (await post(http_bot, body, headers))[0] == 200
    assert (await post(http_bot, body, headers))[0] == 401  # the same request again: a replay
    await settle(http_bot)
    [answer] = emulator.responses
    assert "Data Analysis" in visible_text(answer.body)  # run once
    assert refused.labels("replayed")._value.get() == 1


async def test_slacks_own_checks_are_answered(emulator: Emulator, http_bot: Runtime) -> None:
    # url_verification already passed: the runtime is the emulator's request URL.
    assert emulator.http_requests[0].kind == "url_verification" and emulator.http_requests[0].outcome == "acked"
    assert await emulator.ssl_check() == 200
    challenge = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"}).encode()
    status, text = await post(http_bot, challenge, {}, "application/json")
    assert status == 401 and "c-123" not in text  # the challenge is answered only to Slack
    status, text = await post(http_bot, challenge, signed(emulator.signing_secret, challenge), "application/json")
    assert status == 200 and json.loads(text) == {"challenge": "c-123"}
    for body, kind in ((b"{not json", "application/json"), (b"text=hi", "application/x-www-form-urlencoded"),
                       (b"hello", "text/plain")):
        status, _ = await post(http_bot, body, signed(emulator.signing_secret, body), kind)
        assert status == 400


async def test_a_retried_event_is_handled_once(emulator: Emulator, http_bot: Runtime) -> None:
    emulator.redelivery_delay = 0.05
    will = emulator.workspace.first_human()
    im, _ = emulator.workspace.open_im(will.id, emulator.bot_user_id)
    emulator.lose_acks(1)  # Sloth answers, the answer is lost: Slack retries with X-Slack-Retry-Num 1
    delivery = await emulator.user_message(user=will.id, channel=im.id, text="team")
    await delivery.acked()
    await settle(http_bot)
    assert delivery.attempts == 2 and emulator.http_requests[-1].headers["X-Slack-Retry-Num"] == "1"
    assert len([m for m in emulator.messages(im.id) if m.get("user") == emulator.bot_user_id]) == 1
    assert http_bot.metrics.duplicates._value.get() == 1


async def test_health_says_http_and_socket_mode_refuses_slacks_requests(
        emulator: Emulator, http_bot: Runtime, tmp_path: Path) -> None:
    async with aiohttp.ClientSession(trust_env=False) as http:
        async with http.get(f"http://127.0.0.1:{http_bot.http_port}/healthz") as answer:
            assert answer.status == 200 and (await answer.json())["http"] == "serving"
        async with running_bot(emulator, tmp_path / "socket") as socket_bot, http.post(
                f"http://127.0.0.1:{socket_bot.http_port}/slack/events", data=b"{}") as answer:
            assert answer.status == 404 and "SLOTH_TRANSPORT=http" in await answer.text()


async def test_two_replicas_behind_a_load_balancer_handle_a_retry_once(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), redelivery_delay=0.05) as emu:
        async with (running_bot(emu, tmp_path, transport="http") as first,
                    running_bot(emu, tmp_path, transport="http") as second,
                    balancing([f"http://127.0.0.1:{r.http_port}" for r in (first, second)]) as (balancer, url)):
            await emu.use_request_url(url)
            will = emu.workspace.first_human()
            im, _ = emu.workspace.open_im(will.id, emu.bot_user_id)
            emu.lose_acks(1)
            delivery = await emu.user_message(user=will.id, channel=im.id, text="team")
            await delivery.acked()
            await settle(first)
            await settle(second)
            assert len(set(balancer.passed[-2:])) == 2  # the retry went to the other replica
            replies = [m for m in emu.messages(im.id) if m.get("user") == emu.bot_user_id]
            assert len(replies) == 1
            assert first.metrics.duplicates._value.get() + second.metrics.duplicates._value.get() == 1
            for i in range(6):  # commands spread over both, each answered once
                assert "Data Analysis" in (await emu.command("/sloth team")).text, i
            assert len(set(balancer.passed)) == 2
