"""views.* and chat.*Stream as Slack's method references describe them, driven by the real AsyncWebClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from emulator_kit import AMELIA, GENERAL, WJK68, bot_client, error_of, user_client
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> AsyncWebClient:
    return bot_client(emu)


def modal(title: str = "Sloth", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}], **extra}


async def test_a_modal_opens_once_per_trigger_and_stacks_three_deep(emu: Emulator, client: AsyncWebClient) -> None:
    trigger = emu.triggers.issue(WJK68)
    opened = (await client.views_open(trigger_id=trigger, view=modal(external_id="first")))["view"]
    assert opened["root_view_id"] == opened["id"] and opened["previous_view_id"] is None
    assert await error_of(client.views_open(trigger_id=trigger, view=modal())) == "expired_trigger_id"
    assert await error_of(client.views_open(trigger_id=emu.triggers.issue(WJK68), view=modal(external_id="first"))) \
        == "duplicate_external_id"
    pushed = (await client.views_push(trigger_id=emu.triggers.issue(WJK68), view=modal("Second")))["view"]
    assert pushed["root_view_id"] == opened["id"] and pushed["previous_view_id"] == opened["id"]
    await client.views_push(trigger_id=emu.triggers.issue(WJK68), view=modal("Third"))
    assert await error_of(client.views_push(trigger_id=emu.triggers.issue(WJK68), view=modal("Fourth"))) == (
        "push_limit_reached")
    assert await error_of(client.views_push(trigger_id=emu.triggers.issue(AMELIA), view=modal())) == "not_found"


async def test_views_refuse_what_slack_refuses(emu: Emulator, client: AsyncWebClient) -> None:
    no_title = {"type": "modal", "blocks": []}
    assert await error_of(client.views_open(trigger_id=emu.triggers.issue(WJK68), view=no_title)) == "invalid_arguments"
    home = {"type": "home", "blocks": []}
    assert await error_of(client.views_open(trigger_id=emu.triggers.issue(WJK68), view=home)) == "invalid_arguments"
    many = modal(blocks=[{"type": "divider"}] * 101)
    assert await error_of(client.views_open(trigger_id=emu.triggers.issue(WJK68), view=many)) == "invalid_arguments"
    assert await error_of(client.views_open(trigger_id="1.2.nope", view=modal())) == "invalid_trigger_id"


async def test_a_view_updates_by_id_or_external_id_and_refuses_a_stale_hash(emu: Emulator,
                                                                          client: AsyncWebClient) -> None:
    opened = (await client.views_open(trigger_id=emu.triggers.issue(WJK68), view=modal(external_id="ext")))["view"]
    updated = (await client.views_update(view_id=opened["id"], view=modal("Updated"), hash=opened["hash"]))["view"]
    assert updated["id"] == opened["id"] and updated["title"]["text"] == "Updated"
    assert await error_of(client.views_update(view_id=opened["id"], view=modal(), hash=opened["hash"])) == (
        "hash_conflict")
    again = (await client.views_update(external_id="ext", view=modal("Again", external_id="ext")))["view"]
    assert again["id"] == opened["id"]
    assert await error_of(client.views_update(view_id="V0NOTHERE", view=modal())) == "not_found"


async def test_a_home_tab_is_published_by_bot_tokens_for_members(emu: Emulator, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [{"type": "markdown", "text": "**Hi**"}]}
    first = (await client.views_publish(user_id=WJK68, view=home))["view"]
    second = (await client.views_publish(user_id=WJK68, view=home, hash=first["hash"]))["view"]
    assert second["id"] == first["id"] and second["blocks"][0]["type"] == "markdown"
    assert await error_of(client.views_publish(user_id=WJK68, view=home, hash=first["hash"])) == "hash_conflict"
    assert await error_of(client.views_publish(user_id="U0NOBODY", view=home)) == "invalid_arguments"
    assert await error_of(client.views_publish(user_id=WJK68, view=modal())) == "invalid_arguments"
    assert await error_of(user_client(emu).views_publish(user_id=WJK68, view=home)) == "not_allowed_token_type"


async def test_a_stream_posts_appends_and_stops(emu: Emulator, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel=GENERAL, text="question")
    started = await client.chat_startStream(channel=GENERAL, thread_ts=parent["ts"], markdown_text="**Hel",
                                            recipient_user_id=WJK68, recipient_team_id=emu.team_id)
    ts = started["ts"]
    await client.chat_appendStream(channel=GENERAL, ts=ts, markdown_text="lo**", chunks=[
        {"type": "task_update", "id": "t1", "title": "Reading", "status": "in_progress"},
        {"type": "blocks", "blocks": [{"type": "divider"}]}])
    stopped = await client.chat_stopStream(channel=GENERAL, ts=ts, chunks=[{"type": "markdown_text", "text": "!"}],
                                           blocks=[{"type": "markdown", "text": "_done_"}])
    assert stopped["message"]["text"] == "**Hello**!"
    assert [b["type"] for b in stopped["message"]["blocks"]] == ["divider", "markdown"]
    assert emu.workspace.channels[GENERAL].messages[ts]["thread_ts"] == parent["ts"]
    # Stopped, it is still known as streamed (drawn as its text, then its blocks); the question never was.
    assert (GENERAL, ts) in emu.workspace.streamed and (GENERAL, ts) not in emu.workspace.streams
    assert (GENERAL, parent["ts"]) not in emu.workspace.streamed
    assert await error_of(client.chat_appendStream(channel=GENERAL, ts=ts, markdown_text="more")) == (
        "message_not_in_streaming_state")
    assert await error_of(client.chat_appendStream(channel=GENERAL, ts=parent["ts"], markdown_text="x")) == (
        "message_not_in_streaming_state")


async def test_streams_refuse_what_slack_refuses(emu: Emulator, client: AsyncWebClient) -> None:
    assert await error_of(client.chat_startStream(channel=GENERAL, thread_ts="", markdown_text="x")) == (
        "missing_recipient_user_id")
    assert await error_of(client.chat_startStream(channel=GENERAL, thread_ts="", markdown_text="x",
                                                  recipient_user_id=WJK68)) == "missing_recipient_team_id"
    im = (await client.conversations_open(users=WJK68))["channel"]["id"]
    ts = (await client.chat_startStream(channel=im, thread_ts="", markdown_text="in a DM"))["ts"]
    assert await error_of(client.chat_appendStream(channel=im, ts=ts, chunks=[{"type": "poll"}])) == "invalid_chunks"
    assert await error_of(client.chat_appendStream(channel=im, ts=ts, chunks=[
        {"type": "task_update", "id": "t", "title": "x", "status": "done"}])) == "invalid_chunks"
    assert await error_of(client.chat_appendStream(channel=im, ts=ts)) == "no_text"
    assert await error_of(client.chat_appendStream(channel=im, ts="1.000001", markdown_text="x")) == (
        "message_not_found")
    said = await user_client(emu).chat_postMessage(channel=GENERAL, text="a member's")
    assert await error_of(client.chat_appendStream(channel=GENERAL, ts=said["ts"], markdown_text="x")) == (
        "message_not_owned_by_app")
    assert await error_of(user_client(emu).chat_startStream(channel=im, thread_ts="", markdown_text="x")) == (
        "not_allowed_token_type")
    limited = Emulator(Workspace.default(), bot_scopes=["channels:read"])
    async with limited:
        assert await error_of(bot_client(limited).chat_startStream(
            channel=GENERAL, thread_ts="", markdown_text="x", recipient_user_id=WJK68,
            recipient_team_id=limited.team_id)) == "missing_scope"


async def test_chat_methods_take_markdown_text_alone(emu: Emulator, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, markdown_text="**bold** [docs](https://ex.example)")
    assert emu.workspace.channels[GENERAL].messages[posted["ts"]]["text"] == "**bold** [docs](https://ex.example)"
    await client.chat_update(channel=GENERAL, ts=posted["ts"], markdown_text="_changed_")
    assert emu.workspace.channels[GENERAL].messages[posted["ts"]]["text"] == "_changed_"
    assert await error_of(client.chat_postMessage(channel=GENERAL, markdown_text="**x**", text="x")) == (
        "markdown_text_conflict")
    assert await error_of(client.chat_postEphemeral(channel=GENERAL, user=WJK68, markdown_text="**x**",
                                                    blocks=[{"type": "divider"}])) == "markdown_text_conflict"
