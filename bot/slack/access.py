"""Who may see what through Sloth: one rule for reading and posting on a member's behalf.

Slack shows a private channel, a group DM or a DM (its messages, name, purpose, members and
files) only to its members, and a guest only the channels they were invited to. Sloth sits in
many such conversations, so while it answers a member, whatever it reads or posts for them
keeps to what that member could see in Slack themselves:

- reading a conversation (history, replies, info, members, pins, bookmarks, files) or acting on
  it (a message, a file, its purpose, an invitation, archiving it) for a member who cannot see it
  is refused, with the answer a conversation that does not exist gets;
- what was read from a private conversation is shown only to the asker (privately, or in their
  DM with Sloth) or in that conversation itself: an answer headed anywhere else is made private
  by `bot.handling.respond`, and a post that would still land there is refused.

The rule holds in the Web API client (`bot.slack.client.MeteredWebClient` calls `check` before each
call made while a member's request is handled), so a team's feature keeps to it without writing
it again. What Sloth does on its own (jobs, cards, supervised background tasks) has no asker and
is not limited. Membership comes from Slack (users.conversations with the member's ID lists the
conversations Sloth shares with them) and is kept briefly, forgotten early on membership events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.pure.errors import UserError
from bot.slack.asking import Conversation, conversation_of, current, looking_up, lookup, reveal

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.directory import Directory

log = logging.getLogger(__name__)

MEMBERSHIP_SECONDS = 30.0  # how long what Slack said about a member's conversations is trusted
KIND_SECONDS = 300.0  # a channel turned private is noticed within this
PAGE = 200
HIDDEN = "I can't find that conversation (or it is private and you are not in it)."

# What each Web API method does to the conversation its arguments name.
READ = frozenset({
    "conversations.history", "conversations.replies", "conversations.info", "conversations.members",
    "pins.list", "bookmarks.list", "files.list", "reactions.get",
})
ACT = frozenset({
    "conversations.setPurpose", "conversations.setTopic", "conversations.invite", "conversations.kick",
    "conversations.archive", "conversations.unarchive", "conversations.rename", "conversations.leave",
    "conversations.mark", "pins.add", "pins.remove", "reactions.add", "reactions.remove", "bookmarks.add",
    "bookmarks.edit", "bookmarks.remove", "chat.update", "chat.delete", "chat.deleteScheduledMessage",
})
POST = frozenset({
    "chat.postMessage", "chat.scheduleMessage", "chat.meMessage", "files.completeUploadExternal", "files.upload",
    "chat.startStream", "chat.appendStream", "chat.stopStream",
})
WHISPER = "chat.postEphemeral"  # seen by one member only: `user`
CHECKED = READ | ACT | POST | {WHISPER}


class NotVisible(UserError):
    """A conversation the asker cannot see in Slack. Worded like one that does not exist, so
    asking about a private channel's name tells a non-member nothing."""

    def __init__(self, text: str = HIDDEN) -> None:
        super().__init__(text)


class HeldBack(UserError):
    """An answer holding what only a private conversation's members may see, headed elsewhere."""

    def __init__(self) -> None:
        super().__init__("That answer holds what only the members of a private conversation may see, "
                         "so I won't post it there. Ask me in a DM, or in that conversation.")


class Access:
    def __init__(self, client: AsyncWebClient, directory: Directory,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.directory = directory
        self.clock = clock
        self._conversations: dict[str, tuple[float, Conversation | None]] = {}
        self._member_of: dict[str, tuple[float, frozenset[str]]] = {}
        self._types = "private_channel,mpim,im"

    # -- what Slack says --------------------------------------------------------------------

    async def conversation(self, ref: str) -> Conversation | None:
        """The conversation `ref` (an ID, or a channel's name) as Sloth sees it; None when Slack
        shows Sloth no such conversation."""
        channel_id = await self._id_of(ref)
        if channel_id is None:
            return None
        cached = self._conversations.get(channel_id)
        # One Sloth cannot see may become one it is in (an invitation): asked again sooner.
        if cached and self.clock() - cached[0] < (KIND_SECONDS if cached[1] else MEMBERSHIP_SECONDS):
            return cached[1]
        known = self.directory.channels.get(channel_id)
        if known is not None and ("is_private" in known or "is_channel" in known):
            found: Conversation | None = conversation_of(known)
        else:
            try:
                with lookup():
                    info = (await self.client.conversations_info(channel=channel_id))["channel"]
                found = conversation_of(info)
            except SlackApiError as e:
                if e.response.get("error") not in ("channel_not_found", "not_in_channel"):
                    raise
                found = None
        self._conversations[channel_id] = (self.clock(), found)
        return found

    async def _id_of(self, ref: str) -> str | None:
        ref = ref.strip()
        if ref[:1] in ("C", "G", "D") and ref.isalnum() and ref.isupper():
            return ref
        name = ref.removeprefix("#")
        with lookup():
            await self.directory.load_channels()
        return next((c["id"] for c in self.directory.channels.values() if c.get("name") == name), None)

    async def conversations_of(self, user: str) -> frozenset[str]:
        """The private channels, group DMs and DMs Sloth shares with `user` (public channels too
        for a guest, who sees only those they were invited to)."""
        cached = self._member_of.get(user)
        if cached and self.clock() - cached[0] < MEMBERSHIP_SECONDS:
            return cached[1]
        types = self._types + (",public_channel" if await self.is_guest(user) else "")
        found: set[str] = set()
        cursor = ""
        with lookup():
            while True:
                try:
                    response = await self.client.users_conversations(
                        user=user, types=types, limit=PAGE, cursor=cursor or None)
                except SlackApiError as e:
                    if e.response.get("error") != "missing_scope" or "mpim" not in self._types:
                        raise
                    # An app installed before it asked for mpim:read: group DMs stay hidden.
                    log.warning("the bot token lacks mpim:read; group DMs are shown to nobody")
                    self._types = "private_channel,im"
                    return await self.conversations_of(user)
                channels: list[dict[str, Any]] = response.get("channels", [])
                found.update(str(c["id"]) for c in channels)
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
                if not cursor:
                    break
        members = frozenset(found)
        self._member_of[user] = (self.clock(), members)
        return members

    async def is_guest(self, user: str) -> bool:
        # From the member directory (loaded once, kept fresh by user_change events), not a
        # users.info call per question.
        with lookup():
            await self.directory.load_users()
        found = self.directory.users.get(user)
        if found is None:  # joined since the directory was loaded
            with lookup():
                found = await self.directory.user(user)
        return bool(found and (found.get("is_restricted") or found.get("is_ultra_restricted")))

    async def may_see(self, user: str, ref: str) -> bool:
        """Whether `user` could see the conversation `ref` in Slack (False when Sloth cannot)."""
        conversation = await self.conversation(ref)
        if conversation is None:
            return False
        if conversation.kind == "im" and conversation.im_user:
            return conversation.im_user == user
        if conversation.public and not await self.is_guest(user):
            return True
        return conversation.id in await self.conversations_of(user)

    def forget(self, user: str | None = None, channel: str | None = None) -> None:
        """Ask Slack again next time (someone joined or left a conversation; it changed)."""
        if user is None:
            self._member_of.clear()
        else:
            self._member_of.pop(user, None)
        if channel is not None:
            self._conversations.pop(channel, None)

    # -- the request being handled ------------------------------------------------------------

    async def shown_to(self, user: str, ref: str) -> bool:
        """Whether `user` may see the conversation `ref`; when they may, what it holds may go
        into the answer to the request in progress (which then stays private to them)."""
        conversation = await self.conversation(ref)
        if conversation is None or not await self.may_see(user, conversation.id):
            return False
        reveal(conversation)
        return True

    async def require(self, user: str, ref: str, text: str = HIDDEN) -> Conversation:
        """The conversation, when `user` may see it (as `shown_to`); else NotVisible."""
        conversation = await self.conversation(ref)
        if conversation is None or not await self.shown_to(user, conversation.id):
            raise NotVisible(text)
        return conversation

    async def private_elsewhere(self, where: str) -> bool:
        """Whether the answer now holds what only members of a private conversation other than
        `where` may see (then it goes to the asker alone). The asker's own DM with Sloth is theirs."""
        request = current()
        if request is None or not request.revealed - {where}:
            return False
        place = await self.conversation(where)
        return not (place is not None and place.kind == "im" and place.im_user == request.user)

    async def check(self, method: str, args: dict[str, Any]) -> None:
        """Before a Web API call: refuse what the asker of the request in progress may not do."""
        request = current()
        if request is None or looking_up() or method not in CHECKED:
            return
        if method == WHISPER and str(args.get("user") or "") == request.user:
            return  # only the asker sees it, where they are
        for target in _targets(method, args):
            if target[:1] in ("U", "W"):  # chat.postMessage to a member: their DM with Sloth
                if target != request.user:
                    raise NotVisible("I only send your answers to you, not to other members' DMs.")
                continue
            if target == request.where and method not in READ and not request.revealed - {target}:
                continue  # where they asked, which they see, with nothing from elsewhere: no lookup
            conversation = await self.conversation(target)
            if conversation is None:
                continue  # Sloth can't see it either: Slack answers the call with its own error
            if not await self.may_see(request.user, conversation.id):
                raise NotVisible()
            if method in READ:
                reveal(conversation)
            elif method in POST or method == WHISPER:
                if await self.private_elsewhere(conversation.id):
                    raise HeldBack()


def _targets(method: str, args: dict[str, Any]) -> list[str]:
    """The conversations a call names (`channel`, `channel_id`, or upload v2's `channels`)."""
    found = [str(args[key]) for key in ("channel", "channel_id") if args.get(key)]
    channels = args.get("channels")
    if isinstance(channels, str):
        found += [c.strip() for c in channels.split(",") if c.strip()]
    elif isinstance(channels, list):
        found += [str(c) for c in channels]
    return found
