"""Channel changes made as if by a person in Slack, and the events Slack sends about them.

Shapes from Slack's event references: `channel_rename` / `group_rename` carry
`channel: {id, name, created}`; `channel_archive` / `channel_unarchive` carry `channel` and
`user`; `group_archive` / `group_unarchive` carry `channel` (and `user`, in @slack/types'
GroupArchiveEvent / GroupUnarchiveEvent); `channel_deleted` / `group_deleted` carry `channel`.
Public channels produce `channel_*`, sent "to all connections for a workspace"; private ones
produce `group_*`, sent "to all members of a private channel", so only when the bot is one.
`member_joined_channel` / `member_left_channel` carry `user`, `channel`, `channel_type` and
`team` (and `inviter` for an invitation); they reach the bot in channels it is in.
"""

from __future__ import annotations

from typing import Any

from sloth_emulator.delivery import Delivery
from sloth_emulator.model import Channel, User
from sloth_emulator.workspace import Workspace


def event_name(channel: Channel, change: str) -> str:
    """"rename", "archive", "unarchive", "deleted", "created" -> channel_… or group_…"""
    return f"{'group' if channel.is_private else 'channel'}_{change}"


def reaches_bot(channel: Channel, bot_user_id: str) -> bool:
    return not channel.is_private or bot_user_id in channel.members


def rename_event(channel: Channel) -> dict[str, Any]:
    return {"type": event_name(channel, "rename"),
            "channel": {"id": channel.id, "name": channel.name, "created": channel.created}}


def archive_event(channel: Channel, user: str, archived: bool) -> dict[str, Any]:
    return {"type": event_name(channel, "archive" if archived else "unarchive"), "channel": channel.id, "user": user}


def deleted_event(channel: Channel) -> dict[str, Any]:
    return {"type": event_name(channel, "deleted"), "channel": channel.id}


def membership_event(channel: Channel, user: str, team: str, joined: bool, inviter: str = "") -> dict[str, Any]:
    """member_joined_channel / member_left_channel: `channel_type` is "C" (public) or "G"
    (private); a join by invitation names the `inviter`."""
    event = {"type": "member_joined_channel" if joined else "member_left_channel", "user": user,
             "channel": channel.id, "channel_type": "G" if channel.is_private else "C", "team": team}
    if joined and inviter:
        event["inviter"] = inviter
    return event


def created_event(channel: Channel) -> dict[str, Any]:
    # Slack sends channel_created for public channels; a new private channel has no such event.
    return {"type": "channel_created", "channel": {"id": channel.id, "name": channel.name,
                                                   "created": channel.created, "creator": channel.creator}}


class ChannelChanges:
    """Emulator methods that change a channel as a person would in Slack and send the event."""

    workspace: Workspace

    @property
    def bot_user_id(self) -> str:
        raise NotImplementedError

    async def send_event(self, event: dict[str, Any], connection_id: int | None = None) -> Delivery:
        raise NotImplementedError

    def changed(self) -> None:
        raise NotImplementedError

    def _channel(self, ref: str | None) -> Channel:
        raise NotImplementedError

    def _user(self, ref: str | None) -> User:
        raise NotImplementedError

    async def _tell(self, channel: Channel, event: dict[str, Any]) -> Delivery | None:
        self.changed()
        return await self.send_event(event) if reaches_bot(channel, self.bot_user_id) else None

    async def rename_channel(self, channel: str, name: str) -> Delivery | None:
        """Rename a channel and send channel_rename (public) or group_rename (private, bot a member)."""
        found = self._channel(channel)
        found.name = name
        return await self._tell(found, rename_event(found))

    async def archive_channel(self, channel: str, user: str | None = None) -> Delivery | None:
        found, who = self._channel(channel), self._user(user)
        found.is_archived = True
        return await self._tell(found, archive_event(found, who.id, archived=True))

    async def unarchive_channel(self, channel: str, user: str | None = None) -> Delivery | None:
        found, who = self._channel(channel), self._user(user)
        found.is_archived = False
        return await self._tell(found, archive_event(found, who.id, archived=False))

    async def join_channel(self, channel: str, user: str | None = None, inviter: str = "") -> Delivery | None:
        """A member joins (or is invited to) a channel; member_joined_channel reaches the bot
        when it is in the channel."""
        found, who = self._channel(channel), self._user(user)
        found.members[who.id] = None
        return await self._tell_members(found, membership_event(found, who.id, self.workspace.team.id, True, inviter))

    async def leave_channel(self, channel: str, user: str | None = None) -> Delivery | None:
        found, who = self._channel(channel), self._user(user)
        found.members.pop(who.id, None)
        return await self._tell_members(found, membership_event(found, who.id, self.workspace.team.id, False))

    async def _tell_members(self, channel: Channel, event: dict[str, Any]) -> Delivery | None:
        self.changed()
        return await self.send_event(event) if self.bot_user_id in channel.members else None

    async def delete_channel(self, channel: str) -> Delivery | None:
        """Delete a channel with its messages; channel_deleted or group_deleted."""
        found = self._channel(channel)
        reached = reaches_bot(found, self.bot_user_id)
        del self.workspace.channels[found.id]
        self.changed()
        return await self.send_event(deleted_event(found)) if reached else None
