"""Sloth's HTTP side at SLOTH_PUBLIC_URL (GET /healthz), and the OAuth redirect URL `connect` uses.

Sloth need not be running when the doctor runs: nothing answering is said plainly, as a line of
the table, with both readings (not started, or not reachable at that address).
"""

from __future__ import annotations

import aiohttp

from bot.config.settings import Settings
from bot.connect.members import oauth_problem
from bot.doctor.app_settings import connect_on
from bot.doctor.report import Check, failed, ok, skipped
from bot.features.registry import Registry

HEALTH = "HTTP side (SLOTH_PUBLIC_URL)"
REDIRECT = "OAuth redirect URL"
TIMEOUT = aiohttp.ClientTimeout(total=5)


async def health_check(session: aiohttp.ClientSession, public_url: str) -> Check:
    url = f"{public_url}/healthz"
    try:
        async with session.get(url, timeout=TIMEOUT, allow_redirects=False) as response:
            status = response.status
            body = await response.json(content_type=None) if status in (200, 503) else None
    except (TimeoutError, aiohttp.ClientError, ValueError) as e:
        return failed(HEALTH, f"nothing answers at {url}: Sloth is not running, or not reachable at that "
                      f"address ({type(e).__name__})",
                      "start Sloth (`sloth run`) and check again; if it runs, set SLOTH_PUBLIC_URL to the address "
                      "where browsers and training jobs reach it")
    socket = body.get("socket") if isinstance(body, dict) else None
    if status == 200 and socket == "connected":
        return ok(HEALTH, f"Sloth answers at {public_url}: running, Socket Mode connected")
    if status == 200 and isinstance(body, dict) and body.get("http") == "serving":
        return ok(HEALTH, f"Sloth answers at {public_url}: running, in HTTP mode")
    if status == 503 and isinstance(body, dict) and body.get("store") == "failing":
        return failed(HEALTH, f"Sloth answers at {public_url}, but its store cannot save (full or read-only)",
                      "see Sloth's log for the cause; free space or make the store writable")
    if status == 503 and socket == "disconnected":
        return failed(HEALTH, f"Sloth answers at {public_url}, but its Socket Mode connection is down",
                      "see Sloth's log: it says why it is not connected")
    return failed(HEALTH, f"something answers at {url} with HTTP {status}, but not as Sloth does",
                  "set SLOTH_PUBLIC_URL to the address of Sloth's own HTTP side (SLOTH_HTTP_PORT)")


def redirect_check(settings: Settings, registry: Registry) -> Check:
    if not registry.user_scopes():
        return skipped(REDIRECT, "no loaded command acts as a member, so `connect` needs none")
    if not connect_on(settings, registry):
        return skipped(REDIRECT, f"`connect` is off: {oauth_problem(settings)}")
    url = f"{settings.public_url}/slack/oauth_redirect"
    if not url.startswith("https://"):
        return failed(REDIRECT, f"{url} is not https: Slack sends browsers back only to https redirect URLs",
                      "serve Sloth's HTTP side behind https, set SLOTH_PUBLIC_URL to that address, and generate the "
                      "manifest with `sloth manifest --public-url <that address>`")
    return ok(REDIRECT, f"{url}, as `sloth manifest --public-url {settings.public_url}` writes it")
