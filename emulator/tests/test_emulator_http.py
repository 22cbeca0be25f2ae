"""HTTP delivery: the emulator calls an app's request URL as Slack does. A plain Bolt AsyncApp
served over HTTP (its own aiohttp adapter, which checks every signature with the signing
secret) answers the same member acts as over Socket Mode; retries carry Slack's headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from emulator_kit import AMELIA, bot_client, serve
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from test_bolt_async import team_app
from test_emulator_surfaces import manifest

from sloth_emulator import Emulator
from sloth_emulator.request_url import RequestUrlRefused

WJK68 = "U01WJK68KS"
@pytest.fixture
async def bolt(slack: Emulator) -> AsyncIterator[AsyncApp]:
    """The team's app of test_bolt_async, served over HTTP by Bolt's own aiohttp server: it
    refuses (401) any request whose signature does not check out with the signing secret."""
    app = team_app(AsyncWebClient(token=slack.bot_token, base_url=slack.api_url), signing_secret=slack.signing_secret)
    runner, url = await serve(app.web_app())
    await slack.use_request_url(url)  # Bolt answers Slack's url_verification itself
    yield app
    await runner.cleanup()


async def test_a_bolt_app_over_http_answers_as_over_socket_mode(slack: Emulator, bolt: AsyncApp) -> None:
    assert slack.request_url is not None and slack.connections == 0
    answer = await slack.command("/hello the tests", user="wjk68")
    assert answer.text == f"Hello, <@{WJK68}>! You said: the tests" and answer.posts[0].ephemeral_to == WJK68
    mentioned = await slack.mention("can you look?", channel="#random")
    assert mentioned.text == "On it"
    asked = await slack.command("/deploy api")
    approved = await slack.press(asked, "approve", user="amelia")
    assert approved.posts[0].text == "api approved by <@U01AMHART1>"
    opened = await slack.command("/ticket")
    refused = await slack.submit(opened, {"title": "Bug"})
    assert refused.ack == {"response_action": "errors", "errors": {"title": "Say a little more"}}
    filed = await slack.submit(opened, {"title": "Login fails on Safari"})
    assert filed.text == "Filed: Login fails on Safari (low)" and slack.views() == []
    kinds = [r.kind for r in slack.http_requests]
    assert kinds[0] == "url_verification" and {"slash_commands", "events_api", "interactive"} <= set(kinds)
    # Bolt took every signature (it answers 401 otherwise; 404 is its answer to an event it has no listener for)
    assert all(r.status in (200, 404) for r in slack.http_requests)
    assert await slack.ssl_check() == 200


async def test_requests_are_shaped_and_signed_as_slack_sends_them(slack: Emulator) -> None:
    seen: list[tuple[dict[str, str], bytes]] = []

    async def record(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((dict(request.headers), body))
        if request.content_type == "application/json" and json.loads(body).get("type") == "url_verification":
            return web.json_response({"challenge": json.loads(body)["challenge"]})
        return web.Response()

    runner, url = await serve(record)
    try:
        await slack.use_request_url(url)
        await (await slack.slash_command("deploy", command="/ship")).acked()
        await (await slack.send_event({"type": "reaction_added", "user": WJK68, "reaction": "tada"})).acked()
    finally:
        await runner.cleanup()
    verifier = SignatureVerifier(slack.signing_secret)  # the SDK's own check, as Bolt and Sloth apply it
    assert all(verifier.is_valid_request(body, headers) for headers, body in seen)
    (_, check), (command_headers, command), (event_headers, event) = seen
    assert json.loads(check)["type"] == "url_verification"
    assert command_headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(command.decode()).items()}
    assert form["command"] == "/ship" and form["text"] == "deploy" and form["response_url"].startswith("http")
    assert event_headers["Content-Type"] == "application/json"
    assert json.loads(event)["type"] == "event_callback" and "X-Slack-Retry-Num" not in event_headers
    forged = {**event_headers, "X-Slack-Signature": "v0=" + "0" * 64}
    assert not verifier.is_valid_request(event, forged)


async def test_every_surface_reaches_the_request_url_as_slack_sends_it(slack: Emulator) -> None:
    """Interactions (shortcuts, a view's buttons, view_closed) as a form with one `payload` field,
    events (app_home_opened, function_executed) as an event_callback in JSON, all signed."""
    seen: list[tuple[dict[str, str], bytes]] = []

    async def record(request: web.Request) -> web.Response:
        body = await request.read()
        if request.content_type == "application/json" and json.loads(body).get("type") == "url_verification":
            return web.json_response({"challenge": json.loads(body)["challenge"]})
        seen.append((dict(request.headers), body))
        return web.Response()

    manifest(slack)
    slack.app_manifest["features"]["shortcuts"].append(
        {"name": "New", "type": "global", "callback_id": "new", "description": "Start something"})
    client = bot_client(slack)
    button = {"type": "actions", "elements": [{"type": "button", "action_id": "wave",
                                                "text": {"type": "plain_text", "text": "Wave"}}]}
    home = (await client.views_publish(user_id=WJK68, view={"type": "home", "blocks": [button]}))["view"]
    modal = (await client.views_open(trigger_id=slack.triggers.issue(WJK68), view={
        "type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "notify_on_close": True,
        "blocks": [button]}))["view"]
    runner, url = await serve(record)
    try:
        await slack.use_request_url(url)
        acts = [slack.use_message_shortcut("quote", "general", slack.messages("general")[-1]["ts"], user="wjk68"),
                slack.global_shortcut("new", user="wjk68"), slack.click_view(home["id"], "wave"),
                slack.close_view(modal["id"]), slack.open_home("wjk68"),
                slack.run_step("greet", {"who": AMELIA}, user="wjk68")]
        for act in acts:
            delivery = await act
            assert delivery is not None
            await delivery.acked()
    finally:
        await runner.cleanup()
    verifier = SignatureVerifier(slack.signing_secret)
    assert all(verifier.is_valid_request(body, headers) for headers, body in seen)
    forms = [{k: v[0] for k, v in parse_qs(body.decode()).items()} for headers, body in seen[:4]]
    assert {headers["Content-Type"] for headers, _ in seen[:4]} == {"application/x-www-form-urlencoded"}
    assert [list(form) for form in forms] == [["payload"]] * 4
    assert [json.loads(form["payload"])["type"] for form in forms] == [
        "message_action", "shortcut", "block_actions", "view_closed"]
    assert {headers["Content-Type"] for headers, _ in seen[4:]} == {"application/json"}
    events = [json.loads(body) for _, body in seen[4:]]
    assert {e["type"] for e in events} == {"event_callback"}
    assert [e["event"]["type"] for e in events] == ["app_home_opened", "function_executed"]
    assert slack.connections == 0 and slack.failed_requests == []


async def test_an_event_not_acked_is_retried_with_slacks_headers(slack: Emulator) -> None:
    slack.redelivery_delay = 0.05
    attempts: list[dict[str, str]] = []

    async def flaky(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        if body.get("type") == "url_verification":
            return web.json_response({"challenge": body["challenge"]})
        attempts.append({"event_id": body["event_id"], **{k: v for k, v in request.headers.items()
                                                          if k.startswith("X-Slack-Retry")}})
        return web.Response(status=500 if len(attempts) == 1 else 200)

    runner, url = await serve(flaky)
    try:
        await slack.use_request_url(url)
        slack.lose_acks(1)  # the second attempt is answered, but the answer is lost on the way
        delivery = await slack.send_event({"type": "reaction_added", "user": WJK68, "reaction": "tada"})
        await delivery.acked()
    finally:
        await runner.cleanup()
    first = attempts[0]["event_id"]
    assert attempts == [{"event_id": first},
                        {"event_id": first, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"},
                        {"event_id": first, "X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}]
    assert delivery.attempts == 3 and delivery.envelopes[2]["retry_attempt"] == 2


async def test_a_command_not_acked_fails_for_the_member_and_is_not_retried(slack: Emulator) -> None:
    async def refuse(request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            return web.json_response({"challenge": json.loads(await request.read())["challenge"]})
        return web.Response(status=503)

    runner, url = await serve(refuse)
    try:
        await slack.use_request_url(url)
        delivery = await slack.slash_command("deploy")
        await slack.wait_for(lambda: slack.failed_requests)
    finally:
        await runner.cleanup()
    assert slack.failed_requests == [delivery] and not delivery.is_acked
    assert [r.kind for r in slack.http_requests] == ["url_verification", "slash_commands"]


async def test_a_url_that_does_not_answer_the_challenge_is_not_taken(slack: Emulator) -> None:
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    runner, url = await serve(ok)
    try:
        with pytest.raises(RequestUrlRefused, match="url_verification"):
            await slack.use_request_url(url)
    finally:
        await runner.cleanup()
    assert slack.request_url is None


async def test_an_app_that_answers_nothing_over_http_fails_the_test_with_a_reason(
    slack: Emulator, bolt: AsyncApp,
) -> None:
    with pytest.raises(AssertionError, match="did not ack the command /nothing"):
        await slack.command("/nothing", timeout=0.5)




async def test_a_request_signed_with_another_secret_is_refused_by_bolt(slack: Emulator) -> None:
    app = team_app(AsyncWebClient(token=slack.bot_token, base_url=slack.api_url), signing_secret="0" * 32)
    runner, url = await serve(app.web_app())
    try:
        with pytest.raises(RequestUrlRefused, match="HTTP 401"):
            await slack.use_request_url(url)
    finally:
        await runner.cleanup()
