"""The test kit's `sloth.event` (any Slack event, to the features listening to it) and `sloth.http`
(a request to Sloth's HTTP side, a signed webhook included), each answered with what Sloth showed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

from bot.api import Context, Router, Setting, Signature, require_bearer, require_signature
from bot.testing import Sloth
from sloth_emulator import Emulator

hooks = Router("hooks", settings=[Setting("github_secret", secret=True), Setting("slack_secret", secret=True),
                                  Setting("token", secret=True)])
HOOKS = f"{__name__}:hooks"
GITHUB = Signature("X-Hub-Signature-256", prefix="sha256=")
SLACK = Signature("X-Slack-Signature", prefix="v0=", timestamp_header="X-Slack-Request-Timestamp",
                  signed="v0:{timestamp}:{body}")
kit = pytest.mark.sloth(features=[HOOKS], builtins=False, env={
    "HOOKS_GITHUB_SECRET": "gh-1", "HOOKS_SLACK_SECRET": "sl-1", "HOOKS_TOKEN": "dash-1"})


@hooks.event("reaction_added", "reactions:read")
async def reacted(ctx: Context, event: dict[str, Any]) -> None:
    if event.get("reaction") == "rocket":
        await ctx.client.chat_postMessage(channel=event["item"]["channel"], text="To the moon!",
                                          thread_ts=event["item"]["ts"])
    await ctx.store.update("reactions", lambda n: (n or 0) + 1)


@hooks.http("POST", "/hooks/deploy")
async def deployed(ctx: Context, request: web.Request) -> web.Response:
    body = json.loads(await require_signature(request, ctx.config.github_secret, GITHUB))
    await ctx.client.chat_postMessage(channel="#general", text=f"Deployed {body['service']}")
    await ctx.store.update("deploys", lambda n: (n or 0) + 1)
    return web.json_response({"ok": True}, headers={"X-Deploys": "counted"})


@hooks.http("POST", "/hooks/slack")
async def from_slack(ctx: Context, request: web.Request) -> web.Response:
    await require_signature(request, ctx.config.slack_secret, SLACK, now=ctx.clock())
    return web.Response(text="signed by Slack")


@hooks.http("GET", "/hooks/count")
async def count(ctx: Context, request: web.Request) -> web.Response:
    require_bearer(request, ctx.config.token)
    return web.json_response({"deploys": await ctx.store.get("deploys") or 0, "who": request.query.get("who")})


def newest_message(slack: Emulator, channel: str) -> dict[str, Any]:
    return slack.messages(channel)[-1]


@kit
async def test_an_event_reaches_its_listener_and_returns_what_sloth_posted(sloth: Sloth, slack: Emulator) -> None:
    general = sloth.channel_id("general")
    target = newest_message(slack, general)
    event = {"type": "reaction_added", "user": sloth.user_id("amelia"), "reaction": "rocket",
             "item": {"type": "message", "channel": general, "ts": target["ts"]}, "item_user": target.get("user")}
    answer = await sloth.event(event)
    [post] = answer.posts
    assert (post.channel, post.text, post.message["thread_ts"]) == (general, "To the moon!", target["ts"])
    quiet = await sloth.event({**event, "reaction": "eyes"})
    assert not quiet and quiet.posts == []  # handled (counted), nothing shown
    assert await sloth.context("hooks").store.get("reactions") == 2


@kit
async def test_an_event_no_feature_listens_to_is_acked_and_changes_nothing(sloth: Sloth) -> None:
    before = len(sloth.calls())
    answer = await sloth.event({"type": "emoji_changed", "subtype": "add", "name": "sloth", "value": "https://x"})
    assert not answer and len(sloth.calls()) == before


@kit
async def test_a_signed_webhook_is_let_in_and_its_post_returned(sloth: Sloth) -> None:
    body = b'{"service": "api"}'
    reply = await sloth.http("POST", "/hooks/deploy", data=body, headers=GITHUB.sign("gh-1", body))
    assert (reply.status, reply.json(), reply.headers["x-deploys"]) == (200, {"ok": True}, "counted")
    [post] = reply.answer.posts
    assert post.channel == sloth.channel_id("general") and post.text == "Deployed api"
    forged = await sloth.http("POST", "/hooks/deploy", data=body, headers=GITHUB.sign("wrong", body))
    assert (forged.status, forged.text) == (401, "X-Hub-Signature-256 does not match the body\n")
    assert forged.headers["WWW-Authenticate"] == 'Signature realm="X-Hub-Signature-256"' and not forged.answer


@kit
async def test_a_timestamped_signature_is_checked_against_sloths_clock(sloth: Sloth) -> None:
    body = json.dumps({"type": "event"}).encode()
    fresh = await sloth.http("POST", "/hooks/slack", data=body, headers=SLACK.sign("sl-1", body, sloth.clock()))
    assert (fresh.status, fresh.text) == (200, "signed by Slack")
    stale = await sloth.http("POST", "/hooks/slack", data=body,
                             headers=SLACK.sign("sl-1", body, sloth.clock() - 301))
    assert stale.status == 401 and "more than 300 s from now" in stale.text


@kit
async def test_json_params_and_a_bearer_token(sloth: Sloth) -> None:
    refused = await sloth.http("GET", "/hooks/count")
    assert refused.status == 401 and refused.text.startswith("missing bearer token")
    body = b'{"service": "web"}'
    await sloth.http("POST", "/hooks/deploy", data=body, headers=GITHUB.sign("gh-1", body))
    answered = await sloth.http("GET", "/hooks/count", params={"who": "dashboard"},
                                headers={"Authorization": "Bearer dash-1"})
    assert (answered.status, answered.json()) == (200, {"deploys": 1, "who": "dashboard"})
    health = await sloth.http("GET", "/healthz")
    assert health.status == 200 and health.json()["status"] == "ok"
    assert (await sloth.http("POST", "/nowhere", json={"a": 1})).status == 404
