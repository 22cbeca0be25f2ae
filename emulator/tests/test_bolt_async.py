"""A plain Bolt app (AsyncApp, Socket Mode over aiohttp) tested with the `slack` fixture, as the
README shows: a command, a mention, a button, a modal, a 429 ridden out, a dropped socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator

WJK68 = "U01WJK68KS"
TICKET = {
    "type": "modal", "callback_id": "ticket", "title": {"type": "plain_text", "text": "New ticket"},
    "submit": {"type": "plain_text", "text": "File it"},
    "blocks": [
        {"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
         "element": {"type": "plain_text_input", "action_id": "value"}},
        {"type": "input", "block_id": "urgency", "label": {"type": "plain_text", "text": "Urgency"},
         "optional": True, "element": {"type": "static_select", "action_id": "level", "options": [
             {"text": {"type": "plain_text", "text": level}, "value": level} for level in ("low", "high")]}},
    ],
}


def team_app(client: AsyncWebClient, **options: Any) -> AsyncApp:
    """A small team's app, written as Bolt's documentation writes them (`options`: AsyncApp's)."""
    app = AsyncApp(client=client, **options)

    @app.command("/hello")
    async def hello(ack: Any, command: dict[str, Any]) -> None:
        await ack(f"Hello, <@{command['user_id']}>! You said: {command['text']}")

    @app.event("app_mention")
    async def mentioned(event: dict[str, Any], say: Any) -> None:
        await say(text="On it", thread_ts=event["ts"])

    @app.message("status")
    async def status(message: dict[str, Any], say: Any) -> None:
        await say(f"All green, <@{message['user']}>")

    @app.event("reaction_added")
    async def reacted(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event["reaction"] == "page_facing_up":
            await client.files_upload_v2(channel=event["item"]["channel"], filename="report.txt",
                                         content="all systems nominal", title="Report")

    @app.command("/deploy")
    async def deploy(ack: Any, say: Any, command: dict[str, Any]) -> None:
        await ack()
        await say(text=f"Deploy {command['text']}?", blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Deploy *{command['text']}*?"}},
            {"type": "actions", "elements": [{"type": "button", "action_id": "approve", "value": command["text"],
                                              "text": {"type": "plain_text", "text": "Approve"}}]}])

    @app.action("approve")
    async def approve(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(replace_original=True, text=f"{body['actions'][0]['value']} approved by <@{body['user']['id']}>")

    @app.command("/ticket")
    async def ticket(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=TICKET)

    @app.view("ticket")
    async def filed(ack: Any, view: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        values = view["state"]["values"]
        title = values["title"]["value"]["value"]
        if title == "never mind":
            await ack()  # closes the modal, says nothing
            return
        if title == "oops":
            await ack(response_action="errors", errors={"summary": "No such block"})
            return
        if len(title) < 5:
            await ack(response_action="errors", errors={"title": "Say a little more"})
            return
        await ack()
        urgency = (values["urgency"]["level"]["selected_option"] or {}).get("value", "low")
        await client.chat_postMessage(channel=body["user"]["id"], text=f"Filed: {title} ({urgency})")

    return app


@pytest.fixture
async def app(slack: Emulator) -> AsyncIterator[AsyncApp]:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url,
                            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    bolt = team_app(client)
    # The SDK finds a dead socket by its pings (every 10 s unless told): 2 s keeps the test short.
    handler = AsyncSocketModeHandler(bolt, slack.app_token, ping_interval=2)
    await handler.connect_async()
    await slack.wait_connected()
    yield bolt
    await handler.close_async()


async def test_a_slash_command_is_answered_in_its_ack(slack: Emulator, app: AsyncApp) -> None:
    answer = await slack.command("/hello the tests", user="wjk68")
    assert answer.text == f"Hello, <@{WJK68}>! You said: the tests"
    [post] = answer.posts
    assert post.ephemeral_to == WJK68  # an ack's reply is ephemeral unless it says in_channel
    assert slack.responses[-1].source == "ack"


async def test_a_mention_is_answered_in_its_thread(slack: Emulator, app: AsyncApp) -> None:
    answer = await slack.mention("can you look?", channel="#random")
    [post] = answer.posts
    [asked] = [m for m in slack.messages("random") if m["text"].endswith("can you look?")]
    assert post.text == "On it" and post.message["thread_ts"] == asked["ts"]
    assert slack.posts("random") == [post]


async def test_a_dm_is_answered_in_the_dm(slack: Emulator, app: AsyncApp) -> None:
    answer = await slack.dm("status?", user="priya")
    [post] = answer.posts
    assert post.text == "All green, <@U01PNAIR01>" and post.channel.startswith("D")


async def test_an_event_is_answered_with_an_upload(slack: Emulator, app: AsyncApp) -> None:
    [general] = [m for m in slack.messages("general") if m.get("user") == WJK68][:1]
    answer = await slack.event({"type": "reaction_added", "user": WJK68, "reaction": "page_facing_up",
                                "item": {"type": "message", "channel": "C01GENERAL", "ts": general["ts"]},
                                "item_user": WJK68})
    [upload] = slack.uploaded()
    assert (upload.name, upload.title, upload.content) == ("report.txt", "Report", b"all systems nominal")
    assert answer.posts[0].message["files"][0]["id"] == upload.id


async def test_a_button_click_replaces_the_message(slack: Emulator, app: AsyncApp) -> None:
    asked = await slack.command("/deploy api")
    assert set(asked.buttons) == {"approve"}
    approved = await slack.press(asked, "approve", user="amelia")
    [post] = approved.posts
    assert (post.channel, post.ts) == (asked.posts[0].channel, asked.posts[0].ts)  # the same message, edited
    assert post.text == "api approved by <@U01AMHART1>" and post.buttons == {}


async def test_a_view_submission_is_checked_then_filed(slack: Emulator, app: AsyncApp) -> None:
    opened = await slack.command("/ticket")
    assert opened.view["title"]["text"] == "New ticket" and opened.posts == []
    refused = await slack.submit(opened, {"title": "Bug"})
    assert refused.ack == {"response_action": "errors", "errors": {"title": "Say a little more"}}
    assert [v["id"] for v in slack.views()] == [opened.view["id"]]  # still open, with the member's input
    assert slack.views()[0]["state"]["values"]["title"]["value"]["value"] == "Bug"
    filed = await slack.submit(opened, {"title": "Login fails on Safari", "urgency": "high"})
    assert filed.text == "Filed: Login fails on Safari (high)" and slack.views() == []
    assert slack.refused_view_responses == []


async def test_a_bare_ack_closes_the_modal_and_a_wrong_answer_is_refused(slack: Emulator, app: AsyncApp) -> None:
    opened = await slack.command("/ticket")
    delivery = await slack.submit_view(opened.view["id"], {"title": "oops"})
    await slack.wait_for(lambda: slack.refused_view_responses)
    assert slack.refused_view_responses == [
        (opened.view["id"], "errors name blocks that are not input blocks of the view: ['summary']")]
    assert delivery.is_acked and len(slack.views()) == 1  # Slack shows the member an error; the modal stays
    delivery = await slack.submit_view(opened.view["id"], {"title": "never mind"})
    await delivery.acked()
    assert slack.views() == [] and slack.posts() == []


async def test_a_member_cannot_submit_what_slack_would_not_send(slack: Emulator, app: AsyncApp) -> None:
    opened = await slack.command("/ticket")
    with pytest.raises(ValueError, match="required"):
        await slack.submit(opened, {"urgency": "low"})
    with pytest.raises(ValueError, match="no option"):
        await slack.submit(opened, {"title": "Login fails", "urgency": "whenever"})
    with pytest.raises(ValueError, match="no input"):
        await slack.submit(opened, {"titel": "Login fails"})


async def test_a_429_is_ridden_out_by_the_apps_retry_handler(slack: Emulator, app: AsyncApp) -> None:
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    answer = await slack.mention("deploy please", timeout=10)
    assert answer.text == "On it"
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_a_dropped_socket_is_reconnected_and_answers_again(slack: Emulator, app: AsyncApp) -> None:
    opened = slack.sockets_opened
    slack.drop_connection()
    await slack.wait_for(lambda: slack.sockets_opened > opened and slack.connections == 1, timeout=15)
    answer = await slack.command("/hello again")
    assert answer.text.endswith("You said: again")


async def test_an_app_that_says_nothing_fails_the_test_with_a_reason(slack: Emulator, app: AsyncApp) -> None:
    with pytest.raises(AssertionError, match="did not ack the command /nothing"):
        await slack.command("/nothing", timeout=0.5)
