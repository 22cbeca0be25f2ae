"""The file half of the channel test: a small PNG through file upload v2, as Sloth's charts go,
then files.info until Slack has shared it (the share lands a moment after the upload call)."""

from __future__ import annotations

import asyncio
import struct
import zlib
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor.advice import channel_change, error_of
from bot.doctor.report import Check, Place, failed, ok, skipped
from bot.slack.uploads import SHARE_CHECKS, shared_file

UPLOAD = "upload (files_upload_v2)"
SHARED = "file shared (files.info)"
FILENAME = "sloth-doctor.png"
COMMENT = "Sloth doctor is checking that it can share files here; this file deletes itself."


def tiny_png(width: int = 16, height: int = 16, rgb: tuple[int, int, int] = (0x4A, 0x3B, 0x2C)) -> bytes:
    """A valid PNG of one colour, made on the spot (no file ships with Sloth for this)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def share_stamps(info: dict[str, Any], channel: str) -> list[str]:
    """The ts of the messages that share the file in `channel` (files.info `shares`)."""
    shares = info.get("shares") or {}
    found = [entry for visibility in ("public", "private") for entry in (shares.get(visibility) or {}).get(channel, [])]
    return [str(entry["ts"]) for entry in found if entry.get("ts")]


async def file_trip(client: AsyncWebClient, place: Place) -> list[Check]:
    try:
        answer = await client.files_upload_v2(
            channel=place.id, file=tiny_png(), filename=FILENAME, title="Sloth doctor",
            initial_comment=COMMENT, alt_txt="A small brown square")
    except SlackApiError as e:
        code, data = error_of(e)
        return [failed(UPLOAD, f"Slack answered {code}",
                       channel_change(code, data, channel=place.label, bot=place.bot, files=True)),
                skipped(SHARED, "nothing was uploaded")]
    file_id = str((answer.get("files") or [answer.get("file") or {}])[0]["id"])
    place.files.append(file_id)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        info = await shared_file(client, file_id)
    except SlackApiError as e:
        return [ok(UPLOAD, f"uploaded {FILENAME} ({file_id})"), failed(SHARED, f"files.info answered {error_of(e)[0]}",
                channel_change(error_of(e)[0], error_of(e)[1], channel=place.label, bot=place.bot, files=True))]
    if info is None:
        return [ok(UPLOAD, f"uploaded {FILENAME} ({file_id})"),
                failed(SHARED, f"Slack had not shared it in {place.label} {sum(SHARE_CHECKS):.0f} s after the upload",
                       "run sloth doctor again: Slack shares uploads a moment after the upload call, and when it never "
                       "does, charts and exports never appear (check Slack's status page)")]
    # The share's message goes too; deleting a file alone leaves a "file deleted" note behind.
    place.messages.extend(share_stamps(info, place.id))
    return [ok(UPLOAD, f"uploaded {FILENAME} ({file_id})"),
            ok(SHARED, f"shared in {place.label} after {loop.time() - started:.1f} s")]
