"""The records a workspace is made of. Plain data; shapes for the wire live in shapes.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]


@dataclass
class Team:
    id: str
    name: str
    domain: str
    email_domain: str = ""
    icon: dict[str, Any] = field(default_factory=dict)


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str = ""
    display_name: str = ""
    title: str = ""
    phone: str = ""
    tz: str = "America/New_York"
    tz_label: str = "Eastern Standard Time"
    tz_offset: int = -18000
    status_text: str = ""
    status_emoji: str = ""
    status_expiration: int = 0
    presence: str = "active"
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    # Guests: a multi-channel (restricted) or single-channel (ultra restricted) guest sees only
    # the channels they were invited to, public ones included.
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    deleted: bool = False
    bot_id: str = ""
    app_id: str = ""
    color: str = "9f69e7"
    updated: int = 0

    @property
    def is_human(self) -> bool:
        # Slackbot is listed as a non-bot member by users.list, but nobody logs in as it.
        return not self.is_bot and not self.deleted and self.id != "USLACKBOT"


@dataclass
class Channel:
    id: str
    name: str
    created: int
    creator: str
    purpose: str = ""
    topic: str = ""
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_general: bool = False
    is_archived: bool = False
    im_user: str = ""  # the other member of an IM, as Slack reports it in "user"
    purpose_set_by: str = ""
    purpose_set_at: int = 0
    # dicts keep insertion order: members are an ordered set, messages are keyed by ts and,
    # because every new ts is larger than the last, stay oldest first.
    members: dict[str, None] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        """The channel_type Slack puts on message events."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "group" if self.is_private else "channel"

    @property
    def conversation_type(self) -> str:
        """The name used by conversations.list `types`."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private_channel" if self.is_private else "public_channel"


@dataclass
class FileRecord:
    id: str
    name: str
    user: str
    created: int
    title: str = ""
    length: int = 0
    content: bytes | None = None  # None until the bytes arrive at the upload URL
    complete: bool = False  # True once files.completeUploadExternal has run
    alt_txt: str = ""
    snippet_type: str = ""
    shares: dict[str, list[str]] = field(default_factory=dict)  # channel -> message ts


@dataclass
class DndState:
    dnd_enabled: bool = True
    next_dnd_start_ts: int = 0
    next_dnd_end_ts: int = 0
    snooze_endtime: int = 0  # 0: not snoozing
