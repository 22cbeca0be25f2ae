"""Message metadata as Slack's references and @slack/types allow it, driven by the real AsyncWebClient."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from emulator_kit import GENERAL, WJK68, bot_client, error_of
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace

GAME = {"event_type": "sloth_game", "event_payload": {
    "game": "tictactoe", "version": 3, "finished": False, "score": {"U01WJK68KS": 1, "sloth": 0},
    "rounds": [{"pick": "rock", "winner": "U01WJK68KS"}], "ratio": 0.5}}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> AsyncWebClient:
    return bot_client(emu)


def with_payload(**payload: Any) -> dict[str, Any]:
    return {"event_type": "sloth_game", "event_payload": payload}


@pytest.mark.parametrize("payload", [
    {"turn": None},  # no null in @slack/types' MessageMetadata
    {"board": [["x", "o"], ["", "x"]]},  # no arrays of arrays
    {"players": ["U01WJK68KS", "U01AMHART1"]},  # arrays hold only flat objects
    {"score": {"U01WJK68KS": {"wins": 1}}},  # objects hold only strings, numbers, booleans
    {"rounds": [{"picks": ["rock"]}]},
])
async def test_payload_values_outside_slack_types_are_refused(client: AsyncWebClient, payload: dict[str, Any]) -> None:
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="x", metadata=with_payload(**payload))) == (
        "invalid_metadata_format")
    posted = await client.chat_postMessage(channel=GENERAL, text="game")
    assert await error_of(client.chat_update(channel=GENERAL, ts=posted["ts"], text="x",
                                             metadata=with_payload(**payload))) == "invalid_metadata_format"


async def test_payloads_that_slack_types_allow_are_stored(emu: Emulator, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="game", metadata=GAME)
    assert "warning" not in posted
    assert emu.workspace.channels[GENERAL].messages[posted["ts"]]["metadata"] == GAME
    no_payload = {"event_type": "sloth_game"}  # event_payload is part of the shape
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="x", metadata=no_payload)) == (
        "invalid_metadata_format")


@pytest.mark.parametrize("event_type", ["sloth.game", "sloth game", ""])
async def test_a_bad_event_type_is_a_warning_and_the_metadata_is_dropped(emu: Emulator, client: AsyncWebClient,
                                                                        event_type: str) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="game",
                                           metadata={"event_type": event_type, "event_payload": {"id": "g1"}})
    assert posted["warning"] == "invalid_metadata_schema"
    assert posted["response_metadata"]["warnings"] == ["invalid_metadata_schema"]
    assert "metadata" not in emu.workspace.channels[GENERAL].messages[posted["ts"]]


async def test_oversized_metadata_is_refused(client: AsyncWebClient) -> None:
    big = with_payload(notes="x" * 20_000)  # past any size Slack could mean (its number is unpublished)
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="x", metadata=big)) == "metadata_too_large"


async def test_readers_see_the_payload_only_with_include_all_metadata(client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="game", metadata=GAME)
    await client.chat_postMessage(channel=GENERAL, text="reply", thread_ts=posted["ts"], metadata=GAME)
    plain = (await client.conversations_history(channel=GENERAL, limit=1))["messages"][0]
    assert plain["metadata"] == {"event_type": "sloth_game"}
    full = (await client.conversations_history(channel=GENERAL, limit=1, include_all_metadata=True))["messages"][0]
    assert full["metadata"] == GAME
    thread = await client.conversations_replies(channel=GENERAL, ts=posted["ts"])
    assert [m["metadata"] for m in thread["messages"]] == [{"event_type": "sloth_game"}] * 2
    thread = await client.conversations_replies(channel=GENERAL, ts=posted["ts"], include_all_metadata=True)
    assert [m["metadata"] for m in thread["messages"]] == [GAME] * 2


async def test_update_keeps_metadata_it_is_not_given_and_an_empty_object_removes_it(
        emu: Emulator, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="game", metadata=GAME)
    stored = emu.workspace.channels[GENERAL].messages[posted["ts"]]
    await client.chat_update(channel=GENERAL, ts=posted["ts"], text="moved")
    assert stored["metadata"] == GAME
    await client.chat_update(channel=GENERAL, ts=posted["ts"], text="moved again", metadata={})
    assert "metadata" not in stored


async def test_ephemeral_messages_ignore_event_metadata(emu: Emulator, client: AsyncWebClient) -> None:
    await client.chat_postEphemeral(channel=GENERAL, user=WJK68, text="only you", metadata=GAME)
    assert "metadata" not in emu.ephemerals(user=WJK68)[-1]


async def test_a_scheduled_message_with_metadata_is_accepted_and_never_posts(emu: Emulator,
                                                                            client: AsyncWebClient) -> None:
    due = int(time.time()) + 1
    with_metadata = await client.chat_scheduleMessage(channel=GENERAL, text="never", post_at=due, metadata=GAME)
    await client.chat_scheduleMessage(channel=GENERAL, text="on time", post_at=due)
    assert with_metadata["scheduled_message_id"].startswith("Q")
    dropped = await emu.wait_for(lambda: emu.unposted, timeout=4)
    await emu.wait_for(lambda: emu.messages(GENERAL)[-1]["text"] == "on time", timeout=4)
    assert [e["id"] for e in dropped] == [with_metadata["scheduled_message_id"]]
    assert "never" not in [m["text"] for m in emu.messages(GENERAL)]
