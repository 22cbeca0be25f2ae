"""Socket Mode faults a bot must survive: an old connection kept open after a disconnect frame and
still carrying envelopes, a connection that stops answering, one cut without a close frame.
Also response_url's use and time limits, over real HTTP with the emulator's clock moved."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default()) as emulator:
        yield emulator


async def raw_socket(emu: Emulator, http: aiohttp.ClientSession) -> aiohttp.ClientWebSocketResponse:
    opened = await AsyncWebClient(base_url=emu.api_url).apps_connections_open(app_token=emu.app_token)
    ws = await http.ws_connect(opened["url"], autoping=False)
    assert (await ws.receive_json())["type"] == "hello"
    return ws


async def test_an_old_connection_stays_open_after_its_disconnect_frame_and_still_delivers(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        old = await raw_socket(emu, http)
        await emu.wait_connected(1)
        old_id = emu.hub.connections[0].id
        await emu.disconnect_all("refresh_requested", close_after=5.0)
        assert (await old.receive_json(timeout=2))["reason"] == "refresh_requested"
        new = await raw_socket(emu, http)
        await emu.wait_connected(2)
        late = await emu.send_event({"type": "team_join", "user": {"id": "U0LATE"}}, connection_id=old_id)
        envelope = await old.receive_json(timeout=2)
        assert envelope["envelope_id"] == late.envelope_id
        await old.send_str(json.dumps({"envelope_id": envelope["envelope_id"]}))
        await late.acked()
        fresh = await emu.send_event({"type": "team_join", "user": {"id": "U0NEW"}})
        assert (await new.receive_json(timeout=2))["envelope_id"] == fresh.envelope_id  # new work goes to the new one
        await new.close()
        await old.close()


async def test_a_silent_connection_answers_no_pings_and_the_sdk_reconnects(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        quiet = await raw_socket(emu, http)
        await emu.wait_connected(1)
        await quiet.ping(b"before")
        assert (await quiet.receive(timeout=2)).type == aiohttp.WSMsgType.PONG
        emu.silence_connection(emu.hub.connections[0].id)
        await quiet.ping(b"after")
        with pytest.raises(TimeoutError):
            await quiet.receive(timeout=0.5)
        await quiet.close()
    received: list[SocketModeRequest] = []
    client = SocketModeClient(app_token=emu.app_token, web_client=AsyncWebClient(base_url=emu.api_url),
                              ping_interval=0.5)

    async def on_request(sm: SocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        await sm.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    client.socket_mode_request_listeners.append(on_request)  # type: ignore[arg-type]
    await client.connect()
    try:
        first = (await emu.wait_for(lambda: emu.hub.connections, timeout=5))[0].id
        emu.silence_connection(first)
        await emu.wait_for(lambda: any(c.id != first and not c.silent for c in emu.hub.connections), timeout=10)
    finally:
        await client.close()


async def test_a_dropped_connection_ends_without_a_close_frame(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await raw_socket(emu, http)
        await emu.wait_connected(1)
        emu.drop_connection(emu.hub.connections[0].id)
        ended = await ws.receive(timeout=2)
        assert ended.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)  # no CLOSE frame came
        await emu.wait_for(lambda: emu.connections == 0)


async def test_response_url_allows_five_posts_within_thirty_minutes(emu: Emulator) -> None:
    now = [1_900_000_000.0]
    emu.clock = lambda: now[0]
    one = emu.response_urls.issue("command", "C01GENERAL", "U01WJK68KS").url
    other = emu.response_urls.issue("command", "C01GENERAL", "U01WJK68KS").url
    async with aiohttp.ClientSession() as http:
        for n in range(5):
            async with http.post(one, json={"text": f"reply {n}"}) as response:
                assert (response.status, await response.text()) == (200, "ok")
        async with http.post(one, json={"text": "sixth"}) as response:
            assert (response.status, await response.json()) == (404, {"ok": False, "error": "used_url"})
        now[0] += 30 * 60 + 1
        async with http.post(other, json={"text": "late"}) as response:
            assert (response.status, await response.json()) == (404, {"ok": False, "error": "expired_url"})
