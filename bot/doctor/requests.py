"""HTTP mode (SLOTH_TRANSPORT=http): Slack's request URL, `SLOTH_PUBLIC_URL/slack/events`, checked as
Slack's app settings check it, and more.

A `url_verification` signed with SLACK_SIGNING_SECRET must get its challenge back: Sloth is
reachable at that address, runs in HTTP mode, and holds the same signing secret (a running Sloth
with another one answers 401). The same request unsigned must get 401: nothing unsigned runs.
Slack sends requests only to https URLs. The app's own settings (request URLs, Socket Mode
off) are compared in bot.doctor.app_settings when SLACK_CONFIG_TOKEN allows reading them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import aiohttp

from bot.config.settings import Settings
from bot.doctor.report import Check, failed, ok, skipped
from bot.features.manifest import request_url

REQUEST_URL = "Slack's request URL"
SIGNING = "signing secret (SLACK_SIGNING_SECRET)"
TIMEOUT = aiohttp.ClientTimeout(total=5)


async def request_checks(session: aiohttp.ClientSession, settings: Settings) -> list[Check]:
    if settings.transport != "http":
        return []
    url = request_url(settings.public_url)
    if not url.startswith("https://"):
        reach = failed(REQUEST_URL, f"{url} is not https: Slack sends requests only to https URLs",
                       "serve Sloth's HTTP side behind https (a load balancer or proxy that ends TLS), set "
                       "SLOTH_PUBLIC_URL to that address, and paste `sloth manifest` again")
    else:
        reach = ok(REQUEST_URL, f"{url}, as `sloth manifest` writes it")
    answered = await verification(session, url, settings.signing_secret or "")
    return [reach, answered]


async def verification(session: aiohttp.ClientSession, url: str, secret: str) -> Check:
    challenge = secrets.token_urlsafe(16)
    body = json.dumps({"type": "url_verification", "challenge": challenge, "token": "sloth-doctor"}).encode()
    try:
        signed_status, signed_body = await _post(session, url, body, secret)
        unsigned_status, _ = await _post(session, url, body, None)
    except (TimeoutError, aiohttp.ClientError) as e:
        return failed(SIGNING, f"nothing answers at {url}: Sloth is not running, or not reachable at that address "
                      f"({type(e).__name__})", "start Sloth (`sloth run`) with SLOTH_TRANSPORT=http and check again")
    if signed_status == 401:
        return failed(SIGNING, "Sloth refused a request signed with SLACK_SIGNING_SECRET: it runs with another one",
                      "give the running Sloth and the doctor the same SLACK_SIGNING_SECRET (Basic Information -> App "
                      "Credentials -> Signing Secret)")
    if signed_status == 404 and "SLOTH_TRANSPORT" in signed_body:
        return failed(SIGNING, "the Sloth answering there runs in Socket Mode", "start it with SLOTH_TRANSPORT=http")
    if signed_status != 200 or challenge not in signed_body:
        return failed(SIGNING, f"{url} answered HTTP {signed_status} without the challenge: Slack would not take it "
                      "as a request URL", "point SLOTH_PUBLIC_URL at Sloth's own HTTP side (SLOTH_HTTP_PORT)")
    if unsigned_status != 401:
        return failed(SIGNING, f"an unsigned request got HTTP {unsigned_status}, not 401",
                      "something in front of Sloth answers for it: make sure requests reach Sloth itself")
    return ok(SIGNING, "Sloth answers Slack's url_verification signed with it, and refuses it unsigned (401)")


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, secret: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        stamp = str(int(time.time()))
        digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        headers.update({"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"})
    async with session.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False) as response:
        return response.status, await response.text()


def socket_skipped(settings: Settings) -> list[Check]:
    """The app token and Socket Mode lines, in HTTP mode: not used."""
    why = f"HTTP mode (SLOTH_TRANSPORT=http): Slack sends requests to {request_url(settings.public_url)}"
    return [skipped("app token (SLACK_APP_TOKEN)", why), skipped("Socket Mode", why)]

