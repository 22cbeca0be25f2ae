"""The emulator against the real slack_sdk clients, over real sockets on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from sloth_emulator import Emulator, FakeClock, RateLimits, Workspace
from sloth_emulator.generated import add_history

GENERAL = "C01GENERAL"
WJK68 = "U01WJK68KS"
AMELIA = "U01AMHART1"
BUTTONS = [{"type": "actions", "block_id": "choices", "elements": [
    {"type": "button", "action_id": "yes", "text": {"type": "plain_text", "text": "Yes"}, "value": "y"},
    {"type": "button", "action_id": "no", "text": {"type": "plain_text", "text": "No"}, "value": "n"}]}]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default(), redelivery_delay=0.3, max_redeliveries=2) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> AsyncWebClient:
    return AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)


@asynccontextmanager
async def socket_client(emu: Emulator, *, ack: Callable[[SocketModeRequest], Any] = lambda r: True,
                        received: list[SocketModeRequest] | None = None,
                        raw: list[dict[str, Any]] | None = None) -> AsyncIterator[SocketModeClient]:
    """The real aiohttp SocketModeClient; `ack(request)` False: no ack, a dict: ack with that payload."""
    client = SocketModeClient(app_token=emu.app_token, web_client=AsyncWebClient(base_url=emu.api_url))

    async def on_request(sm: Any, request: SocketModeRequest) -> None:
        if received is not None:
            received.append(request)
        answer = ack(request)
        if answer:
            payload = answer if isinstance(answer, dict) else None
            await sm.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    async def on_message(sm: Any, message: dict[str, Any], raw_message: str | None) -> None:
        if raw is not None:
            raw.append(message)

    client.socket_mode_request_listeners.append(on_request)
    client.message_listeners.append(on_message)
    before = emu.connections
    try:
        await client.connect()
        await emu.wait_connected(before + 1)
        yield client
    finally:
        await client.close()


async def error_of(call: Any) -> tuple[int, str]:
    with pytest.raises(SlackApiError) as failure:
        await call
    return failure.value.response.status_code, failure.value.response["error"]


# -- Web API ------------------------------------------------------------------------------


async def test_auth_errors_and_token_kinds(emu: Emulator, client: AsyncWebClient) -> None:
    assert await error_of(AsyncWebClient(base_url=emu.api_url).auth_test()) == (200, "not_authed")
    assert await error_of(AsyncWebClient(token="xoxb-nope", base_url=emu.api_url).auth_test()) == (200, "invalid_auth")
    assert await error_of(client.users_profile_set(profile={"status_text": "x"})) == (200, "not_allowed_token_type")
    assert await error_of(client.apps_connections_open(app_token=emu.bot_token)) == (200, "not_allowed_token_type")
    app = AsyncWebClient(token=emu.app_token, base_url=emu.api_url)
    assert await error_of(app.auth_test()) == (200, "not_allowed_token_type")
    assert await error_of(client.api_call("nothing.here")) == (200, "unknown_method")
    me = await client.auth_test()
    assert (me["user_id"], me["bot_id"], me["team_id"]) == (emu.bot_user_id, "B07SLOTHBT", emu.team_id)
    user = await AsyncWebClient(token=emu.user_token, base_url=emu.api_url).auth_test()
    assert user["user"] == "wjk68" and "bot_id" not in user
    assert [c.error for c in emu.calls[:3]] == ["not_authed", "invalid_auth", "not_allowed_token_type"]


async def test_users_list_paginates_a_generated_workspace() -> None:
    async with Emulator(Workspace.generated(users=2500, channels=300, seed=7)) as emu:
        client = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)
        ids: list[str] = []
        pages, cursor = 0, None
        while cursor != "":
            page = await client.users_list(limit=1000, cursor=cursor)
            ids += [m["id"] for m in page["members"]]
            cursor, pages = page["response_metadata"]["next_cursor"], pages + 1
        assert pages == 3
        assert len(ids) == len(set(ids)) == len(emu.workspace.users) == 2500 + 7
        channels = [c async for page in await client.conversations_list(limit=100, exclude_archived=True)
                    for c in page["channels"]]
        assert channels and all(not c["is_archived"] and not c["is_private"] for c in channels)
        assert await error_of(client.users_list(cursor="bogus")) == (200, "invalid_cursor")


async def test_rate_limits_answer_429_and_the_retry_handler_gets_through() -> None:
    async with Emulator(Workspace.default(), rate_limits=RateLimits(window=1.0, per_window={2: 2})) as emu:
        client = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)
        await client.users_list()
        await client.users_list()
        with pytest.raises(SlackApiError) as failure:
            await client.users_list()
        assert failure.value.response.status_code == 429
        assert failure.value.response.headers["Retry-After"] == "1"
        assert failure.value.response["error"] == "ratelimited"
        assert emu.calls[-1].status == 429
        await client.auth_test()  # other tiers and methods are counted apart
        patient = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url,
                                 retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
        assert (await patient.users_list())["ok"]
        assert [c.status for c in emu.calls_to("users.list")][-2:] == [429, 200]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_post_update_delete_and_their_errors(emu: Emulator, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="#general", text="hello", metadata={
        "event_type": "poll", "event_payload": {"id": 1}})
    ts = posted["ts"]
    assert posted["channel"] == GENERAL and posted["message"]["bot_id"] == "B07SLOTHBT"
    reply = await client.chat_postMessage(channel=GENERAL, text="in thread", thread_ts=ts)
    thread = await client.conversations_replies(channel=GENERAL, ts=ts)
    assert [m["ts"] for m in thread["messages"]] == [ts, reply["ts"]]
    assert thread["messages"][0]["reply_count"] == 1
    updated = await client.chat_update(channel=GENERAL, ts=ts, text="hello again")
    assert updated["message"]["text"] == "hello again" and "edited" in updated["message"]
    history = await client.conversations_history(channel=GENERAL, limit=1)
    assert history["messages"][0]["text"] == "hello again" and history["has_more"]
    wills = emu.messages(GENERAL)[0]
    assert await error_of(client.chat_update(channel=GENERAL, ts=wills["ts"], text="x")) == (
        200, "cant_update_message")
    await client.chat_delete(channel=GENERAL, ts=reply["ts"])
    assert await error_of(client.chat_delete(channel=GENERAL, ts=reply["ts"])) == (200, "message_not_found")
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="")) == (200, "no_text")
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="x" * 40_001)) == (200, "msg_too_long")
    assert await error_of(client.chat_postMessage(channel="C0NOTHERE", text="x")) == (200, "channel_not_found")
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="x", thread_ts="1.2")) == (
        200, "thread_not_found")
    assert "reply_count" not in emu.workspace.channels[GENERAL].messages[ts]


async def test_channels_private_archive_and_names(emu: Emulator, client: AsyncWebClient) -> None:
    user = AsyncWebClient(token=emu.user_token, base_url=emu.api_url)
    secret = (await user.conversations_create(name="secret-plans", is_private=True))["channel"]
    assert await error_of(client.chat_postMessage(channel=secret["id"], text="hi")) == (200, "channel_not_found")
    await user.conversations_invite(channel=secret["id"], users=emu.bot_user_id)
    assert (await client.chat_postMessage(channel=secret["id"], text="hi"))["ok"]
    assert (await client.conversations_info(channel=secret["id"], include_num_members=True))["channel"][
        "num_members"] == 2
    assert await error_of(user.conversations_create(name="Bad Name")) == (200, "invalid_name_specials")
    assert await error_of(user.conversations_create(name="general")) == (200, "name_taken")
    assert await error_of(user.conversations_create(name="a" * 81)) == (200, "invalid_name_maxlength")
    assert await error_of(user.conversations_create(name="---")) == (200, "invalid_name_punctuation")
    await client.conversations_archive(channel="C01TESTEXP")
    assert await error_of(client.chat_postMessage(channel="C01TESTEXP", text="x")) == (200, "is_archived")
    im = await client.conversations_open(users=WJK68)
    again = await client.conversations_open(users=WJK68, return_im=True)
    assert again["channel"]["id"] == im["channel"]["id"] and again["already_open"]
    assert again["channel"]["user"] == WJK68


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated")  # inside slack_sdk's oauth_v2_access
async def test_user_token_profile_dnd_search_and_oauth(emu: Emulator) -> None:
    code = emu.issue_oauth_code("amelia")
    granted = await AsyncWebClient(base_url=emu.api_url).oauth_v2_access(
        client_id=emu.client_id, client_secret=emu.client_secret, code=code)
    assert granted["authed_user"]["id"] == AMELIA
    assert await error_of(AsyncWebClient(base_url=emu.api_url).oauth_v2_access(
        client_id=emu.client_id, client_secret=emu.client_secret, code=code)) == (200, "invalid_code")
    amelia = AsyncWebClient(token=granted["authed_user"]["access_token"], base_url=emu.api_url)
    await amelia.users_profile_set(profile={"status_text": "Writing", "status_emoji": ":pencil:"})
    assert emu.workspace.users[AMELIA].status_text == "Writing"
    assert await error_of(amelia.users_profile_set(user=WJK68, profile={"status_text": "x"})) == (200, "not_admin")
    snooze = await amelia.dnd_setSnooze(num_minutes=30)
    assert snooze["snooze_enabled"] and (await amelia.dnd_info())["snooze_remaining"] > 1700
    await amelia.dnd_endSnooze()
    assert not (await amelia.dnd_info(user=AMELIA))["snooze_enabled"]
    found = await amelia.search_messages(query="pandas in:#python_content")
    assert found["messages"]["total"] == 1 and found["messages"]["matches"][0]["username"] == "wjk68"


async def test_files_upload_v2_stores_the_bytes(emu: Emulator, client: AsyncWebClient) -> None:
    uploaded = await client.files_upload_v2(content=b"a,b\n1,2\n", filename="numbers.csv", channel=GENERAL,
                                            initial_comment="the numbers")
    file_id = uploaded["file"]["id"]
    assert emu.workspace.files[file_id].content == b"a,b\n1,2\n"
    shared = await emu.wait_for(lambda: next((m for m in emu.messages(GENERAL) if m.get("files")), None))
    assert shared["text"] == "the numbers" and shared["files"][0]["id"] == file_id
    listed = await client.files_list(channel=GENERAL)
    assert [f["id"] for f in listed["files"]] == [file_id]
    info = (await client.files_info(file=file_id))["file"]
    assert (info["size"], info["filetype"], info["channels"]) == (8, "csv", [GENERAL])
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {emu.bot_token}"}
        async with http.get(info["url_private_download"], headers=headers) as response:
            assert await response.read() == b"a,b\n1,2\n"
        async with http.get(info["url_private"]) as response:
            assert response.content_type == "text/html"  # like Slack: a sign-in page, not the file
    await client.files_delete(file=file_id)
    assert emu.messages(GENERAL)[-1]["files"] == [{"id": file_id, "mode": "tombstone"}]


async def test_sharing_a_file_needs_membership_like_slack(emu: Emulator, client: AsyncWebClient) -> None:
    outside = emu.workspace.create_channel("elsewhere", WJK68)
    assert await error_of(client.files_upload_v2(content=b"x", filename="x.txt", channel=outside.id)) == (
        200, "not_in_channel")
    user = AsyncWebClient(token=emu.user_token, base_url=emu.api_url)  # a person's token may share where they are
    uploaded = await user.files_upload_v2(content=b"x", filename="x.txt", channel=outside.id)
    record = emu.workspace.files[uploaded["file"]["id"]]
    await emu.wait_for(lambda: record.shares)
    assert record.shares == {outside.id: [emu.messages(outside.id)[-1]["ts"]]}


async def test_fail_next_answers_an_error_then_behaves_again(emu: Emulator, client: AsyncWebClient) -> None:
    emu.fail_next("files.getUploadURLExternal", "missing_scope", times=2, needed="files:write", provided="chat:write")
    for _ in range(2):
        with pytest.raises(SlackApiError) as failure:
            await client.files_getUploadURLExternal(filename="a.txt", length=1)
        assert failure.value.response["error"] == "missing_scope"
        assert failure.value.response["needed"] == "files:write"
    assert (await client.files_getUploadURLExternal(filename="a.txt", length=1))["file_id"].startswith("F")
    assert [c.error for c in emu.calls_to("files.getUploadURLExternal")] == ["missing_scope", "missing_scope", None]


async def test_a_ten_thousand_message_history_pages_and_threads(emu: Emulator, client: AsyncWebClient) -> None:
    add_history(emu.workspace, GENERAL, messages=10_000, days=30, seed=3)
    general = emu.workspace.channels[GENERAL]
    stored = list(general.messages.values())
    assert len(stored) == 10_000 + 2  # the two seeded messages are kept
    assert [m["ts"] for m in stored] == sorted((m["ts"] for m in stored), key=float)
    seen, cursor, pages = [], None, 0
    while True:
        page = await client.conversations_history(channel=GENERAL, limit=999, cursor=cursor)
        seen += page["messages"]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    top_level = [m for m in stored if "parent_user_id" not in m]
    assert len(seen) == len(top_level) and pages == -(-len(top_level) // 999)
    assert [m["ts"] for m in seen] == [m["ts"] for m in reversed(top_level)]  # newest first, like Slack
    parent = next(m for m in seen if m.get("reply_count"))
    thread = (await client.conversations_replies(channel=GENERAL, ts=parent["ts"]))["messages"]
    assert len(thread) == parent["reply_count"] + 1 and thread[-1]["ts"] == parent["latest_reply"]
    assert {m["user"] for m in thread[1:]} == set(parent["reply_users"])
    posted = await client.chat_postMessage(channel=GENERAL, text="newest")
    assert float(posted["ts"]) > float(stored[-1]["ts"])  # later posts stay the newest


async def test_scheduled_message_is_posted_when_due(emu: Emulator, client: AsyncWebClient) -> None:
    due = int(time.time()) + 1
    scheduled = await client.chat_scheduleMessage(channel=GENERAL, text="later", post_at=due)
    assert scheduled["scheduled_message_id"].startswith("Q")
    await emu.wait_for(lambda: emu.messages(GENERAL)[-1]["text"] == "later", timeout=3)


# -- Socket Mode ----------------------------------------------------------------------------


async def test_hello_slash_envelope_and_ack(emu: Emulator) -> None:
    received: list[SocketModeRequest] = []
    raw: list[dict[str, Any]] = []
    async with socket_client(emu, received=received, raw=raw):
        delivery = await emu.slash_command(text="team", user="wjk68", channel="general")
        ack = await delivery.acked()
        hello = raw[0]  # frames arrive in order: hello came before the envelope that was just acked
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": emu.app_id} and "host" in hello["debug_info"]
        assert ack == {"envelope_id": delivery.envelope_id} == emu.acks[delivery.envelope_id]
        assert delivery.ack_latency is not None and 0 < delivery.ack_latency < 1
        envelope = received[0]
        assert (envelope.type, envelope.accepts_response_payload) == ("slash_commands", True)
        payload = envelope.payload
        assert (payload["command"], payload["text"], payload["user_id"], payload["channel_name"]) == (
            "/sloth", "team", WJK68, "general")
        assert payload["response_url"].startswith(emu.base_url) and payload["trigger_id"]


async def test_ack_payload_is_the_immediate_response(emu: Emulator) -> None:
    async with socket_client(emu, ack=lambda r: {"text": "working on it"}):
        await (await emu.slash_command(text="users", user=AMELIA)).acked()
        replies = await emu.wait_for(lambda: emu.ephemerals(user=AMELIA))
        assert replies[0]["text"] == "working on it" and replies[0]["channel"] == GENERAL


async def test_events_are_redelivered_until_acked(emu: Emulator) -> None:
    received: list[SocketModeRequest] = []
    async with socket_client(emu, ack=lambda r: r.retry_attempt == 1, received=received):
        delivery = await emu.send_event({"type": "team_join", "user": {"id": "U0NEW"}})
        await delivery.acked(timeout=3)
        first, retry = (r.envelope_id for r in received)
        assert first != retry and delivery.acked_envelope_id == retry
        assert [(e["retry_attempt"], e["retry_reason"]) for e in emu.events_sent] == [(0, ""), (1, "timeout")]
        assert {e["payload"]["event_id"] for e in emu.events_sent} == {delivery.payload["event_id"]}
        with pytest.raises(TimeoutError):  # acked, so no third attempt comes
            await emu.wait_for(lambda: delivery.attempts > 2, timeout=emu.redelivery_delay * 3)


async def test_redelivery_gives_up_after_max_attempts_and_acked_events_are_not_resent(emu: Emulator) -> None:
    async with socket_client(emu, ack=lambda r: r.type != "events_api" or "ignored" not in str(r.payload)):
        ignored = await emu.send_event({"type": "reaction_added", "reaction": "ignored"})
        acked = await emu.send_event({"type": "reaction_added", "reaction": "fine"})
        await acked.acked()
        await emu.wait_for(lambda: ignored.attempts == 1 + emu.max_redeliveries, timeout=3)
        with pytest.raises(TimeoutError):
            await emu.wait_for(lambda: ignored.attempts > 3 or acked.attempts > 1, timeout=0.8)
        assert not ignored.is_acked and acked.attempts == 1


async def test_deliveries_are_spread_over_connections_and_retries_move(emu: Emulator) -> None:
    first: list[SocketModeRequest] = []
    second: list[SocketModeRequest] = []

    def ack(request: SocketModeRequest) -> bool:
        return request.type != "events_api" or request.retry_attempt > 0  # let the first try time out

    async with socket_client(emu, received=first, ack=ack), socket_client(emu, received=second, ack=ack):
        for _ in range(4):
            await (await emu.slash_command(text="ping")).acked()
        assert len(first) == len(second) == 2
        event = await emu.send_event({"type": "member_joined_channel", "user": AMELIA, "channel": GENERAL})
        await event.acked(timeout=3)
        tried_on = [[r.retry_attempt for r in got if r.type == "events_api"] for got in (first, second)]
        assert sorted(tried_on) == [[0], [1]]  # the retry went to the other connection


async def test_user_message_sends_message_and_app_mention(emu: Emulator) -> None:
    async with socket_client(emu):
        mention = await emu.user_message(user="wjk68", channel="general", text=f"<@{emu.bot_user_id}> users")
        await mention.acked()
        message, app_mention = (e["payload"] for e in emu.events_sent)
        assert (message["event"]["type"], message["event"]["channel_type"]) == ("message", "channel")
        assert app_mention["event"]["type"] == "app_mention" and "channel_type" not in app_mention["event"]
        assert message["event_id"] != app_mention["event_id"] and mention.payload is app_mention
        assert emu.messages(GENERAL)[-1]["text"] == f"<@{emu.bot_user_id}> users"
        im, _ = emu.workspace.open_im(WJK68, emu.bot_user_id)
        direct = await emu.user_message(user=WJK68, channel=im.id, text=f"<@{emu.bot_user_id}> hi")
        await direct.acked()
        assert len(emu.events_sent) == 3 and direct.payload["event"]["channel_type"] == "im"


async def test_click_builds_block_actions(emu: Emulator, client: AsyncWebClient) -> None:
    received: list[SocketModeRequest] = []
    async with socket_client(emu, received=received):
        posted = await client.chat_postMessage(channel=GENERAL, text="Vote", attachments=[
            {"color": "good", "fallback": "Vote", "blocks": BUTTONS}])
        await (await emu.click(channel=GENERAL, ts=posted["ts"], action_id="no", user="amelia")).acked()
        payload = received[-1].payload
        assert payload["type"] == "block_actions" and received[-1].type == "interactive"
        assert payload["container"] == {"type": "message_attachment", "message_ts": posted["ts"],
                                        "attachment_id": 1, "channel_id": GENERAL, "is_ephemeral": False,
                                        "is_app_unfurl": False}
        assert payload["user"] == {"id": AMELIA, "username": "amelia", "name": "amelia", "team_id": emu.team_id}
        assert payload["channel"] == {"id": GENERAL, "name": "general"}
        assert payload["message"]["ts"] == posted["ts"] and payload["trigger_id"]
        action = payload["actions"][0]
        assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
            "no", "choices", "n", "button")
        assert action["text"]["text"] == "No" and "action_ts" in action
        ephemeral = await client.chat_postEphemeral(channel=GENERAL, user=WJK68, text="Sure?", blocks=BUTTONS)
        await (await emu.click(channel=GENERAL, ts=ephemeral["message_ts"], action_id="yes")).acked()
        payload = received[-1].payload
        assert payload["container"]["is_ephemeral"] and "message" not in payload
        assert payload["user"]["id"] == WJK68
        with pytest.raises(ValueError):
            await emu.click(channel=GENERAL, ts=posted["ts"], action_id="maybe")


async def test_response_url_replace_delete_in_channel_and_use_limit(emu: Emulator,
                                                                     client: AsyncWebClient) -> None:
    received: list[SocketModeRequest] = []
    async with socket_client(emu, received=received):
        posted = await client.chat_postMessage(channel=GENERAL, text="Vote", blocks=BUTTONS)
        await (await emu.click(channel=GENERAL, ts=posted["ts"], action_id="yes")).acked()
        hook = AsyncWebhookClient(received[-1].payload["response_url"])
        assert (await hook.send(text="Thanks for voting", replace_original=True)).body == "ok"
        assert emu.workspace.channels[GENERAL].messages[posted["ts"]]["text"] == "Thanks for voting"
        assert "blocks" not in emu.workspace.channels[GENERAL].messages[posted["ts"]]
        await hook.send(text="Everyone: a vote happened", response_type="in_channel")
        assert emu.messages(GENERAL)[-1]["text"] == "Everyone: a vote happened"
        await hook.send(text="Only you can see this")
        assert emu.ephemerals(user=WJK68)[-1]["text"] == "Only you can see this"
        await hook.send(delete_original=True)
        assert posted["ts"] not in emu.workspace.channels[GENERAL].messages
        assert (await hook.send(text="fifth and last")).status_code == 200
        sixth = await hook.send(text="one too many")
        assert sixth.status_code == 404 and "used_url" in sixth.body
        assert [r.status for r in emu.responses] == [200, 200, 200, 200, 200, 404]

        await (await emu.slash_command(text="whois", user=WJK68)).acked()
        command_hook = AsyncWebhookClient(received[-1].payload["response_url"])
        await command_hook.send(text="Looking…")
        await command_hook.send(text="Found 3 people", replace_original=True)
        assert emu.ephemerals(user=WJK68)[-1]["text"] == "Found 3 people"


async def test_disconnect_all_makes_the_sdk_reconnect_and_link_disabled_stops_it(emu: Emulator) -> None:
    async with socket_client(emu):
        first = emu.hub.connections[0].id
        await emu.disconnect_all(reason="refresh_requested")
        await emu.wait_for(lambda: emu.connections == 1 and emu.hub.connections[0].id != first, timeout=5)
        assert len(emu.calls_to("apps.connections.open")) == 2
        await emu.disconnect_all(reason="link_disabled")
        refused = await emu.wait_for(lambda: [c for c in emu.calls_to("apps.connections.open") if not c.ok])
        assert refused[0].error == "link_disabled" and emu.connections == 0


async def test_eleventh_connection_gets_too_many_websockets(emu: Emulator) -> None:
    app = AsyncWebClient(base_url=emu.api_url)
    async with aiohttp.ClientSession() as http:
        sockets = []
        for _ in range(10):
            ws = await http.ws_connect((await app.apps_connections_open(app_token=emu.app_token))["url"])
            assert (await ws.receive_json())["type"] == "hello"
            sockets.append(ws)
        await emu.wait_connected(10)
        url = (await app.apps_connections_open(app_token=emu.app_token))["url"]
        extra = await http.ws_connect(url)
        refusal = await extra.receive_json()
        assert (refusal["type"], refusal["reason"]) == ("disconnect", "too_many_websockets")
        reused = await http.get(url.replace("ws://", "http://"))
        assert reused.status == 401  # a ticket works once
        for ws in [*sockets, extra]:
            await ws.close()
        await emu.wait_for(lambda: emu.connections == 0)


async def test_wait_for_times_out(emu: Emulator) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await emu.wait_for(lambda: False, timeout=0.2)
    assert time.monotonic() - started < 1


@pytest.mark.slack(clock=FakeClock())
async def test_a_fake_clock_posts_scheduled_messages_when_advanced_to_them(slack: Emulator) -> None:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    due = int(slack.clock()) + 3600
    await client.chat_scheduleMessage(channel="C01GENERAL", text="stand-up time", post_at=due)
    slack.advance(3599)
    assert [p.text for p in slack.posts("general")] == []
    slack.advance(1)
    assert [p.text for p in slack.posts("general")] == ["stand-up time"]
    with pytest.raises(ValueError, match="does not go back"):
        slack.advance(-1)
