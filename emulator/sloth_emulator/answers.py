"""What the app said in answer to one thing a member did: the messages it posted or changed (in
channels, threads and DMs, ephemeral ones included, through the Web API or a response_url) and
the modals and Home tabs it opened or updated, read from the emulator's workspace."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

Snapshot = dict[tuple[str, str], str]


@dataclass(frozen=True)
class Posted:
    """One message the app posted or changed: where it is, who sees it, and what it says."""

    channel: str
    ts: str
    message: dict[str, Any]
    ephemeral_to: str | None = None  # the member who alone sees it, for an ephemeral message

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def visible(self) -> str:
        """Everything a reader sees: text, blocks and attachments (as JSON text, for `in`)."""
        return json.dumps([self.message.get(k) for k in ("text", "blocks", "attachments")], ensure_ascii=False)

    @property
    def buttons(self) -> dict[str, dict[str, Any]]:
        return dict(_buttons(self.message))

    def with_button(self, action_id: str) -> Posted:
        if action_id not in self.buttons:
            raise AssertionError(f"no button {action_id!r} in the message; buttons: {sorted(self.buttons)}")
        return self


@dataclass(frozen=True)
class Answer:
    """What the app said in answer to one thing a member did, in the order it appeared.

    `ack` is the payload the app acked with (a slash command's immediate reply, a view
    submission's `response_action`), None for a bare ack; `views` the modals and Home tabs it
    opened or updated, as views.open and friends answer them; `deleted` the (channel, ts) of its
    messages it deleted. A view that closed is not listed: `Emulator.views()` shows what is open."""

    posts: list[Posted] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    ack: dict[str, Any] | None = None
    deleted: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.posts)

    @property
    def visible(self) -> str:
        return "\n".join(p.visible for p in self.posts)

    @property
    def buttons(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for post in self.posts:
            found.update(post.buttons)
        return found

    @property
    def view(self) -> dict[str, Any]:
        """The one view the app opened or updated (AssertionError unless exactly one)."""
        if len(self.views) != 1:
            raise AssertionError(f"expected one view in the answer, found {len(self.views)}")
        return self.views[0]

    def with_button(self, action_id: str) -> Posted:
        for post in reversed(self.posts):
            if action_id in post.buttons:
                return post
        raise AssertionError(f"no button {action_id!r} in the answer; buttons: {sorted(self.buttons)}")

    def __bool__(self) -> bool:
        return bool(self.posts or self.views or self.ack or self.deleted)


def _buttons(value: Any) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(value, list):
        return [found for item in value for found in _buttons(item)]
    if not isinstance(value, dict):
        return []
    if value.get("type") == "button" and "action_id" in value:
        return [(str(value["action_id"]), value)]
    return [found for item in value.values() for found in _buttons(item)]


def _dumped(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def snapshot(emu: Emulator) -> Snapshot:
    """The app's messages and views as they are now, to compare with later (see `changes`)."""
    seen: Snapshot = {}
    for channel in emu.workspace.channels.values():
        for ts, message in channel.messages.items():
            if message.get("user") == emu.bot_user_id:
                seen[(channel.id, ts)] = _dumped(message)
    for message in emu.workspace.ephemerals:
        seen[(message["channel"], message["ts"])] = _dumped(message)
    for view_id, view in emu.workspace.views.items():
        seen[("view", view_id)] = _dumped(view)
    return seen


def changes(emu: Emulator, before: Snapshot, ack: dict[str, Any] | None = None) -> Answer:
    """The messages the app posted, changed or deleted and the views it opened or updated since
    `before`, oldest first."""
    after = snapshot(emu)
    deleted = [key for key in before if key not in after and key[0] != "view"]
    changed = [key for key, value in after.items() if before.get(key) != value]
    posts = []
    for channel_id, ts in sorted((k for k in changed if k[0] != "view"), key=lambda key: float(key[1])):
        ephemeral = next((m for m in emu.workspace.ephemerals if m["ts"] == ts and m["channel"] == channel_id), None)
        if ephemeral is not None:
            posts.append(Posted(channel_id, ts, ephemeral, ephemeral_to=ephemeral["recipient"]))
        else:
            shown = next(m for m in emu.messages(channel_id) if m["ts"] == ts)
            posts.append(Posted(channel_id, ts, shown))
    views = [_shown_view(emu.workspace.views[view_id]) for kind, view_id in changed if kind == "view"]
    return Answer(posts, views, ack, deleted)


def _shown_view(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k != "user"}
