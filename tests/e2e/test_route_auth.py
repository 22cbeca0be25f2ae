"""Feature routes that check their callers (bot.api's require_bearer / require_signature), over HTTP:
GitHub-, Slack- and PagerDuty-shaped signatures, a bearer token, and a route whose secret is unset."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot

FEATURE = "tests.e2e.webhook_feature"
ENV = {"DEPLOYS_WEBHOOK_SECRET": "gh-secret-1", "DEPLOYS_SLACK_SECRET": "slack-secret-1",
       "DEPLOYS_PAGERDUTY_SECRET": "pd-secret-1", "DEPLOYS_STATUS_TOKEN": "dash-token-1"}
BODY = b'{"action":"deployed","service":"api"}'


def mac(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


async def call(runtime: Runtime, method: str, path: str, headers: dict[str, str],
               body: bytes = BODY) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as http, http.request(
            method, f"http://127.0.0.1:{runtime.http_port}{path}", data=body, headers=headers) as response:
        return response.status, await response.text(), response.headers


async def test_signed_webhooks_are_let_in_and_every_other_request_is_401(emulator: Emulator,
                                                                          tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, features=[FEATURE], env=ENV) as runtime:
        github = f"sha256={mac('gh-secret-1', BODY)}"
        assert (await call(runtime, "POST", "/deploys/github", {"X-Hub-Signature-256": github}))[:2] == (
            200, '{"from": "github", "bytes": 37}')
        mismatch = "X-Hub-Signature-256 does not match the body"
        refused = [
            ({}, "missing X-Hub-Signature-256 header"),
            ({"X-Hub-Signature-256": f"sha256={mac('other', BODY)}"}, mismatch),
            ({"X-Hub-Signature-256": github.removeprefix("sha256=")}, mismatch),
            ({"X-Hub-Signature-256": "sha256=zz-not-hex"}, mismatch),
            ({"X-Hub-Signature-256": "sha256=ünïcödé"}, mismatch),
        ]
        for headers, reason in refused:
            status, text, answered = await call(runtime, "POST", "/deploys/github", headers)
            assert (status, text) == (401, reason + "\n"), headers
            assert answered["WWW-Authenticate"] == 'Signature realm="X-Hub-Signature-256"'
        other_body = await call(runtime, "POST", "/deploys/github", {"X-Hub-Signature-256": github}, b"{}")
        assert other_body[:2] == (401, "X-Hub-Signature-256 does not match the body\n")


async def test_a_timestamped_signature_must_be_fresh_and_cover_its_timestamp(emulator: Emulator,
                                                                             tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, features=[FEATURE], env=ENV) as runtime:
        def signed(ts: str, signed_ts: str | None = None) -> dict[str, str]:
            base = f"v0:{signed_ts or ts}:".encode() + BODY
            return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac('slack-secret-1', base)}"}

        now = int(time.time())
        assert (await call(runtime, "POST", "/deploys/slack", signed(str(now))))[0] == 200
        stale = "X-Slack-Request-Timestamp is more than 300 s from now (a replayed request, or clocks apart)\n"
        malformed = "missing or malformed X-Slack-Request-Timestamp header (Unix seconds)\n"
        cases = [
            (signed(str(now - 400)), stale),
            (signed(str(now + 400)), stale),
            (signed(str(now), signed_ts=str(now - 1000)), "X-Slack-Signature does not match the body\n"),
            (signed("nan"), malformed),
            ({"X-Slack-Signature": signed(str(now))["X-Slack-Signature"]}, malformed),
        ]
        for headers, reason in cases:
            assert (await call(runtime, "POST", "/deploys/slack", headers))[:2] == (401, reason), headers


async def test_any_one_of_several_signatures_may_match(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, features=[FEATURE], env=ENV) as runtime:
        good, old = mac("pd-secret-1", BODY), mac("pd-secret-0", BODY)
        assert (await call(runtime, "POST", "/deploys/pagerduty", {"X-PagerDuty-Signature": f"v1={old},v1={good}"}
                           ))[0] == 200
        status, text, _ = await call(runtime, "POST", "/deploys/pagerduty", {"X-PagerDuty-Signature": f"v1={old}"})
        assert (status, text) == (401, "X-PagerDuty-Signature does not match the body\n")


@pytest.mark.parametrize(("authorization", "reason"), [
    (None, "missing bearer token (Authorization: Bearer <token>)"),
    ("Bearer ", "missing bearer token (Authorization: Bearer <token>)"),
    ("Basic ZGFzaC10b2tlbi0x", "missing bearer token (Authorization: Bearer <token>)"),
    ("Bearer dash-token-2", "wrong bearer token"),
    ("Bearer dash-token-1-and-more", "wrong bearer token"),
    ("Bearer dásh-tökén-1", "wrong bearer token"),
])
async def test_a_bearer_token_route_refuses_anything_but_its_token(emulator: Emulator, tmp_path: Path,
                                                                  authorization: str | None, reason: str) -> None:
    async with running_bot(emulator, tmp_path, features=[FEATURE], env=ENV) as runtime:
        assert (await call(runtime, "GET", "/deploys/status", {"Authorization": "bearer dash-token-1"}))[:2] == (
            200, '{"deploying": false}')
        headers = {"Authorization": authorization} if authorization is not None else {}
        status, text, answered = await call(runtime, "GET", "/deploys/status", headers)
        assert (status, text) == (401, reason + "\n")
        assert answered["WWW-Authenticate"] == 'Bearer realm="sloth"'


async def test_a_route_whose_secret_is_unset_refuses_everyone(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, features=[FEATURE]) as runtime:
        off = (403, "This route is switched off: its secret is not set.\n")
        assert (await call(runtime, "GET", "/deploys/status", {"Authorization": "Bearer "}))[:2] == off
        assert (await call(runtime, "POST", "/deploys/github", {"X-Hub-Signature-256": f"sha256={mac('', BODY)}"}
                           ))[:2] == off
