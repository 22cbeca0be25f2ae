"""The in-memory Slack workspace: people, conversations, messages, files, DND.

Everything the Web API handlers and the "act as Slack" helpers change lives here, so a test can
read (or set up) the exact state the bot sees.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sloth_emulator.ids import TsClock, new_id
from sloth_emulator.model import Channel, DndState, FileRecord, Message, Team, User


class Workspace:
    def __init__(
        self,
        team: Team,
        *,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.team = team
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.clock = clock
        self.ts = TsClock(clock)
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.files: dict[str, FileRecord] = {}
        self.dnd: dict[str, DndState] = {}
        self.ephemerals: list[Message] = []
        self.reminders: list[dict[str, Any]] = []
        self.scheduled: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.streams: set[tuple[str, str]] = set()  # (channel, ts) of messages still streaming (chat.*Stream)
        # (channel, ts) of every message chat.startStream wrote, stopped or not: Slack's client shows
        # their streamed Markdown text with their blocks below it, where other messages show blocks alone.
        self.streamed: set[tuple[str, str]] = set()
        # (channel, thread_ts) -> status, prompts, title set by assistant.threads.* (webapi/assistant.py)
        self.assistant_threads: dict[tuple[str, str], dict[str, Any]] = {}
        self.custom_emoji: set[str] = set()  # names of the workspace's own emoji, beside Slack's standard ones

    @classmethod
    def default(cls) -> Workspace:
        """The "Data Analysis" workspace of the original article."""
        from sloth_emulator.default_data import build_default

        return build_default()

    @classmethod
    def field_notes(cls) -> Workspace:
        """A second workspace for the same app (sloth_emulator.multi): "Field Notes", two people."""
        from sloth_emulator.default_data import build_field_notes

        return build_field_notes()

    @classmethod
    def generated(cls, users: int = 1000, channels: int = 100, seed: int = 1) -> Workspace:
        """The default workspace plus `users` synthetic people and `channels` synthetic channels."""
        from sloth_emulator.generated import add_generated

        ws = cls.default()
        add_generated(ws, users=users, channels=channels, seed=seed)
        return ws

    # -- lookups ---------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    @property
    def bot_user(self) -> User:
        return self.users[self.bot_user_id]

    def first_human(self) -> User:
        """The user the emulator's user token belongs to (wjk68 in the default workspace)."""
        return next(u for u in self.users.values() if u.is_human)

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if u.email.lower() == wanted), None)

    def channel(self, ref: str) -> Channel | None:
        """A conversation by ID, "#name" or bare name (chat.postMessage accepts all three)."""
        found = self.channels.get(ref)
        if found is not None:
            return found
        name = ref[1:] if ref.startswith("#") else ref
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def general(self) -> Channel:
        return next(c for c in self.channels.values() if c.is_general)

    def find_ephemeral(self, ts: str) -> Message | None:
        return next((m for m in self.ephemerals if m["ts"] == ts), None)

    def replies(self, channel: Channel, thread_ts: str) -> list[Message]:
        """The parent and its replies, oldest first."""
        return [m for m in channel.messages.values() if m.get("thread_ts", m["ts"]) == thread_ts
                and (m["ts"] == thread_ts or "parent_user_id" in m)]

    # -- changes ---------------------------------------------------------------------------

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        return channel

    def create_channel(self, name: str, creator: str, *, is_private: bool = False) -> Channel:
        channel = Channel(
            id=new_id("G" if is_private else "C"),
            name=name,
            created=self.now(),
            creator=creator,
            is_private=is_private,
        )
        channel.members[creator] = None
        return self.add_channel(channel)

    def open_im(self, me: str, other: str) -> tuple[Channel, bool]:
        """The IM between two users, made on first use; returns (channel, already_open)."""
        for channel in self.channels.values():
            if channel.is_im and set(channel.members) == {me, other}:
                return channel, True
        channel = Channel(id=new_id("D"), name=other, created=self.now(), creator=me, is_im=True,
                          is_private=True, im_user=other)
        channel.members.update({me: None, other: None})
        return self.add_channel(channel), False

    def open_mpim(self, users: list[str]) -> tuple[Channel, bool]:
        wanted = set(users)
        for channel in self.channels.values():
            if channel.is_mpim and set(channel.members) == wanted:
                return channel, True
        names = "--".join(self.users[u].name for u in users)
        channel = Channel(id=new_id("G"), name=f"mpdm-{names}-1", created=self.now(), creator=users[0],
                          is_mpim=True, is_private=True)
        channel.members.update(dict.fromkeys(users))
        return self.add_channel(channel), False

    def post(self, channel: Channel, message: Message, *, thread_ts: str | None = None,
             ts: str | None = None) -> Message:
        """Store a message (a reply when thread_ts is given) and keep the parent's thread summary."""
        stored: Message = {"type": "message", **message, "ts": ts or self.ts.next()}
        if thread_ts:
            parent = channel.messages[thread_ts]
            stored["thread_ts"] = thread_ts
            stored["parent_user_id"] = parent.get("user", "")
            channel.messages[stored["ts"]] = stored
            self._summarise_thread(channel, thread_ts)
            thread = self.assistant_threads.get((channel.id, thread_ts))
            if thread is not None and stored.get("bot_id") == self.bot_id:
                thread["status"] = ""  # Slack clears an agent's status once it answers in the thread
        else:
            channel.messages[stored["ts"]] = stored
        return stored

    def delete_message(self, channel: Channel, ts: str) -> None:
        message = channel.messages[ts]
        thread_ts = message.get("thread_ts")
        if thread_ts == ts and message.get("reply_count"):
            # Slack keeps a deleted thread parent as a tombstone so the replies stay reachable.
            for key in ("text", "blocks", "attachments", "files", "metadata", "bot_id", "app_id",
                        "bot_profile", "username", "icons", "reactions", "edited"):
                message.pop(key, None)
            message.update({"subtype": "tombstone", "text": "This message was deleted.", "user": "USLACKBOT",
                            "hidden": True})
            return
        del channel.messages[ts]
        if thread_ts and thread_ts != ts and thread_ts in channel.messages:
            self._summarise_thread(channel, thread_ts)

    def _summarise_thread(self, channel: Channel, thread_ts: str) -> None:
        parent = channel.messages[thread_ts]
        replies = [m for m in self.replies(channel, thread_ts) if m["ts"] != thread_ts]
        if not replies:
            for key in ("thread_ts", "reply_count", "reply_users", "reply_users_count", "latest_reply"):
                parent.pop(key, None)
            return
        users = list(dict.fromkeys(m.get("user", "") for m in replies))
        parent.update({"thread_ts": thread_ts, "reply_count": len(replies), "reply_users": users,
                       "reply_users_count": len(users), "latest_reply": replies[-1]["ts"]})

    def add_ephemeral(self, channel: Channel, user: str, message: Message,
                      thread_ts: str | None = None) -> Message:
        stored: Message = {"type": "message", **message, "ts": self.ts.next(), "channel": channel.id,
                           "recipient": user}
        if thread_ts:
            stored["thread_ts"] = thread_ts
        self.ephemerals.append(stored)
        return stored

    def add_file(self, record: FileRecord) -> FileRecord:
        self.files[record.id] = record
        return record

    def dnd_of(self, user_id: str) -> DndState:
        return self.dnd.setdefault(user_id, DndState(dnd_enabled=False))
