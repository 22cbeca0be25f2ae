"""The Home tab, buttons in a view, message shortcuts and workflow steps, driven by a plain Bolt app
as Bolt's documentation writes one, over Socket Mode and over HTTP (Bolt's own aiohttp server,
which checks every signature), and refused as Slack refuses them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from emulator_kit import AMELIA, GENERAL, WJK68, bot_client, error_of, serve, user_client
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator

RANDOM_PRIVATE = "secret-plans"
STEP = {
    "title": "Greet", "description": "Say hello to someone",
    "input_parameters": {
        "interactivity": {"type": "slack#/types/interactivity", "title": "Who runs it", "is_required": True},
        "who": {"type": "slack#/types/user_id", "title": "Who", "is_required": True},
        "times": {"type": "integer", "title": "How many times", "is_required": False},
    },
    "output_parameters": {"greeting": {"type": "string", "title": "Greeting", "is_required": True}},
}


def manifest(emu: Emulator) -> None:
    emu.app_manifest["features"]["shortcuts"] = [
        {"name": "Quote", "type": "message", "callback_id": "quote", "description": "Quote this message"}]
    emu.app_manifest["functions"] = {"greet": STEP}


def home_app(client: AsyncWebClient, **options: Any) -> AsyncApp:
    app = AsyncApp(client=client, **options)

    @app.event("app_home_opened")
    async def opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Welcome home (again: {'view' in event})"}},
            {"type": "actions", "elements": [{"type": "button", "action_id": "wave", "value": "hi",
                                              "text": {"type": "plain_text", "text": "Wave"}}]}]})

    @app.action("wave")
    async def wave(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        assert "response_url" not in body and "channel" not in body  # a view has neither
        view = body["view"]
        await client.views_publish(user_id=body["user"]["id"], hash=view["hash"], view={"type": "home", "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Waved from {body['container']['type']}"}}]})

    @app.shortcut("quote")
    async def quote(ack: Any, shortcut: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(f"> {shortcut['message']['text']} (in {shortcut['channel']['id']})")

    @app.function("greet")
    async def greet(inputs: dict[str, Any], complete: Any, fail: Any) -> None:
        runner = inputs["interactivity"]["interactor"]["id"]
        if inputs["who"] == runner:
            await fail("Greet someone else.")
            return
        await complete({"greeting": f"<@{runner}> greets <@{inputs['who']}> x{inputs.get('times', 1)}"})

    return app


@pytest.fixture(params=["socket", "http"])
async def app(slack: Emulator, request: pytest.FixtureRequest) -> AsyncIterator[AsyncApp]:
    """The app over Socket Mode, or at its request URL (every act then a signed POST to it)."""
    manifest(slack)
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    if request.param == "http":
        bolt = home_app(client, signing_secret=slack.signing_secret)
        runner, url = await serve(bolt.web_app())
        await slack.use_request_url(url)
        yield bolt
        await runner.cleanup()
        return
    bolt = home_app(client)
    handler = AsyncSocketModeHandler(bolt, slack.app_token)
    await handler.connect_async()
    await slack.wait_connected()
    yield bolt
    await handler.close_async()


async def test_the_home_tab_is_published_when_opened_and_carried_in_the_next_event(slack: Emulator,
                                                                                   app: AsyncApp) -> None:
    first = await slack.home(user="amelia")
    assert first.view["type"] == "home" and "again: False" in str(first.view["blocks"])
    [event] = [e["payload"]["event"] for e in slack.events_sent if e["payload"]["event"]["type"] == "app_home_opened"]
    assert event["tab"] == "home" and event["channel"].startswith("D") and "view" not in event
    again = await slack.home(user="amelia")
    assert "again: True" in str(again.view["blocks"]) and again.view["id"] == first.view["id"]


async def test_a_button_in_the_home_tab_comes_from_the_view(slack: Emulator, app: AsyncApp) -> None:
    home = await slack.home(user="amelia")
    delivery = await slack.click_view(home.view["id"], "wave")
    await delivery.acked()
    published = await slack.wait_for(lambda: "Waved from view" in str(slack.views("amelia")))
    assert published and delivery.payload["container"] == {"type": "view", "view_id": home.view["id"]}


async def test_a_home_tab_needs_the_tab_on_in_the_apps_settings(slack: Emulator) -> None:
    slack.app_manifest["features"]["app_home"]["home_tab_enabled"] = False
    home = {"type": "home", "blocks": []}
    assert await error_of(bot_client(slack).views_publish(user_id=WJK68, view=home)) == "not_enabled"
    with pytest.raises(ValueError, match="no home tab"):
        await slack.open_home("amelia")
    big = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}] * 90}
    slack.app_manifest["features"]["app_home"]["home_tab_enabled"] = True
    assert await error_of(bot_client(slack).views_publish(user_id=WJK68, view=big)) == "view_too_large"


async def test_a_message_shortcut_carries_the_message_and_answers_through_its_response_url(
        slack: Emulator, app: AsyncApp) -> None:
    said = slack.messages("general")[-1]
    answer = await slack.message_shortcut("quote", ("general", said["ts"]), user="jonas")
    [post] = answer.posts
    assert post.text == f"> {said['text']} (in {GENERAL})" and post.ephemeral_to == "U01JBECKER"
    with pytest.raises(ValueError, match="no message shortcut 'nope'"):
        await slack.use_message_shortcut("nope", "general", said["ts"])
    hidden = slack.workspace.create_channel(RANDOM_PRIVATE, WJK68, is_private=True)
    slack.workspace.post(hidden, {"type": "message", "user": WJK68, "text": "the plan"})
    with pytest.raises(ValueError, match="cannot see"):
        await slack.use_message_shortcut("quote", hidden.id, next(iter(hidden.messages)), user="amelia")


async def test_a_step_runs_for_the_member_who_runs_the_workflow_and_ends_once(slack: Emulator, app: AsyncApp) -> None:
    run = await slack.step("greet", {"who": AMELIA, "times": 2}, user="wjk68")
    assert (run.status, run.outputs) == ("completed", {"greeting": f"<@{WJK68}> greets <@{AMELIA}> x2"})
    [call] = slack.calls_to("functions.completeSuccess")
    assert call.token == run.token and call.token.startswith("xwfp-")  # the run's own token, as Bolt uses it
    refused = await slack.step("greet", {"who": WJK68}, user="wjk68")
    assert (refused.status, refused.error) == ("failed", "Greet someone else.")
    client = bot_client(slack)
    again = client.functions_completeSuccess(function_execution_id=run.id, outputs={"greeting": "x"})
    assert await error_of(again) == "execution_not_in_running_state"
    unknown = client.functions_completeError(function_execution_id="Fx0NOTHERE1", error="no")
    assert await error_of(unknown) == "function_execution_not_found"


async def test_a_step_is_refused_what_workflow_builder_and_slack_refuse(slack: Emulator) -> None:
    manifest(slack)
    with pytest.raises(ValueError, match="required"):
        await slack.run_step("greet", {}, user="wjk68")
    with pytest.raises(ValueError, match="not a slack#/types/user_id"):
        await slack.run_step("greet", {"who": "amelia"}, user="wjk68")
    with pytest.raises(ValueError, match="declares no function 'nope'"):
        await slack.run_step("nope", {}, user="wjk68")
    first = await slack.run_step("greet", {"who": AMELIA}, user="wjk68")
    second = await slack.run_step("greet", {"who": AMELIA}, user="amelia")
    one, other = (d.payload["event"] for d in (first, second))
    assert one["function"]["callback_id"] == "greet" and one["inputs"]["interactivity"]["interactor"]["id"] == WJK68
    assert [p["name"] for p in one["function"]["input_parameters"]] == ["interactivity", "who", "times"]
    theirs = AsyncWebClient(token=other["bot_access_token"], base_url=slack.api_url)
    assert await error_of(theirs.functions_completeSuccess(function_execution_id=one["function_execution_id"],
                                                           outputs={"greeting": "hi"})) == "access_denied"
    mine = AsyncWebClient(token=one["bot_access_token"], base_url=slack.api_url)
    assert await error_of(mine.functions_completeSuccess(function_execution_id=one["function_execution_id"],
                                                         outputs={})) == "parameter_validation_failed"
    await user_client(slack).functions_completeError(function_execution_id=one["function_execution_id"], error="no")
    assert slack.executions[one["function_execution_id"]].status == "failed"
