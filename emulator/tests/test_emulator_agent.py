"""The agent surface as Slack's references describe it: assistant.threads.*, the agent thread's
events, feedback buttons, and a stream that cannot be stopped twice. Driven by the real AsyncWebClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from emulator_kit import GENERAL, WJK68, bot_client, error_of, user_client
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from test_emulator import socket_client

from sloth_emulator import Emulator, Workspace


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> AsyncWebClient:
    return bot_client(emu)


def feedback(**positive: Any) -> dict[str, Any]:
    return {"type": "context_actions", "elements": [{
        "type": "feedback_buttons", "action_id": "feedback",
        "positive_button": {"text": {"type": "plain_text", "text": "Good"}, "value": "good", **positive},
        "negative_button": {"text": {"type": "plain_text", "text": "Bad"}, "value": "bad"}}]}


async def dm_thread(emu: Emulator, client: AsyncWebClient) -> tuple[str, str]:
    im = (await client.conversations_open(users=WJK68))["channel"]["id"]
    return im, (await client.chat_postMessage(channel=im, text="hello"))["ts"]


async def test_status_prompts_and_title_are_kept_per_thread(emu: Emulator, client: AsyncWebClient) -> None:
    im, ts = await dm_thread(emu, client)
    await client.assistant_threads_setStatus(channel_id=im, thread_ts=ts, status="is thinking…",
                                             loading_messages=["Reading", "Counting"])
    await client.assistant_threads_setSuggestedPrompts(channel_id=im, thread_ts=ts, title="Try", prompts=[
        {"title": "Who is here?", "message": "who is in #general"}])
    await client.assistant_threads_setTitle(channel_id=im, thread_ts=ts, title="Channels")
    state = emu.workspace.assistant_threads[(im, ts)]
    assert state["status"] == "is thinking…" and state["loading_messages"] == ["Reading", "Counting"]
    assert state["prompts"] == [{"title": "Who is here?", "message": "who is in #general"}]
    assert state["title"] == "Channels" and state["prompts_title"] == "Try"
    await client.chat_postMessage(channel=im, thread_ts=ts, text="the answer")
    assert state["status"] == ""


async def test_assistant_threads_refuse_what_slack_refuses(emu: Emulator, client: AsyncWebClient) -> None:
    im, ts = await dm_thread(emu, client)
    assert await error_of(client.assistant_threads_setStatus(channel_id="C0NOTHERE", thread_ts=ts, status="x")) == (
        "channel_not_found")
    assert await error_of(client.assistant_threads_setStatus(channel_id=im, thread_ts="1.000001", status="x")) == (
        "invalid_thread_ts")
    assert await error_of(client.assistant_threads_setStatus(channel_id=im, thread_ts=ts, status="x",
                                                             loading_messages=["m"] * 11)) == "invalid_arguments"
    five = [{"title": f"t{n}", "message": "m"} for n in range(5)]
    assert await error_of(client.assistant_threads_setSuggestedPrompts(channel_id=im, thread_ts=ts, prompts=five)) \
        == "invalid_arguments"
    assert await error_of(client.assistant_threads_setSuggestedPrompts(
        channel_id=im, thread_ts=ts, prompts=[{"title": "no message"}])) == "invalid_arguments"
    assert await error_of(client.api_call("assistant.threads.setTitle", json={"channel_id": im, "thread_ts": ts})) \
        == "invalid_arguments"
    assert await error_of(user_client(emu).assistant_threads_setStatus(channel_id=im, thread_ts=ts, status="x")) == (
        "not_allowed_token_type")
    limited = Emulator(Workspace.default(), bot_scopes=["chat:write", "im:write"])
    async with limited:
        other = bot_client(limited)
        im2 = (await other.conversations_open(users=WJK68))["channel"]["id"]
        ts2 = (await other.chat_postMessage(channel=im2, text="hi"))["ts"]
        await other.assistant_threads_setStatus(channel_id=im2, thread_ts=ts2, status="thinking")  # chat:write will do
        assert await error_of(other.assistant_threads_setTitle(channel_id=im2, thread_ts=ts2, title="t")) == (
            "missing_scope")


async def test_opening_the_agent_thread_sends_its_events(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="agent view"):
        await emu.open_assistant_thread(WJK68)
    emu.app_manifest["features"]["assistant_view"] = {"assistant_description": "Ask Sloth"}
    dm, thread_ts, delivery = await emu.open_assistant_thread(WJK68, context_channel=GENERAL)
    event = delivery.payload["event"]
    assert event["type"] == "assistant_thread_started"
    assert event["assistant_thread"] == {"user_id": WJK68, "channel_id": dm, "thread_ts": thread_ts,
                                         "context": {"channel_id": GENERAL, "team_id": emu.team_id,
                                                     "enterprise_id": None}}
    assert emu.workspace.channels[dm].is_im and thread_ts in emu.workspace.channels[dm].messages
    changed = await emu.change_assistant_context(dm, thread_ts, "C0OTHER", user=WJK68)
    assert changed.payload["event"]["type"] == "assistant_thread_context_changed"
    assert changed.payload["event"]["assistant_thread"]["context"]["channel_id"] == "C0OTHER"


async def test_feedback_buttons_are_checked_and_pressed(emu: Emulator, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="answer", blocks=[feedback()])
    assert emu.workspace.channels[GENERAL].messages[posted["ts"]]["blocks"][0]["type"] == "context_actions"
    for wrong in (feedback(value=""), feedback(text={"type": "mrkdwn", "text": "*Good*"}),
                  feedback(value="v" * 2001), {"type": "context_actions", "elements": []},
                  {"type": "context_actions", "elements": [{"type": "button", "action_id": "b"}]}):
        assert await error_of(client.chat_postMessage(channel=GENERAL, text="x", blocks=[wrong])) == "invalid_blocks"
    received: list[SocketModeRequest] = []
    async with socket_client(emu, received=received):
        await (await emu.click(GENERAL, posted["ts"], "feedback", user=WJK68, value="bad")).acked()
        action = received[-1].payload["actions"][0]
        assert action["type"] == "feedback_buttons" and action["value"] == "bad" and action["text"]["text"] == "Bad"
        with pytest.raises(ValueError, match="no button"):
            await emu.click(GENERAL, posted["ts"], "feedback", user=WJK68, value="meh")


async def test_a_stream_stops_once_and_ends_with_feedback(emu: Emulator, client: AsyncWebClient) -> None:
    im = (await client.conversations_open(users=WJK68))["channel"]["id"]
    ts = (await client.chat_startStream(channel=im, thread_ts="", markdown_text="Hi"))["ts"]
    stopped = await client.chat_stopStream(channel=im, ts=ts, blocks=[feedback()])
    assert stopped["message"]["blocks"][0]["type"] == "context_actions"
    assert await error_of(client.chat_stopStream(channel=im, ts=ts)) == "message_not_in_streaming_state"
    ts = (await client.chat_startStream(channel=im, thread_ts="", markdown_text="Hi"))["ts"]
    assert await error_of(client.chat_stopStream(channel=im, ts=ts, blocks=[feedback(value="")])) == "invalid_blocks"
