"""Putting files in Slack with file upload v2, and Sloth's own record of who asked for each.

Every file Sloth uploads is remembered with the member who asked for it (`upload:<file id>` in
the store), so the `files` list can offer that member a Delete button, whichever feature made it,
and each member's latest ones (`upload:by:<member>`) are listed on their Home tab.
File upload v2 shares a file a moment after its last call answers: `shared_file` waits (briefly)
until `files.info` shows it shared.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.store import Namespaced

# Upload v2 shares a file a moment after files.completeUploadExternal answers; look this often.
SHARE_CHECKS = (0.1, 0.2, 0.4, 0.8, 1.5)
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
RECENT = 10  # a member's latest uploads kept for their Home tab
RECENT_SECONDS = 30 * 86400.0


class Uploads:
    """Who asked for each file Sloth uploaded, whichever feature made it: Sloth's own records
    (`upload:<file id>`), shared by every feature through these three calls only."""

    def __init__(self, records: Namespaced) -> None:
        self._records = records

    async def remember(self, file_id: str, requester: str, channel: str, name: str, when: float = 0.0) -> None:
        await self._records.set(file_id, {"by": requester, "channel": channel, "name": name})
        entry = {"id": file_id, "channel": channel, "name": name, "at": when}
        await self._records.update(f"by:{requester}", lambda old: [entry, *(old or [])][:RECENT], ttl=RECENT_SECONDS)

    async def linked(self, file_id: str, requester: str, permalink: str) -> None:
        """The file's link, once Slack has shared it, for the member's list."""
        def change(old: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
            if not old or not any(e.get("id") == file_id for e in old):
                return None
            return [{**e, "link": permalink} if e.get("id") == file_id else e for e in old]

        await self._records.update(f"by:{requester}", change, ttl=RECENT_SECONDS)

    async def recent(self, member: str) -> list[dict[str, Any]]:
        """The member's latest uploads, newest first: `id`, `channel`, `name`, `at` and, once
        shared, `link`."""
        found = await self._records.get(f"by:{member}")
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []

    async def uploader(self, file_id: str) -> str | None:
        record = await self._records.get(file_id)
        return str(record["by"]) if isinstance(record, dict) and record.get("by") else None

    async def forget(self, file_id: str) -> None:
        requester = await self.uploader(file_id)
        await self._records.delete(file_id)
        if requester:
            await self._records.update(
                f"by:{requester}", lambda old: [e for e in old or [] if e.get("id") != file_id] if old else None,
                ttl=RECENT_SECONDS)


async def put_file(client: AsyncWebClient, channel: str, thread: str | None, data: bytes, filename: str,
                   title: str, comment: str, alt: str = "") -> str:
    """Upload `data` into `channel` (a thread of it, if given); the new file's ID.

    `alt` text is sent only with images: on other files it has been reported to make the share
    fail silently (python-slack-sdk#1818)."""
    image = filename.lower().endswith(IMAGE_TYPES)
    response = await client.files_upload_v2(
        channel=channel, thread_ts=thread, file=data, filename=filename, title=title,
        initial_comment=comment, alt_txt=(alt or None) if image else None,
    )
    return str((response.get("files") or [response.get("file") or {}])[0]["id"])


async def shared_file(client: AsyncWebClient, file_id: str) -> dict[str, Any] | None:
    """shared_info with any client (`sloth doctor` has no Context)."""
    for wait in SHARE_CHECKS:
        info: dict[str, Any] = (await client.files_info(file=file_id))["file"]
        if info.get("shares") or info.get("channels") or info.get("groups") or info.get("ims"):
            return info
        await asyncio.sleep(wait)
    return None
