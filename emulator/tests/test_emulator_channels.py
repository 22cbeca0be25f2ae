"""Archived channels, channel change events and click containers, through the real slack_sdk clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from emulator_kit import GENERAL, WJK68, bot_client, error_of, user_client
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace

BUTTON = {"type": "actions", "block_id": "b", "elements": [
    {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}, "value": "1"}]}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


@pytest.fixture
async def received(emu: Emulator) -> AsyncIterator[list[SocketModeRequest]]:
    """Envelopes the real aiohttp SocketModeClient got (each acked at once)."""
    got: list[SocketModeRequest] = []
    client = SocketModeClient(app_token=emu.app_token, web_client=AsyncWebClient(base_url=emu.api_url))

    async def on_request(sm: Any, request: SocketModeRequest) -> None:
        got.append(request)
        await sm.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    client.socket_mode_request_listeners.append(on_request)
    await client.connect()
    await emu.wait_connected(1)
    yield got
    await client.close()


def events(got: list[SocketModeRequest]) -> list[dict[str, Any]]:
    return [r.payload["event"] for r in got if r.type == "events_api"]


async def test_archived_channels_refuse_edits_with_is_inactive_and_posts_with_is_archived(emu: Emulator) -> None:
    client = bot_client(emu)
    posted = await client.chat_postMessage(channel=GENERAL, text="before")
    emu.workspace.channels[GENERAL].is_archived = True
    assert await error_of(client.chat_update(channel=GENERAL, ts=posted["ts"], text="after")) == "is_inactive"
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="after")) == "is_archived"
    assert await error_of(client.chat_postEphemeral(channel=GENERAL, user=WJK68, text="after")) == "is_archived"


async def test_public_changes_send_channel_events(emu: Emulator, received: list[SocketModeRequest]) -> None:
    for step in (emu.rename_channel("random", "lounge"), emu.archive_channel("lounge", user="wjk68"),
                 emu.unarchive_channel("lounge", user="wjk68"), emu.delete_channel("lounge")):
        delivery = await step
        assert delivery is not None
        await delivery.acked()  # one at a time, so they are read in this order
    renamed, archived, unarchived, gone = events(received)
    assert (renamed["type"], renamed["channel"]["name"]) == ("channel_rename", "lounge")
    assert (archived, unarchived) == ({"type": "channel_archive", "channel": "C01RANDOM1", "user": WJK68,
                                       "event_ts": archived["event_ts"]},
                                      {"type": "channel_unarchive", "channel": "C01RANDOM1", "user": WJK68,
                                       "event_ts": unarchived["event_ts"]})
    assert gone["type"] == "channel_deleted" and "C01RANDOM1" not in emu.workspace.channels


async def test_private_changes_send_group_events_to_members_only(emu: Emulator,
                                                                received: list[SocketModeRequest]) -> None:
    mine = emu.workspace.create_channel("plans", emu.bot_user_id, is_private=True)
    theirs = emu.workspace.create_channel("secrets", WJK68, is_private=True)
    assert await emu.rename_channel(theirs.id, "still-secret") is None  # the bot is not a member
    for step in (emu.rename_channel(mine.id, "new-plans"), emu.archive_channel(mine.id),
                 emu.unarchive_channel(mine.id), emu.delete_channel(mine.id)):
        delivery = await step
        assert delivery is not None
        await delivery.acked()
    assert [e["type"] for e in events(received)] == ["group_rename", "group_archive", "group_unarchive",
                                                    "group_deleted"]


async def test_archiving_through_the_api_sends_channel_archive(emu: Emulator,
                                                              received: list[SocketModeRequest]) -> None:
    await user_client(emu).conversations_archive(channel="C01TESTEXP")
    archived = await emu.wait_for(lambda: [e for e in events(received) if e["type"] == "channel_archive"])
    assert archived[0]["channel"] == "C01TESTEXP" and archived[0]["user"] == WJK68


async def test_click_containers_say_where_the_button_was(emu: Emulator, received: list[SocketModeRequest]) -> None:
    client = bot_client(emu)
    top = await client.chat_postMessage(channel=GENERAL, text="top", blocks=[BUTTON])
    inside = await client.chat_postMessage(channel=GENERAL, text="inside", attachments=[
        {"fallback": "x", "blocks": [BUTTON]}, {"fallback": "y", "blocks": [BUTTON]}])
    ephemeral = await client.chat_postEphemeral(channel=GENERAL, user=WJK68, text="just you", blocks=[BUTTON])
    for ts in (top["ts"], inside["ts"], ephemeral["message_ts"]):  # one at a time, acked in order
        await (await emu.click(channel=GENERAL, ts=ts, action_id="go", user=WJK68)).acked()
    on_top, in_attachment, on_ephemeral = (r.payload["container"] for r in received)
    assert on_top == {"type": "message", "message_ts": top["ts"], "channel_id": GENERAL, "is_ephemeral": False}
    assert in_attachment == {"type": "message_attachment", "message_ts": inside["ts"], "attachment_id": 1,
                             "channel_id": GENERAL, "is_ephemeral": False, "is_app_unfurl": False}
    assert on_ephemeral["type"] == "message" and on_ephemeral["is_ephemeral"] is True
