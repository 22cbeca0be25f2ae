"""A plain sync Bolt app (App, the SDK's built-in SocketModeHandler) tested with the
`slack_thread` fixture: the emulator runs on a loop of its own, and the test is a plain def."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from sloth_emulator.threaded import EmulatorThread

TICKET = {
    "type": "modal", "callback_id": "ticket", "title": {"type": "plain_text", "text": "New ticket"},
    "submit": {"type": "plain_text", "text": "File it"},
    "blocks": [{"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"}}],
}


def team_app(client: WebClient) -> App:
    app = App(client=client)

    @app.command("/hello")
    def hello(ack: Any, command: dict[str, Any]) -> None:
        ack(f"Hello, <@{command['user_id']}>!")

    @app.event("app_mention")
    def mentioned(event: dict[str, Any], say: Any) -> None:
        say(text="On it", thread_ts=event["ts"])

    @app.command("/deploy")
    def deploy(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(response_type="in_channel", text=f"Deploy {command['text']}?", blocks=[
            {"type": "actions", "elements": [{"type": "button", "action_id": "approve", "value": command["text"],
                                              "text": {"type": "plain_text", "text": "Approve"}}]}])

    @app.action("approve")
    def approve(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        message = body["container"]
        client.chat_update(channel=message["channel_id"], ts=message["message_ts"],
                           text=f"{body['actions'][0]['value']} approved", blocks=[])

    @app.command("/ticket")
    def ticket(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=TICKET)

    @app.view("ticket")
    def filed(ack: Any, view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        ack()
        title = view["state"]["values"]["title"]["value"]["value"]
        client.chat_postMessage(channel=body["user"]["id"], text=f"Filed: {title}")

    return app


@pytest.fixture
def app(slack_thread: EmulatorThread) -> Iterator[App]:
    client = WebClient(token=slack_thread.bot_token, base_url=slack_thread.api_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    bolt = team_app(client)
    # The built-in client calls a socket dead after 4 pings unanswered: 1 s apart keeps the test short.
    handler = SocketModeHandler(bolt, slack_thread.app_token, ping_interval=1)
    handler.connect()
    slack_thread.wait_connected()
    yield bolt
    handler.close()


def test_a_slash_command_is_answered(slack_thread: EmulatorThread, app: App) -> None:
    answer = slack_thread.command("/hello", user="amelia")
    assert answer.text == "Hello, <@U01AMHART1>!"


def test_a_mention_is_answered(slack_thread: EmulatorThread, app: App) -> None:
    answer = slack_thread.mention("look at this", channel="#random")
    [post] = answer.posts
    assert post.text == "On it" and post.channel == "C01RANDOM1" and "thread_ts" in post.message


def test_a_button_click_updates_the_message(slack_thread: EmulatorThread, app: App) -> None:
    asked = slack_thread.command("/deploy web")
    [post] = asked.posts
    assert post.ephemeral_to is None and set(post.buttons) == {"approve"}
    approved = slack_thread.press(asked, "approve")
    assert [(p.ts, p.text) for p in approved.posts] == [(post.ts, "web approved")]
    assert slack_thread.calls_to("chat.update")[-1].ok


def test_a_view_submission_is_filed(slack_thread: EmulatorThread, app: App) -> None:
    opened = slack_thread.command("/ticket")
    filed = slack_thread.submit(opened, {"value": "Printer on fire"})  # by action_id, as well as block_id
    assert filed.text == "Filed: Printer on fire" and slack_thread.views() == []


def test_a_429_is_ridden_out(slack_thread: EmulatorThread, app: App) -> None:
    slack_thread.rate_limit_next("chat.postMessage", retry_after=1)
    assert slack_thread.mention("again", timeout=10).text == "On it"
    assert [c.status for c in slack_thread.calls_to("chat.postMessage")] == [429, 200]


def test_a_dropped_socket_is_reconnected(slack_thread: EmulatorThread, app: App) -> None:
    opened = slack_thread.sockets_opened
    slack_thread.drop_connection()
    slack_thread.wait_for(lambda: slack_thread.emu.sockets_opened > opened and slack_thread.emu.connections, 15)
    assert slack_thread.command("/hello").text == "Hello, <@U01WJK68KS>!"
