"""response_url: the per-command, per-click URL the bot answers through (and slash-command acks)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sloth_emulator.content import message_content
from sloth_emulator.errors import ApiError
from sloth_emulator.model import Message
from sloth_emulator.shapes import bot_profile

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

# Slack's interactivity guide documents the limits: a response_url may be used "up to 5 times
# within 30 minutes". What it answers past them is not documented. Apps report JSON bodies with
# `ok` and `error` from response URLs (Sentry's Slack integration reads resp.json()["ok"] and
# skips "expired url" failures), and Slack's webhook errors answer 404 for a URL that no longer
# leads anywhere; so here a sixth use answers 404 {"ok": false, "error": "used_url"} and an expired
# URL 404 {"ok": false, "error": "expired_url"}. The clock is the emulator's (Emulator(clock=...)).
# A body Slack refuses (bad blocks, a block kind the workspace does not take) answers as incoming
# webhooks do, HTTP 400 with the bare error as plain text and no details (Slack's changelog of
# 2016-05-17 for webhook errors; java-slack-sdk#1017, where Slack's maintainer says a webhook's
# `invalid_blocks` comes without the messages chat.postMessage gives).
MAX_USES = 5
LIFETIME = 30 * 60.0


@dataclass
class ResponseTarget:
    """What a response_url points at: who asked, where, and the message a click came from."""

    id: str
    url: str
    origin: str  # "command", "click" or "shortcut" (a message shortcut's)
    channel: str
    user: str
    created: float
    message_ts: str | None = None  # the clicked message, or the last response posted through this URL
    is_ephemeral: bool = False
    uses: int = 0


@dataclass(frozen=True)
class ResponsePost:
    """One body the bot sent to a response_url (source "response_url") or in a slash ack ("ack")."""

    url: str
    body: Any
    status: int
    error: str | None
    time: float
    source: str = "response_url"
    result: dict[str, Any] = field(default_factory=dict)


class ResponseUrls:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.targets: dict[str, ResponseTarget] = {}
        self.posts: list[ResponsePost] = []
        # (HTTP status, error) the next posts answer without taking the reply (`fail_next_response`)
        self.planned: list[tuple[int, str]] = []

    def issue(self, origin: str, channel: str, user: str, message_ts: str | None = None,
              is_ephemeral: bool = False) -> ResponseTarget:
        target_id = secrets.token_urlsafe(18)
        target = ResponseTarget(target_id, f"{self.emu.base_url}response/{target_id}", origin, channel, user,
                                self.emu.clock(), message_ts, is_ephemeral)
        self.targets[target_id] = target
        return target

    def by_url(self, url: str) -> ResponseTarget | None:
        return self.targets.get(url.rsplit("/", 1)[-1])

    def post(self, target_id: str, body: Any) -> tuple[int, str | None]:
        """HTTP status and error for a POST to /response/<id>; Slack answers 200 "ok" on success."""
        target = self.targets.get(target_id)
        error: str | None
        if self.planned:
            status, error = self.planned.pop(0)
        elif target is None:
            status, error = 404, "no_service"
        elif self.emu.clock() - target.created > LIFETIME:
            status, error = 404, "expired_url"
        elif target.uses >= MAX_USES:
            status, error = 404, "used_url"
        else:
            target.uses += 1
            status, error = self._apply_safely(target, body)
        url = target.url if target else f"{self.emu.base_url}response/{target_id}"
        self.posts.append(ResponsePost(url, body, status, error, time.time()))
        self.emu.changed()
        return status, error

    def apply_ack(self, target: ResponseTarget, payload: dict[str, Any]) -> None:
        """A slash command acked with a payload: Slack shows it as the immediate response."""
        status, error = self._apply_safely(target, payload)
        self.posts.append(ResponsePost(target.url, payload, status, error, time.time(), source="ack"))
        self.emu.changed()

    def _apply_safely(self, target: ResponseTarget, body: Any) -> tuple[int, str | None]:
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        try:
            self._apply(target, body)
        except ApiError as exc:
            return (404 if exc.error == "message_not_found" else 400), exc.error
        return 200, None

    def _apply(self, target: ResponseTarget, body: dict[str, Any]) -> None:
        ws = self.emu.workspace
        channel = ws.channels.get(target.channel)
        if channel is None:
            raise ApiError("channel_not_found")
        if body.get("delete_original"):
            if target.message_ts is not None:
                self._delete(target)
            return  # nothing to delete yet: Slack accepts and does nothing
        content = message_content(body.get("text"), body.get("blocks"), body.get("attachments"),
                                  refused=self.emu.refused_blocks)
        if body.get("replace_original") and target.message_ts is not None:
            self._replace(target, content)
            return
        message: Message = {"user": ws.bot_user_id, "type": "message", **content, "bot_id": ws.bot_id,
                            "app_id": ws.app_id, "team": ws.team.id, "bot_profile": bot_profile(ws)}
        parent = channel.messages.get(str(body.get("thread_ts") or ""))
        thread_ts = str(parent.get("thread_ts", parent["ts"])) if parent else None
        if body.get("response_type") == "in_channel":
            stored = ws.post(channel, message, thread_ts=thread_ts)
        else:
            stored = ws.add_ephemeral(channel, target.user, message, thread_ts=thread_ts)
        if target.origin in ("command", "shortcut"):
            # A slash command or a shortcut has no message of its own: its latest reply is "the original".
            target.message_ts = stored["ts"]
            target.is_ephemeral = body.get("response_type") != "in_channel"

    def _original(self, target: ResponseTarget) -> Message:
        ws = self.emu.workspace
        assert target.message_ts is not None
        if target.is_ephemeral:
            found = ws.find_ephemeral(target.message_ts)
        else:
            found = ws.channels[target.channel].messages.get(target.message_ts)
        if found is None:
            raise ApiError("message_not_found")
        return found

    def _replace(self, target: ResponseTarget, content: Message) -> None:
        original = self._original(target)
        for key in ("text", "blocks", "attachments"):
            original.pop(key, None)
        original.update(content)

    def _delete(self, target: ResponseTarget) -> None:
        original = self._original(target)
        ws = self.emu.workspace
        if target.is_ephemeral:
            ws.ephemerals.remove(original)
        else:
            ws.delete_message(ws.channels[target.channel], original["ts"])
