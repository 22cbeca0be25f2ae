"""A bot token holds exactly the scopes it was granted (Emulator(bot_scopes=...)), as at Slack."""

from __future__ import annotations

import pytest
from emulator_kit import GENERAL, bot_client, error_of, failure
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace

READER = ("chat:write", "channels:read", "channels:history", "users:read")


def granted(scopes: tuple[str, ...] | None) -> Emulator:
    return Emulator(Workspace.default(), bot_scopes=scopes)


async def test_a_missing_scope_is_named_with_the_granted_ones() -> None:
    async with granted(("chat:write",)) as emu:
        refused = await failure(bot_client(emu).conversations_history(channel=GENERAL))
        assert (refused["error"], refused["needed"], refused["provided"]) == (
            "missing_scope", "channels:history", "chat:write")
        listing = await failure(bot_client(emu).conversations_list())
        assert listing["needed"] == "channels:read"
        assert (await bot_client(emu).chat_postMessage(channel=GENERAL, text="allowed"))["ok"]


async def test_each_kind_of_conversation_wants_its_own_scope() -> None:
    async with granted(READER) as emu:
        secret = emu.workspace.create_channel("secret", emu.bot_user_id, is_private=True)
        client = bot_client(emu)
        assert (await client.conversations_history(channel=GENERAL))["ok"]
        assert (await failure(client.conversations_history(channel=secret.id)))["needed"] == "groups:history"
        assert (await failure(client.conversations_info(channel=secret.id)))["needed"] == "groups:read"
        both = await failure(client.conversations_list(types="public_channel,private_channel"))
        assert both["needed"] == "groups:read"
        assert (await client.conversations_list(types="public_channel"))["ok"]
        assert await error_of(client.conversations_join(channel=GENERAL)) == "missing_scope"
        assert await error_of(client.conversations_open(users="U01WJK68KS")) == "missing_scope"


@pytest.mark.parametrize(("scopes", "error"), [(("chat:write",), "not_in_channel"),
                                               (("chat:write", "chat:write.public"), None)])
async def test_posting_where_the_bot_is_not_a_member_needs_chat_write_public(scopes: tuple[str, ...],
                                                                             error: str | None) -> None:
    async with granted(scopes) as emu:
        outside = emu.workspace.create_channel("outside", "U01WJK68KS")
        call = bot_client(emu).chat_postMessage(channel=outside.id, text="hello")
        if error is None:
            assert (await call)["ok"]
        else:
            assert await error_of(call) == error


async def test_a_custom_name_or_icon_needs_chat_write_customize() -> None:
    async with granted(("chat:write",)) as emu:
        refused = await failure(bot_client(emu).chat_postMessage(channel=GENERAL, text="hi", username="Alert"))
        assert (refused["error"], refused["needed"]) == ("missing_scope", "chat:write.customize")
        assert await error_of(bot_client(emu).chat_postMessage(channel=GENERAL, text="hi", icon_emoji=":bell:")) == (
            "missing_scope")


async def test_every_answer_carries_the_scope_headers() -> None:
    async with granted(READER) as emu:
        answer = await bot_client(emu).conversations_history(channel=GENERAL)
        assert answer.headers["x-oauth-scopes"] == ",".join(sorted(READER))
        accepted = answer.headers["x-accepted-oauth-scopes"].split(",")
        assert set(accepted) == {"channels:history", "groups:history", "im:history", "mpim:history"}
        refused = await failure(bot_client(emu).files_list())
        assert refused.headers["x-accepted-oauth-scopes"] == "files:read"


async def test_without_bot_scopes_the_bot_token_may_call_everything() -> None:
    async with granted(None) as emu:
        client: AsyncWebClient = bot_client(emu)
        outside = emu.workspace.create_channel("outside", "U01WJK68KS")
        assert (await client.chat_postMessage(channel=outside.id, text="hi", username="Alert"))["ok"]
        scopes = (await client.auth_test()).headers["x-oauth-scopes"].split(",")
        assert {"chat:write.public", "chat:write.customize", "files:write", "groups:history"} <= set(scopes)
