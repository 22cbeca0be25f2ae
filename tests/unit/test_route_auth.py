"""The route authentication helpers' own rules: what a Signature accepts, and comparisons that
take the same time whatever the guess."""

from __future__ import annotations

import hmac

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.api import Signature, require_bearer


def test_a_signature_scheme_is_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="unsupported hash type"):
        Signature("X-Sig", algorithm="sha257")
    with pytest.raises(ValueError, match="must contain"):
        Signature("X-Sig", signed="{timestamp}")
    with pytest.raises(ValueError, match="must be signed"):
        Signature("X-Sig", timestamp_header="X-Time")  # a timestamp nobody signed proves nothing
    with pytest.raises(ValueError, match="only then"):
        Signature("X-Sig", signed="{timestamp}.{body}")


def test_signatures_are_read_with_their_prefix_and_encoding() -> None:
    pagerduty = Signature("X-PagerDuty-Signature", prefix="v1=", separator=",")
    assert pagerduty.given("v1=00ff, v0=aa,v1=zz, v1=10") == [b"\x00\xff", b"\x10"]
    standard = Signature("Webhook-Signature", prefix="v1,", encoding="base64")
    assert standard.given("v1,AAE=") == [b"\x00\x01"] and standard.given("v1,***") == []


@pytest.mark.parametrize("guess", ["", "d", "dash-token-", "dash-token-2", "dash-token-1" * 50, "dásh"])
def test_tokens_are_compared_as_equal_length_digests(monkeypatch: pytest.MonkeyPatch, guess: str) -> None:
    compared: list[tuple[int, int]] = []
    original = hmac.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        compared.append((len(a), len(b)))
        return original(a, b)

    monkeypatch.setattr("bot.http.route_auth.hmac.compare_digest", compare)
    request = make_mocked_request("GET", "/status", headers={"Authorization": f"Bearer {guess}x"})
    with pytest.raises(web.HTTPUnauthorized):
        require_bearer(request, "dash-token-1")
    assert compared == [(32, 32)]  # however long the guess: its length cannot be timed either


def test_sign_makes_the_headers_a_sender_would_send() -> None:
    body = b'{"action":"deployed"}'
    github = Signature("X-Hub-Signature-256", prefix="sha256=")
    assert github.sign("s3cret", body) == {
        "X-Hub-Signature-256": "sha256=" + hmac.new(b"s3cret", body, "sha256").hexdigest()}
    slack = Signature("X-Slack-Signature", prefix="v0=", timestamp_header="X-Slack-Request-Timestamp",
                      signed="v0:{timestamp}:{body}")
    assert slack.sign(b"k", body, timestamp=1700000000.7) == {
        "X-Slack-Request-Timestamp": "1700000000",
        "X-Slack-Signature": "v0=" + hmac.new(b"k", b"v0:1700000000:" + body, "sha256").hexdigest()}
    standard = Signature("Webhook-Signature", prefix="v1,", encoding="base64", algorithm="sha512")
    [value] = standard.sign("k", body).values()
    assert standard.given(value) == [hmac.new(b"k", body, "sha512").digest()]
