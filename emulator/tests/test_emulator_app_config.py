"""The emulator's app configuration (apps.manifest.export, for config tokens) and bots.info."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from emulator_kit import bot_client, error_of, failure, user_client
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default(), bot_scopes={"chat:write", "users:read", "commands"}) as emulator:
        yield emulator


def config_client(emu: Emulator) -> AsyncWebClient:
    return AsyncWebClient(token=emu.config_token, base_url=emu.api_url)


async def test_config_tokens_export_the_app_manifest(emu: Emulator) -> None:
    assert emu.config_token.startswith("xoxe.xoxp-")
    answer = await config_client(emu).apps_manifest_export(app_id=emu.app_id)
    manifest = answer["manifest"]
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    assert manifest["oauth_config"]["scopes"]["bot"] == ["chat:write", "commands", "users:read"]
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    emu.app_manifest = {"settings": {"interactivity": {"is_enabled": False}}}
    changed = (await config_client(emu).apps_manifest_export(app_id=emu.app_id))["manifest"]
    assert changed["settings"]["interactivity"] == {"is_enabled": False}
    assert changed["_metadata"]["major_version"] == 1 and emu.app_manifest == {
        "settings": {"interactivity": {"is_enabled": False}}}  # the stored one is not changed by exporting


async def test_switching_socket_mode_off_shows_in_the_manifest(emu: Emulator) -> None:
    await emu.disconnect_all("link_disabled")
    manifest = (await config_client(emu).apps_manifest_export(app_id=emu.app_id))["manifest"]
    assert manifest["settings"]["socket_mode_enabled"] is False
    emu.enable_socket_mode()
    manifest = (await config_client(emu).apps_manifest_export(app_id=emu.app_id))["manifest"]
    assert manifest["settings"]["socket_mode_enabled"] is True


async def test_manifest_export_refuses_what_its_reference_refuses(emu: Emulator) -> None:
    config = config_client(emu)
    assert await error_of(config.apps_manifest_export(app_id="not-an-app")) == "invalid_app_id"
    assert await error_of(config.apps_manifest_export(app_id="A0NOSUCHAPP")) == "app_not_found"
    missing = await failure(config.api_call("apps.manifest.export", params={}))
    assert missing["error"] == "invalid_arguments"
    assert missing["response_metadata"]["messages"] == ["[ERROR] missing required field: app_id"]
    for other in (bot_client(emu), user_client(emu), AsyncWebClient(token=emu.app_token, base_url=emu.api_url)):
        assert await error_of(other.apps_manifest_export(app_id=emu.app_id)) == "not_allowed_token_type"
    assert await error_of(AsyncWebClient(token="xoxe.xoxp-1-forged", base_url=emu.api_url)
                          .apps_manifest_export(app_id=emu.app_id)) == "invalid_auth"


async def test_config_tokens_call_nothing_else(emu: Emulator) -> None:
    config = config_client(emu)
    assert await error_of(config.chat_postMessage(channel="C01GENERAL", text="hi")) == "not_allowed_token_type"
    assert await error_of(config.apps_connections_open(app_token=emu.config_token)) == "not_allowed_token_type"


async def test_bots_info_names_the_bots_app(emu: Emulator) -> None:
    bot = (await bot_client(emu).bots_info(bot=emu.workspace.bot_id))["bot"]
    assert bot["app_id"] == emu.app_id and bot["user_id"] == emu.bot_user_id and bot["deleted"] is False
    assert set(bot["icons"]) == {"image_36", "image_48", "image_72"}
    assert await error_of(bot_client(emu).bots_info(bot="B0NOSUCHBOT")) == "bot_not_found"
    assert await error_of(bot_client(emu).bots_info()) == "missing_argument"


async def test_bots_info_needs_users_read(emu: Emulator) -> None:
    emu.restrict_scopes(emu.bot_token, {"chat:write"})
    answer = await failure(bot_client(emu).bots_info(bot=emu.workspace.bot_id))
    assert answer["error"] == "missing_scope" and answer["needed"] == "users:read"
