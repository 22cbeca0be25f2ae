"""assistant.threads.setStatus, setSuggestedPrompts and setTitle: an agent's thread in Slack.

As Slack's method references (docs.slack.dev/reference/methods/assistant.threads.*) and
node-slack-sdk's request types describe them: bot tokens only. setStatus needs `channel_id`,
`thread_ts` and `status` (an empty status clears it; `loading_messages` at most 10), and since
2026-03-05 takes chat:write or assistant:write; the other two take assistant:write.
setSuggestedPrompts sets up to four prompts, each with a `title` and a `message`, and an optional
`title` for the list; without `thread_ts` they go to the channel's latest message. setTitle names
the thread. Errors as the references list them: channel_not_found, invalid_thread_ts (no such
message in the channel); a missing argument answers invalid_arguments naming it. Slack removes
the status when the app next posts in the thread (`Workspace.post`); the emulator keeps what was
set in `Workspace.assistant_threads[(channel, thread_ts)]` for tests to read.
"""

from __future__ import annotations

from typing import Any

from sloth_emulator.model import Channel
from sloth_emulator.tokens import TokenKind
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method, missing_field

BOT_ONLY: frozenset[TokenKind] = frozenset({"bot"})
MAX_LOADING_MESSAGES = 10
MAX_PROMPTS = 4


def _thread(call: Call, *, required: bool = True) -> tuple[Channel, str]:
    if not call.text("channel_id"):
        raise missing_field("channel_id")
    channel = call.channel("channel_id")
    thread_ts = call.text("thread_ts")
    if not thread_ts:
        if required:
            raise missing_field("thread_ts")
        latest = max(channel.messages, default="")
        if not latest:
            raise ApiError("message_not_found")
        thread_ts = latest
    parent = channel.messages.get(thread_ts)
    if parent is None:
        raise ApiError("invalid_thread_ts")
    return channel, str(parent.get("thread_ts", thread_ts))


def _state(call: Call, channel: Channel, thread_ts: str) -> dict[str, Any]:
    return call.ws.assistant_threads.setdefault((channel.id, thread_ts), {})


def set_status(call: Call) -> Answer:
    channel, thread_ts = _thread(call)
    if "status" not in call.args:
        raise missing_field("status")
    loading = call.structured("loading_messages")
    if loading is not None and (not isinstance(loading, list) or len(loading) > MAX_LOADING_MESSAGES
                                or not all(isinstance(m, str) for m in loading)):
        raise ApiError("invalid_arguments", response_metadata={
            "messages": [f"[ERROR] loading_messages: at most {MAX_LOADING_MESSAGES} strings"]})
    state = _state(call, channel, thread_ts)
    state["status"] = call.text("status")
    state["loading_messages"] = list(loading or [])
    return {}


def _prompt_ok(prompt: Any) -> bool:
    return isinstance(prompt, dict) and isinstance(prompt.get("title"), str) and bool(prompt["title"]) \
        and isinstance(prompt.get("message"), str) and bool(prompt["message"])


def set_suggested_prompts(call: Call) -> Answer:
    channel, thread_ts = _thread(call, required=False)
    prompts = call.structured("prompts")
    if prompts is None:
        raise missing_field("prompts")
    if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_PROMPTS or not all(map(_prompt_ok, prompts)):
        raise ApiError("invalid_arguments", response_metadata={
            "messages": [f"[ERROR] prompts: 1 to {MAX_PROMPTS} objects with a title and a message"]})
    state = _state(call, channel, thread_ts)
    state["prompts"] = [{"title": p["title"], "message": p["message"]} for p in prompts]
    state["prompts_title"] = call.text("title")
    return {}


def set_title(call: Call) -> Answer:
    channel, thread_ts = _thread(call)
    if not call.text("title"):
        raise missing_field("title")
    _state(call, channel, thread_ts)["title"] = call.text("title")
    return {}


METHODS: dict[str, Method] = {
    "assistant.threads.setStatus": Method(set_status, BOT_ONLY),
    "assistant.threads.setSuggestedPrompts": Method(set_suggested_prompts, BOT_ONLY),
    "assistant.threads.setTitle": Method(set_title, BOT_ONLY),
}
