"""conversations.*: listing and reading channels, IMs and their members."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sloth_emulator.channel_events import archive_event, created_event, membership_event, reaches_bot
from sloth_emulator.ids import parse_ts
from sloth_emulator.index import index_of
from sloth_emulator.metadata import metadata_for_reader
from sloth_emulator.model import Channel, Message
from sloth_emulator.shapes import channel_dict, message_out
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method

ALL_TYPES = {"public_channel", "private_channel", "mpim", "im"}
NAME_ALLOWED = re.compile(r"^[a-z0-9_-]+$")


def conversations_list(call: Call) -> Answer:
    types = set(call.id_list("types") or ["public_channel"])
    if not types <= ALL_TYPES:
        raise ApiError("invalid_types")
    exclude_archived = call.flag("exclude_archived")
    me = call.me
    visible = [c for c in call.ws.channels.values()
               if c.conversation_type in types and not (exclude_archived and c.is_archived)
               and (not c.is_private or me in c.members)]
    # conversations.list's reference: limit "Must be an integer under 1000" (invalid_limit).
    channels, cursor = call.page(visible, limit=call.limit(100, below=1000))
    return {"channels": [channel_dict(c, call.ws, me, num_members=not (c.is_im or c.is_mpim)) for c in channels],
            "response_metadata": {"next_cursor": cursor}}


def users_conversations(call: Call) -> Answer:
    """Conversations a member is in. The reference: "Private channel membership is only listed
    when the calling user, bot user, or app shares membership", and the answer omits is_member
    and num_members. Its limit has "a max value of 999"."""
    types = set(call.id_list("types") or ["public_channel"])
    if not types <= ALL_TYPES:
        raise ApiError("invalid_types")
    user = call.text("user") or call.me
    if user != call.me and call.ws.user(user) is None:
        raise ApiError("user_not_found")
    exclude_archived = call.flag("exclude_archived")
    me = call.me
    found = [c for c in call.ws.channels.values()
             if c.conversation_type in types and user in c.members and not (exclude_archived and c.is_archived)
             and (not c.is_private or me in c.members)]
    channels, cursor = call.page(found, limit=call.limit(100, below=1000))
    shapes = [channel_dict(c, call.ws, me) for c in channels]
    for shape in shapes:
        shape.pop("is_member", None)
    return {"channels": shapes, "response_metadata": {"next_cursor": cursor}}


def conversations_info(call: Call) -> Answer:
    channel = call.channel()
    return {"channel": channel_dict(channel, call.ws, call.me, num_members=call.flag("include_num_members"))}


def _readable(call: Call) -> Channel:
    channel = call.channel()
    # Bots read only where they are members; user tokens may read any public channel.
    if call.auth and call.auth.kind == "bot" and call.me not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def _ts_arg(call: Call, name: str, default: int) -> int:
    value = call.text(name)
    if not value:
        return default
    try:
        return parse_ts(value)
    except ValueError:
        raise ApiError(f"invalid_ts_{name}") from None


def _range(call: Call) -> tuple[int, int, bool, Callable[[Message], bool]]:
    oldest = _ts_arg(call, "oldest", 0)
    latest = _ts_arg(call, "latest", 2**62)
    inclusive = call.flag("inclusive")

    def keep(message: Message) -> bool:
        stamp = message["ts"]
        # Stored stamps are "<10 digits>.<6 digits>": dropping the dot gives the microseconds
        # at a tenth of parse_ts's cost, which counts when 10,000 messages are looked at.
        ts = int(stamp.replace(".", "")) if len(stamp) == 17 and stamp[10] == "." else parse_ts(stamp)
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return oldest, latest, inclusive, keep


def _for_reader(call: Call, messages: list[Message]) -> list[Message]:
    """Messages as conversations.history / replies show them: metadata in full only with
    include_all_metadata (see metadata_for_reader)."""
    include_all = call.flag("include_all_metadata")
    shown = []
    for message in messages:
        out = message_out(message, call.ws, call.emu.base_url)
        if "metadata" in out:
            out["metadata"] = metadata_for_reader(out["metadata"], include_all)
        shown.append(out)
    return shown


def history(call: Call) -> Answer:
    channel = _readable(call)
    newest_first = index_of(channel).window(*_range(call))
    # The reference: limit "Maximum of 999"; it lists no invalid_limit, so more is cut to 999.
    page, cursor = call.page(newest_first, default_limit=100, max_limit=999)
    return {"messages": _for_reader(call, page), "has_more": bool(cursor),
            "pin_count": 0, "response_metadata": {"next_cursor": cursor}}


def replies(call: Call) -> Answer:
    channel = _readable(call)
    message = channel.messages.get(call.text("ts"))
    if message is None:
        raise ApiError("thread_not_found")
    keep = _range(call)[3]
    whole = index_of(channel).threads.get(str(message.get("thread_ts", message["ts"])), [])
    thread = [m for m in whole if keep(m)]
    page, cursor = call.page(thread, default_limit=1000)  # the reference: minimum 1, maximum 1000
    return {"messages": _for_reader(call, page), "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor}}


def members(call: Call) -> Answer:
    channel = call.channel()
    # The reference lists invalid_limit but names no bound: negative or non-numeric limits fail.
    page, cursor = call.page(list(channel.members), limit=call.limit(100))
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


def conversations_open(call: Call) -> Answer:
    if call.text("channel"):
        channel, already_open = call.channel(), True
    else:
        users = [u for u in call.id_list("users") if u != call.me]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 8:
            raise ApiError("too_many_users")
        for user_id in users:
            if call.ws.user(user_id) is None:
                raise ApiError("user_not_found")
        if len(users) == 1:
            channel, already_open = call.ws.open_im(call.me, users[0])
        else:
            channel, already_open = call.ws.open_mpim([call.me, *users])
    answer: Answer = {"channel": {"id": channel.id}}
    if call.flag("return_im"):
        answer["channel"] = channel_dict(channel, call.ws, call.me) | {
            "last_read": "0000000000.000000", "latest": None, "unread_count": 0, "unread_count_display": 0}
    if already_open:
        answer.update({"no_op": True, "already_open": True})
    return answer


def check_channel_name(name: str) -> None:
    """Slack's rules for new channel names, with its error codes."""
    if not name:
        raise ApiError("invalid_name_required")
    if len(name) > 80:
        raise ApiError("invalid_name_maxlength")
    if not NAME_ALLOWED.match(name):
        raise ApiError("invalid_name_specials")  # also upper case, spaces and periods
    if not re.search(r"[a-z0-9]", name):
        raise ApiError("invalid_name_punctuation")


def create(call: Call) -> Answer:
    name = call.text("name")
    check_channel_name(name)
    if any(c.name == name for c in call.ws.channels.values() if not c.is_im):
        raise ApiError("name_taken")
    channel = call.ws.create_channel(name, call.me, is_private=call.flag("is_private"))
    if not channel.is_private:
        call.emu.announce(created_event(channel))
    return {"channel": channel_dict(channel, call.ws, call.me) | {
        "last_read": "0000000000.000000", "latest": None, "unread_count": 0, "unread_count_display": 0,
        "priority": 0}}


def _writable(call: Call) -> Channel:
    channel = call.channel()
    if channel.is_archived:
        raise ApiError("is_archived")
    if call.me not in channel.members:
        raise ApiError("not_in_channel")
    return channel


def set_purpose(call: Call) -> Answer:
    channel = _writable(call)
    purpose = call.text("purpose")
    if len(purpose) > 250:
        raise ApiError("too_long")
    channel.purpose, channel.purpose_set_by, channel.purpose_set_at = purpose, call.me, call.ws.now()
    return {"purpose": purpose}


def invite(call: Call) -> Answer:
    channel = _writable(call)
    if channel.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    user_ids = call.id_list("users")
    if not user_ids:
        raise ApiError("no_user")
    errors: list[dict[str, Any]] = []
    for user_id in user_ids:
        user = call.ws.user(user_id)
        error = ("user_not_found" if user is None or user.deleted else "cant_invite_self" if user_id == call.me
                 else "already_in_channel" if user_id in channel.members else "")
        if error:
            errors.append({"user": user_id, "ok": False, "error": error})
    # Without force, one bad user stops the whole invitation, as at Slack.
    if errors and not call.flag("force"):
        raise ApiError(errors[0]["error"], errors=errors)
    failed = {e["user"] for e in errors}
    joined = [u for u in user_ids if u not in failed]
    channel.members.update(dict.fromkeys(joined))
    for user_id in joined:
        call.emu.announce(membership_event(channel, user_id, call.ws.team.id, True, inviter=call.me))
    return {"channel": channel_dict(channel, call.ws, call.me) | {"last_read": _latest_ts(channel)}}


def _latest_ts(channel: Channel) -> str:
    return next(reversed(channel.messages), "0000000000.000000")


def archive(call: Call) -> Answer:
    channel = call.channel()
    if channel.is_im or channel.is_mpim:
        raise ApiError("method_not_supported_for_channel_type")
    if channel.is_general:
        raise ApiError("cant_archive_general")
    if channel.is_archived:
        raise ApiError("already_archived")
    if call.me not in channel.members:
        raise ApiError("not_in_channel")
    channel.is_archived = True
    if reaches_bot(channel, call.ws.bot_user_id):
        call.emu.announce(archive_event(channel, call.me, archived=True))
    return {}


def join(call: Call) -> Answer:
    channel = call.channel()
    if channel.is_private:
        raise ApiError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise ApiError("is_archived")
    answer: Answer = {}
    if call.me in channel.members:
        answer = {"warning": "already_in_channel", "response_metadata": {"warnings": ["already_in_channel"]}}
    channel.members[call.me] = None
    return {"channel": channel_dict(channel, call.ws, call.me), **answer}


METHODS: dict[str, Method] = {
    "conversations.list": Method(conversations_list),
    "conversations.info": Method(conversations_info),
    "users.conversations": Method(users_conversations),
    "conversations.history": Method(history),
    "conversations.replies": Method(replies),
    "conversations.members": Method(members),
    "conversations.open": Method(conversations_open),
    "conversations.create": Method(create),
    "conversations.setPurpose": Method(set_purpose),
    "conversations.invite": Method(invite),
    "conversations.archive": Method(archive),
    "conversations.join": Method(join),
}
