"""File upload v2 as Slack runs it: argument checks, the bare completion answer, the later share."""

from __future__ import annotations

import aiohttp
import pytest
from emulator_kit import GENERAL, bot_client, error_of, failure
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, Workspace

PDF = b"%PDF-1.4 a report"
PNG = b"\x89PNG\r\n\x1a\n a chart"


async def test_get_upload_url_wants_a_length_of_at_least_one() -> None:
    async with Emulator(Workspace.default()) as emu:
        client = bot_client(emu)
        assert await error_of(client.files_getUploadURLExternal(filename="a.txt", length=0)) == "missing_argument"
        assert await error_of(client.files_getUploadURLExternal(filename="a.txt", length=-3)) == "invalid_arguments"
        missing = await failure(client.api_call("files.getUploadURLExternal", params={"filename": "a.txt"}))
        assert missing["error"] == "invalid_arguments"
        assert missing["response_metadata"]["messages"] == ["[ERROR] missing required field: length"]
        assert await error_of(client.files_getUploadURLExternal(filename="a.png", length=5, alt_txt="x" * 1001)) == (
            "alt_txt_too_large")


async def manual_upload(client: AsyncWebClient, http: aiohttp.ClientSession, name: str, data: bytes,
                        **complete: str) -> tuple[str, dict[str, object]]:
    url = await client.files_getUploadURLExternal(filename=name, length=len(data))
    async with http.post(url["upload_url"], data=data) as response:
        assert await response.text() == f"OK - {len(data)}"
    done = await client.files_completeUploadExternal(files=[{"id": url["file_id"], "title": "Report"}], **complete)
    return str(url["file_id"]), dict(done.data)  # type: ignore[arg-type]


async def test_completion_answers_id_and_title_and_the_share_comes_later() -> None:
    async with Emulator(Workspace.default(), share_delay=None) as emu, aiohttp.ClientSession() as http:
        client = bot_client(emu)
        file_id, done = await manual_upload(client, http, "report.pdf", PDF, channel_id=GENERAL,
                                            initial_comment="the report")
        assert done == {"ok": True, "files": [{"id": file_id, "title": "Report"}]}
        before = (await client.files_info(file=file_id))["file"]
        assert (before["shares"], before["channels"]) == ({}, [])
        assert not [m for m in emu.messages(GENERAL) if m.get("files")]
        assert emu.complete_shares() == 1
        after = (await client.files_info(file=file_id))["file"]
        assert after["channels"] == [GENERAL] and GENERAL in after["shares"]["public"]
        assert after["permalink"].endswith(f"/{file_id}/report.pdf")
        assert emu.messages(GENERAL)[-1]["text"] == "the report"


async def test_files_upload_v2_sees_an_unshared_file_and_the_share_lands_shortly() -> None:
    async with Emulator(Workspace.default(), share_delay=0.2) as emu:
        client = bot_client(emu)
        uploaded = await client.files_upload_v2(content=b"a,b\n", filename="n.csv", channel=GENERAL)
        # files_upload_v2 hands back completeUploadExternal's own answer: no permalink, no shares.
        assert set(uploaded["file"]) == {"id", "title"}
        record = emu.workspace.files[uploaded["file"]["id"]]
        assert (await client.files_info(file=record.id))["file"]["shares"] == {}
        await emu.wait_for(lambda: record.shares, timeout=3)
        assert (await client.files_info(file=record.id))["file"]["channels"] == [GENERAL]


@pytest.mark.parametrize(("name", "data", "shared"), [("report.pdf", PDF, False), ("chart.png", PNG, True)])
async def test_alt_txt_on_a_file_that_is_not_an_image_leaves_it_unshared(name: str, data: bytes,
                                                                         shared: bool) -> None:
    async with Emulator(Workspace.default(), share_delay=0.0) as emu:
        client = bot_client(emu)
        uploaded = await client.files_upload_v2(content=data, filename=name, channel=GENERAL,
                                                alt_txt="What the file shows", initial_comment="here it is")
        assert uploaded["ok"]
        record = emu.workspace.files[uploaded["file"]["id"]]
        if shared:
            await emu.wait_for(lambda: record.shares)
            assert emu.messages(GENERAL)[-1]["text"] == "here it is" and not emu.dropped_shares
        else:
            assert [share.files for share in emu.dropped_shares] == [[record]]
            assert emu.complete_shares() == 0 and record.shares == {}
            assert "here it is" not in [m["text"] for m in emu.messages(GENERAL)]
