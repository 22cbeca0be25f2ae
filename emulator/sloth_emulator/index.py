"""Indexes over a channel's messages, so paging through a 10,000-message channel stays cheap.

conversations.history and conversations.replies are asked for the same channel page after
page; without an index each page scans every message. An index is rebuilt whenever the
channel gains or loses a message (which is what changes which messages are top-level or in a
thread); edits and reactions need no rebuild, since the index holds the stored messages
themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sloth_emulator.model import Channel, Message

KEEP = 64  # channels whose index is kept


@dataclass
class ChannelIndex:
    top_level: list[Message]  # oldest first, replies "also sent to the channel" included
    threads: dict[str, list[Message]]  # thread ts -> the parent and its replies, oldest first
    windows: dict[tuple[int, int, bool], list[Message]] = field(default_factory=dict)

    def window(self, oldest: int, latest: int, inclusive: bool,
               keep: Callable[[Message], bool]) -> list[Message]:
        """Top-level messages that `keep` accepts, newest first, remembered per range."""
        key = (oldest, latest, inclusive)
        if key not in self.windows:
            self.windows[key] = [m for m in self.top_level if keep(m)][::-1]
        return self.windows[key]


_indexes: dict[int, tuple[Channel, tuple[int, str], ChannelIndex]] = {}


def index_of(channel: Channel) -> ChannelIndex:
    version = (len(channel.messages), next(reversed(channel.messages), ""))
    cached = _indexes.get(id(channel))
    if cached is not None and cached[0] is channel and cached[1] == version:
        return cached[2]
    index = _build(channel)
    _indexes.pop(id(channel), None)
    _indexes[id(channel)] = (channel, version, index)
    while len(_indexes) > KEEP:
        del _indexes[next(iter(_indexes))]
    return index


def _build(channel: Channel) -> ChannelIndex:
    top_level: list[Message] = []
    threads: dict[str, list[Message]] = {}
    for message in channel.messages.values():
        if "parent_user_id" not in message or message.get("subtype") == "thread_broadcast":
            top_level.append(message)
        thread = str(message.get("thread_ts", message["ts"]))
        # The same rule as Workspace.replies: the parent itself, and messages marked as replies.
        if message["ts"] == thread or "parent_user_id" in message:
            threads.setdefault(thread, []).append(message)
    return ChannelIndex(top_level, threads)
