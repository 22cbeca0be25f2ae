"""files.*: the external upload flow (get URL, POST bytes, complete), listing, info, delete."""

from __future__ import annotations

import secrets

from sloth_emulator.ids import new_id
from sloth_emulator.model import Channel, FileRecord
from sloth_emulator.shapes import file_dict
from sloth_emulator.webapi.chat import authored
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method, missing_field

MAX_ALT_TXT = 1000  # files.getUploadURLExternal's reference: alt_txt_too_large past 1000 characters


def _length(call: Call) -> int:
    """files.getUploadURLExternal's `length`: required, an integer with "minimum": 1. Its
    reference: "missing_argument: A required argument was not provided. Typically only occurs
    when the `length` provided is 0." A missing, negative or non-integer one breaks the schema."""
    raw = call.args.get("length")
    if raw is None or raw == "":
        raise missing_field("length")
    try:
        length = int(str(raw))
    except ValueError:
        raise ApiError("invalid_arguments") from None
    if length == 0:
        raise ApiError("missing_argument")
    if length < 0:
        raise ApiError("invalid_arguments")
    return length


def get_upload_url(call: Call) -> Answer:
    filename = call.text("filename")
    if not filename:
        raise missing_field("filename")
    length = _length(call)
    if len(call.text("alt_txt")) > MAX_ALT_TXT:
        raise ApiError("alt_txt_too_large")
    record = FileRecord(new_id("F"), filename, call.me, call.ws.now(), length=length,
                        alt_txt=call.text("alt_txt"), snippet_type=call.text("snippet_type"))
    call.ws.add_file(record)
    key = secrets.token_urlsafe(16)
    call.emu.uploads[key] = record.id
    return {"upload_url": f"{call.emu.base_url}upload/v1/{key}", "file_id": record.id}


def _share_targets(call: Call) -> list[Channel]:
    refs = call.id_list("channels") or ([call.text("channel_id")] if call.text("channel_id") else [])
    channels = []
    for ref in refs:
        channel = call.ws.channel(ref)
        if channel is None or (channel.is_private and call.me not in channel.members):
            raise ApiError("channel_not_found")
        if channel.is_archived:
            raise ApiError("is_archived")
        # Sharing needs real membership (chat:write.public does not cover files).
        if call.auth is not None and call.auth.kind == "bot" and call.me not in channel.members:
            raise ApiError("not_in_channel")
        channels.append(channel)
    return channels


def complete_upload(call: Call) -> Answer:
    items = call.structured("files")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and "id" in i for i in items):
        raise ApiError("invalid_arguments")
    records = []
    for item in items:
        record = call.ws.files.get(str(item["id"]))
        # An unknown ID and an ID whose bytes never arrived look the same to the caller.
        if record is None or record.user != call.me or record.content is None:
            raise ApiError("file_not_found")
        records.append((record, item))
    channels = _share_targets(call)
    thread_ts = call.text("thread_ts") or None
    if thread_ts and len(channels) != 1:
        raise ApiError("invalid_arguments")
    if thread_ts:
        parent = channels[0].messages.get(thread_ts)
        if parent is None:
            raise ApiError("thread_not_found")
        thread_ts = str(parent.get("thread_ts", thread_ts))
    for record, item in records:
        record.complete = True
        record.title = str(item.get("title") or record.title or record.name)
    files = [record for record, _ in records]
    if channels:
        messages = [(channel, authored(call, {"text": call.text("initial_comment"), "upload": True,
                                              "files": [{"id": r.id} for r in files]})) for channel in channels]
        call.emu.share_later(files, messages, thread_ts)
    # The reference's example answer is {"ok": true, "files": [{"id", "title"}]} and nothing more:
    # no permalink, no shares. Sharing happens afterwards (Emulator.share_later).
    return {"files": [{"id": r.id, "title": r.title} for r in files]}


def _visible(call: Call, record: FileRecord) -> bool:
    if record.user == call.me:
        return True
    for channel_id in record.shares:
        channel = call.ws.channels.get(channel_id)
        if channel is not None and (not channel.is_private or call.me in channel.members):
            return True
    return False


def files_list(call: Call) -> Answer:
    channel = call.channel() if call.text("channel") else None
    user = call.text("user")
    ts_from, ts_to = call.number("ts_from", 0), call.number("ts_to", 2**62)
    found = [r for r in reversed(call.ws.files.values())
             if r.complete and _visible(call, r) and (channel is None or channel.id in r.shares)
             and (not user or r.user == user) and ts_from <= r.created <= ts_to]
    # files.list's reference pages with `count` (default 100) and `page` (default 1) and answers
    # a `paging` object; it has no limit or cursor, so those arguments change nothing.
    count = max(1, min(call.number("count", 100), 1000))
    page_number = max(1, call.number("page", 1))
    page = found[(page_number - 1) * count:page_number * count]
    pages = max(1, -(-len(found) // count))
    return {"files": [file_dict(r, call.ws, call.emu.base_url) for r in page],
            "paging": {"count": count, "total": len(found), "page": page_number, "pages": pages}}


def _file(call: Call) -> FileRecord:
    record = call.ws.files.get(call.text("file"))
    if record is None or not record.complete or not _visible(call, record):
        raise ApiError("file_not_found")
    return record


def files_info(call: Call) -> Answer:
    record = _file(call)
    return {"file": file_dict(record, call.ws, call.emu.base_url), "comments": [],
            "response_metadata": {"next_cursor": ""}}


def files_delete(call: Call) -> Answer:
    record = _file(call)
    owner = call.ws.users[call.me]
    is_admin_user = call.auth is not None and call.auth.kind == "user" and owner.is_admin
    if record.user != call.me and not is_admin_user:
        raise ApiError("cant_delete_file")
    # Messages that shared it keep a {"id", "mode": "tombstone"} entry, rendered by shapes.
    del call.ws.files[record.id]
    return {}


METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": Method(get_upload_url),
    "files.completeUploadExternal": Method(complete_upload),
    "files.list": Method(files_list),
    "files.info": Method(files_info),
    "files.delete": Method(files_delete),
}
