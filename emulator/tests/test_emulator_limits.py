"""Page sizes, paging and rate limits as Slack's references state them, through the real AsyncWebClient."""

from __future__ import annotations

import aiohttp
import pytest
from emulator_kit import GENERAL, RANDOM, bot_client, error_of, failure
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, RateLimits, Workspace


async def test_conversations_list_limit_must_be_under_1000() -> None:
    async with Emulator(Workspace.default()) as emu:
        client = bot_client(emu)
        assert await error_of(client.conversations_list(limit=1000)) == "invalid_limit"
        assert await error_of(client.conversations_list(limit="lots")) == "invalid_limit"
        assert (await client.conversations_list(limit=999))["channels"]
        assert await error_of(client.conversations_members(channel=GENERAL, limit=-1)) == "invalid_limit"


async def test_users_list_without_a_limit_is_the_whole_list_or_limit_required() -> None:
    async with Emulator(Workspace.default()) as small:
        everyone = await bot_client(small).users_list()
        assert len(everyone["members"]) == len(small.workspace.users)
        assert everyone["response_metadata"]["next_cursor"] == ""
    async with Emulator(Workspace.generated(users=1500, channels=5, seed=2)) as big:
        client = bot_client(big)
        assert await error_of(client.users_list()) == "limit_required"
        page = await client.users_list(limit=200)
        assert len(page["members"]) == 200 and page["response_metadata"]["next_cursor"]


async def upload(emu: Emulator, client: AsyncWebClient, http: aiohttp.ClientSession, name: str) -> str:
    url = await client.files_getUploadURLExternal(filename=name, length=2)
    async with http.post(url["upload_url"], data=b"hi") as response:
        assert response.status == 200
    await client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id=GENERAL)
    return str(url["file_id"])


async def test_files_list_pages_with_count_and_page_only() -> None:
    async with Emulator(Workspace.default(), share_delay=None) as emu, aiohttp.ClientSession() as http:
        client = bot_client(emu)
        ids = [await upload(emu, client, http, f"f{n}.txt") for n in range(3)]
        emu.complete_shares()
        first = await client.files_list(channel=GENERAL, count=2)
        assert first["paging"] == {"count": 2, "total": 3, "page": 1, "pages": 2}
        assert "response_metadata" not in first  # files.list has no cursor paging
        second = await client.files_list(channel=GENERAL, count=2, page=2)
        assert [f["id"] for f in first["files"] + second["files"]] == list(reversed(ids))
        ignored = await client.files_list(channel=GENERAL, count=2, limit=1, cursor="anything")
        assert [f["id"] for f in ignored["files"]] == [f["id"] for f in first["files"]]


async def test_realistic_limits_hold_posts_to_about_one_a_second_per_channel() -> None:
    async with Emulator(Workspace.default(), rate_limits=RateLimits.realistic()) as emu:
        client = bot_client(emu)
        for n in range(RateLimits.realistic().post_burst):  # a short burst is allowed
            await client.chat_postMessage(channel=GENERAL, text=f"burst {n}")
        refused = await failure(client.chat_postMessage(channel=GENERAL, text="one too many"))
        assert (refused.status_code, refused["error"], refused.headers["Retry-After"]) == (429, "ratelimited", "1")
        assert (await client.chat_postMessage(channel=RANDOM, text="another channel"))["ok"]
        assert emu.ratelimited("chat.postMessage", GENERAL) == 1 and emu.ratelimited("chat.postMessage", RANDOM) == 0
        patient = AsyncWebClient(token=emu.bot_token, base_url=emu.api_url,
                                 retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
        assert (await patient.chat_postMessage(channel=GENERAL, text="after waiting"))["ok"]
        assert emu.ratelimited("chat.postMessage", GENERAL) == 2


async def test_realistic_limits_count_chat_update_as_tier_3() -> None:
    async with Emulator(Workspace.default(), rate_limits=RateLimits.realistic()) as emu:
        client = bot_client(emu)
        posted = await client.chat_postMessage(channel=GENERAL, text="v0")
        for n in range(50):
            await client.chat_update(channel=GENERAL, ts=posted["ts"], text=f"v{n + 1}")
        refused = await failure(client.chat_update(channel=GENERAL, ts=posted["ts"], text="v51"))
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 1
        assert emu.ratelimited("chat.update") == 1


@pytest.mark.parametrize("limits", [None, RateLimits()])
async def test_posts_per_channel_are_limited_only_when_asked_for(limits: RateLimits | None) -> None:
    async with Emulator(Workspace.default(), rate_limits=limits) as emu:
        client = bot_client(emu)
        for n in range(8):
            await client.chat_postMessage(channel=GENERAL, text=f"{n}")
        assert emu.ratelimited("chat.postMessage") == 0
