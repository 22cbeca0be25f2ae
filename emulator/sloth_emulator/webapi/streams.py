"""chat.startStream, chat.appendStream, chat.stopStream: a message streamed in as it is written.

As Slack's method references (docs.slack.dev/reference/methods/chat.startStream, …AppendStream,
…StopStream) and node-slack-sdk's chunk.ts describe them: bot tokens only, with chat:write.
start posts a message (a reply when `thread_ts` is given) that stays in the streaming state;
outside a DM it needs `recipient_user_id` and `recipient_team_id` (missing_recipient_user_id,
missing_recipient_team_id). append adds `markdown_text` and `chunks` to a message in that state
(one of them: no_text otherwise); stop ends the stream, optionally with more text, chunks,
`blocks` and `metadata`, and later appends answer message_not_in_streaming_state. Chunks are
`markdown_text` (text), `task_update` (id, title, status), `plan_update` (title) and `blocks`
(at most 50); anything else is invalid_chunks. The stored message keeps the streamed Markdown
as its text and the blocks chunks and `blocks` as its blocks; `blocks` given to stop are "rendered
at the bottom of the finalized message", after the streamed text (the method reference), so a
stopped stream's message is drawn as its text with its blocks below (`Workspace.streamed`).
"""

from __future__ import annotations

from typing import Any

from sloth_emulator.content import message_content
from sloth_emulator.metadata import with_warning
from sloth_emulator.model import Channel, Message
from sloth_emulator.shapes import message_out
from sloth_emulator.tokens import TokenKind
from sloth_emulator.webapi.chat import authored, metadata_of, target_channel, thread_parent
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method, missing_field

BOT_ONLY: frozenset[TokenKind] = frozenset({"bot"})
TASK_STATUSES = ("pending", "in_progress", "complete", "error")


def _chunks(call: Call) -> list[dict[str, Any]]:
    chunks = call.structured("chunks", "invalid_chunks")
    if chunks is None:
        return []
    if not isinstance(chunks, list) or not all(_valid_chunk(c) for c in chunks):
        raise ApiError("invalid_chunks")
    return chunks


def _valid_chunk(chunk: Any) -> bool:
    if not isinstance(chunk, dict):
        return False
    kind = chunk.get("type")
    if kind == "markdown_text":
        return isinstance(chunk.get("text"), str)
    if kind == "task_update":
        return isinstance(chunk.get("id"), str) and isinstance(chunk.get("title"), str) \
            and chunk.get("status") in TASK_STATUSES
    if kind == "plan_update":
        return isinstance(chunk.get("title"), str)
    return kind == "blocks" and isinstance(chunk.get("blocks"), list)


def _content(call: Call) -> tuple[str, list[dict[str, Any]]]:
    """The Markdown and the blocks this call adds."""
    chunks = _chunks(call)
    text = call.text("markdown_text") + "".join(c["text"] for c in chunks if c["type"] == "markdown_text")
    blocks: list[dict[str, Any]] = []
    for chunk in chunks:
        if chunk["type"] == "blocks":
            blocks += message_content(None, chunk["blocks"], None, require=False,
                                      refused=call.emu.refused_blocks).get("blocks", [])
    return text, blocks


def start_stream(call: Call) -> Answer:
    channel = target_channel(call)
    if not channel.is_im:
        if not call.text("recipient_user_id"):
            raise ApiError("missing_recipient_user_id")
        if call.ws.user(call.text("recipient_user_id")) is None:
            raise ApiError("user_not_found")
        if not call.text("recipient_team_id"):
            raise ApiError("missing_recipient_team_id")
    thread_ts = thread_parent(call, channel)
    text, blocks = _content(call)
    message = authored(call, {"text": text, **({"blocks": blocks} if blocks else {})})
    stored = call.ws.post(channel, message, thread_ts=thread_ts)
    call.ws.streams.add((channel.id, stored["ts"]))
    call.ws.streamed.add((channel.id, stored["ts"]))
    return {"channel": channel.id, "ts": stored["ts"]}


def _streaming(call: Call) -> tuple[Channel, Message]:
    channel = call.channel()
    if not call.text("ts"):
        raise missing_field("ts")
    message = channel.messages.get(call.text("ts"))
    if message is None:
        raise ApiError("message_not_found")
    if message.get("bot_id") != call.ws.bot_id:
        raise ApiError("message_not_owned_by_app")
    if (channel.id, message["ts"]) not in call.ws.streams:
        raise ApiError("message_not_in_streaming_state")
    return channel, message


def _add(message: Message, text: str, blocks: list[dict[str, Any]]) -> None:
    message["text"] = message.get("text", "") + text
    if blocks:
        message["blocks"] = [*message.get("blocks", []), *blocks]


def append_stream(call: Call) -> Answer:
    channel, message = _streaming(call)
    text, blocks = _content(call)
    if not (text or call.structured("chunks", "invalid_chunks")):
        raise ApiError("no_text")
    _add(message, text, blocks)
    return {"channel": channel.id, "ts": message["ts"]}


def stop_stream(call: Call) -> Answer:
    channel, message = _streaming(call)
    text, blocks = _content(call)
    extra = message_content(None, call.structured("blocks", "invalid_blocks"), None, require=False,
                            refused=call.emu.refused_blocks)
    metadata = metadata_of(call)
    _add(message, text, [*blocks, *extra.get("blocks", [])])
    if metadata is not None and metadata.value is not None:
        message["metadata"] = metadata.value
    call.ws.streams.discard((channel.id, message["ts"]))
    answer = {"channel": channel.id, "ts": message["ts"], "message": message_out(message, call.ws, call.emu.base_url)}
    return with_warning(answer, metadata.warning if metadata is not None else None)


METHODS: dict[str, Method] = {
    "chat.startStream": Method(start_stream, BOT_ONLY),
    "chat.appendStream": Method(append_stream, BOT_ONLY),
    "chat.stopStream": Method(stop_stream, BOT_ONLY),
}
