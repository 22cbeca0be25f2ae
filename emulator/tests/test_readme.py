"""The README's two examples, as written there."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient


async def test_hello(slack: Any) -> None:
    app = AsyncApp(client=AsyncWebClient(token=slack.bot_token, base_url=slack.api_url))

    @app.command("/hello")
    async def hello(ack: Any, command: dict[str, Any]) -> None:
        await ack(f"Hello, <@{command['user_id']}>!")

    handler = AsyncSocketModeHandler(app, slack.app_token)
    await handler.connect_async()
    answer = await slack.command("/hello", user="amelia")
    assert answer.text == "Hello, <@U01AMHART1>!"
    await handler.close_async()


def test_hello_sync(slack_thread: Any) -> None:
    app = App(client=WebClient(token=slack_thread.bot_token, base_url=slack_thread.api_url))

    @app.event("app_mention")
    def mentioned(event: dict[str, Any], say: Any) -> None:
        say(text="On it", thread_ts=event["ts"])

    handler = SocketModeHandler(app, slack_thread.app_token)
    handler.connect()
    slack_thread.wait_connected()
    assert slack_thread.mention("deploy please").text == "On it"
    handler.close()


async def test_an_app_that_never_connects_is_named(slack: Any) -> None:
    try:
        await slack.command("/hello", timeout=0.2)
    except AssertionError as refused:
        assert "the app opened no Socket Mode connection within 0.2 s" in str(refused)
    else:
        raise AssertionError("a command with no app connected was answered")
