"""In the channel the user names: post a message with metadata, edit it, read it back with its
metadata, upload a small PNG with file upload v2 and see it shared, then delete everything.

Each step is a line of the table with Slack's error and what to change; a step that depends on
one that failed says so instead of running.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor.advice import METADATA_ERRORS, channel_change, error_of
from bot.doctor.files import file_trip
from bot.doctor.report import Check, Place, failed, ok, skipped
from bot.doctor.tokens import Whoami

CHANNEL = "channel"
POST = "post (chat.postMessage)"
EDIT = "edit (chat.update)"
READ = "read back (conversations.history)"
METADATA = "message metadata"
CLEANUP = "clean up (chat.delete, files.delete)"
EVENT_TYPE = "sloth_doctor"
TEXT = "Sloth doctor is checking that it can post, edit and read back here; this message deletes itself."
EDITED = "Sloth doctor is checking that it can post, edit and read back here (edited); this message deletes itself."
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")  # names are lowercase, so an upper-case C… is an ID


class NoSuchChannel(Exception):
    pass


def parse_ref(ref: str) -> str:
    """'#sloth-test', 'sloth-test', 'C0123ABC' or a pasted '<#C0123ABC|sloth-test>' -> name or ID."""
    ref = ref.strip()
    linked = re.fullmatch(r"<#([CG][A-Z0-9]+)(\|[^>]*)?>", ref)
    return linked.group(1) if linked else ref.lstrip("#")


async def find_channel(client: AsyncWebClient, ref: str) -> dict[str, Any]:
    """conversations.info of the channel named by ID or name; NoSuchChannel when Sloth sees none."""
    wanted = parse_ref(ref)
    if CHANNEL_ID.match(wanted):
        return dict((await client.conversations_info(channel=wanted))["channel"])
    cursor = None
    while True:
        page = await client.conversations_list(types="public_channel,private_channel", limit=200, cursor=cursor)
        channels: list[dict[str, Any]] = page.get("channels") or []
        for channel in channels:
            if str(channel.get("name", "")).lower() == wanted.lower():
                return dict((await client.conversations_info(channel=channel["id"]))["channel"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            raise NoSuchChannel(wanted)


async def channel_checks(client: AsyncWebClient, ref: str | None, bot: Whoami | None) -> list[Check]:
    if ref is None:
        return [skipped("channel test", "no --channel given",
                        "run `sloth doctor --channel #sloth-test` to post, edit, read back, upload and delete there")]
    if bot is None:
        return [skipped("channel test", "needs a valid bot token")]
    try:
        info = await find_channel(client, ref)
    except NoSuchChannel as e:
        return [failed(CHANNEL, f"Sloth sees no channel named #{e}",
                       f"check the name; Sloth sees a private channel only once it is in it: invite @{bot.user}")]
    except SlackApiError as e:
        code, answer = error_of(e)
        return [failed(CHANNEL, f"Slack answered {code} when looking for {ref}",
                       channel_change(code, answer, channel=ref, bot=bot.user))]
    place = Place(info["id"], f"#{info.get('name') or info['id']}", bot.user)
    kind = "private" if info.get("is_private") else "public"
    member = "a member" if info.get("is_member") else "not a member"
    checks = [ok(CHANNEL, f"{place.label} ({place.id}): {kind}, Sloth is {member}"
                 + (", archived" if info.get("is_archived") else ""))]
    checks += await message_trip(client, place)
    checks += await file_trip(client, place)
    checks.append(await clean_up(client, place))
    return checks


def _metadata(step: str, nonce: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"check": nonce, "step": step}}


def _refused(name: str, e: SlackApiError, place: Place) -> Check:
    code, answer = error_of(e)
    return failed(name, f"Slack answered {code}", channel_change(code, answer, channel=place.label, bot=place.bot))


async def message_trip(client: AsyncWebClient, place: Place) -> list[Check]:
    nonce = secrets.token_hex(4)
    refused: Check | None = None  # the metadata line, once Slack refused the metadata
    try:
        answer = await client.chat_postMessage(channel=place.id, text=TEXT, metadata=_metadata("posted", nonce))
    except SlackApiError as e:
        if error_of(e)[0] not in METADATA_ERRORS:
            return [_refused(POST, e, place), *(skipped(n, "nothing was posted") for n in (EDIT, READ, METADATA))]
        refused = _refused(METADATA, e, place)
        try:  # as games do: the same message without its metadata
            answer = await client.chat_postMessage(channel=place.id, text=TEXT)
        except SlackApiError as again:
            return [_refused(POST, again, place), skipped(EDIT, "nothing was posted"),
                    skipped(READ, "nothing was posted"), refused]
    ts = str(answer["ts"])
    place.messages.append(ts)
    warnings = [w for w in (answer.get("response_metadata") or {}).get("warnings") or [] if w in METADATA_ERRORS]
    if warnings and refused is None:
        refused = failed(METADATA, f"posted, but Slack dropped the metadata ({warnings[0]})",
                         channel_change(warnings[0], {}, channel=place.label, bot=place.bot))
    checks = [ok(POST, f"posted in {place.label} " + ("without metadata" if refused else "with metadata"))]
    text, step = TEXT, "posted"
    try:
        await client.chat_update(channel=place.id, ts=ts, text=EDITED,
                                 metadata=None if refused else _metadata("edited", nonce))
        checks.append(ok(EDIT, "edited in place" + ("" if refused else ", metadata and all")))
        text, step = EDITED, "edited"
    except SlackApiError as e:
        checks.append(_refused(EDIT, e, place))
    return checks + await read_back(client, place, ts, text, None if refused else _metadata(step, nonce), refused)


async def read_back(client: AsyncWebClient, place: Place, ts: str, text: str,
                    metadata: dict[str, Any] | None, refused: Check | None) -> list[Check]:
    """conversations.history of exactly that message, with include_all_metadata."""
    try:
        answer = await client.conversations_history(channel=place.id, latest=ts, oldest=ts, inclusive=True,
                                                    limit=1, include_all_metadata=True)
    except SlackApiError as e:
        return [_refused(READ, e, place), refused or skipped(METADATA, "the message could not be read back")]
    messages: list[dict[str, Any]] = answer.get("messages") or []
    found = next((m for m in messages if m.get("ts") == ts), None)
    if found is None:
        return [failed(READ, "the message was not in the channel's history",
                       "run sloth doctor again; if it persists, Slack is not storing Sloth's messages here"),
                refused or skipped(METADATA, "the message could not be read back")]
    read = (ok(READ, "the message came back as edited") if found.get("text") == text
            else failed(READ, "the message came back with other text", "run sloth doctor again"))
    return [read, refused or metadata_check(found.get("metadata"), metadata)]


def metadata_check(came: Any, sent: dict[str, Any] | None) -> Check:
    if not isinstance(came, dict) or came.get("event_type") != EVENT_TYPE:
        return failed(METADATA, "the message came back without its metadata",
                      "nothing to change in the app: games and training cards carry metadata like this for other "
                      "apps to read; report it if it persists")
    if "event_payload" not in came:
        return failed(METADATA, "the metadata came back without event_payload, although include_all_metadata "
                      "was asked for", "report it: Slack did not honour include_all_metadata")
    if sent is not None and came.get("event_payload") != sent["event_payload"]:
        return failed(METADATA, f"the metadata came back as {came.get('event_payload')}, not as sent",
                      "report it: Slack changed the metadata Sloth sent")
    return ok(METADATA, "came back whole with include_all_metadata=true")


async def clean_up(client: AsyncWebClient, place: Place) -> Check:
    """Delete what the checks left: the test message, the file's share message, the file."""
    left: list[str] = []
    for ts in place.messages:
        try:
            await client.chat_delete(channel=place.id, ts=ts)
        except SlackApiError as e:
            if error_of(e)[0] != "message_not_found":
                left.append(f"the message {ts} ({error_of(e)[0]})")
    for file_id in place.files:
        try:
            await client.files_delete(file=file_id)
        except SlackApiError as e:
            left.append(f"the file {file_id} ({error_of(e)[0]})")
    if not place.messages and not place.files:
        return skipped(CLEANUP, "nothing was posted or uploaded")
    if left:
        return failed(CLEANUP, "Slack kept " + ", ".join(left), f"delete them in {place.label} by hand")
    return ok(CLEANUP, f"deleted {len(place.messages)} message(s) and {len(place.files)} file(s) from {place.label}")
