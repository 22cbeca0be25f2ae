"""A team's feature whose HTTP routes check their callers, as README's "Write your own feature" shows."""

from __future__ import annotations

from aiohttp import web

from bot.api import Context, Router, Setting, Signature, require_bearer, require_signature

router = Router("deploys", settings=[
    Setting("webhook_secret", secret=True, help="the secret GitHub signs deliveries with"),
    Setting("slack_secret", secret=True, help="the Slack app's signing secret"),
    Setting("pagerduty_secret", secret=True, help="the PagerDuty webhook subscription's secret"),
    Setting("status_token", secret=True, help="the bearer token dashboards send"),
])
GITHUB = Signature("X-Hub-Signature-256", prefix="sha256=")
SLACK = Signature("X-Slack-Signature", prefix="v0=", timestamp_header="X-Slack-Request-Timestamp",
                  signed="v0:{timestamp}:{body}")
PAGERDUTY = Signature("X-PagerDuty-Signature", prefix="v1=", separator=",")


@router.http("POST", "/deploys/github")
async def github(ctx: Context, request: web.Request) -> web.Response:
    body = await require_signature(request, ctx.config.webhook_secret, GITHUB)
    return web.json_response({"from": "github", "bytes": len(body)})


@router.http("POST", "/deploys/slack")
async def slack(ctx: Context, request: web.Request) -> web.Response:
    body = await require_signature(request, ctx.config.slack_secret, SLACK, now=ctx.clock())
    return web.json_response({"from": "slack", "bytes": len(body)})


@router.http("POST", "/deploys/pagerduty")
async def pagerduty(ctx: Context, request: web.Request) -> web.Response:
    body = await require_signature(request, ctx.config.pagerduty_secret, PAGERDUTY)
    return web.json_response({"from": "pagerduty", "bytes": len(body)})


@router.http("GET", "/deploys/status")
async def status(ctx: Context, request: web.Request) -> web.Response:
    require_bearer(request, ctx.config.status_token)
    return web.json_response({"deploying": False})
