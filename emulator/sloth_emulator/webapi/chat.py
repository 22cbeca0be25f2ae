"""chat.* and reactions.add: writing messages."""

from __future__ import annotations

from sloth_emulator.content import message_content
from sloth_emulator.ids import new_id
from sloth_emulator.metadata import Metadata, check_metadata, with_warning
from sloth_emulator.model import Channel, Message
from sloth_emulator.shapes import bot_profile, message_out
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method

MAX_SCHEDULE_AHEAD = 120 * 86400
REMOVE_METADATA = Metadata(None)


def target_channel(call: Call) -> Channel:
    """Where chat.* may write: a channel by ID or name, or a user ID meaning "DM with the bot"."""
    ref = call.text("channel")
    if ref.startswith(("U", "W")) and call.ws.user(ref) is not None:
        return call.ws.open_im(call.me, ref)[0]
    channel = call.channel()
    if channel.is_archived:
        raise ApiError("is_archived")
    # Private channels, IMs and group DMs only for members (call.channel() already hid the
    # others). Public ones without joining only with chat:write.public: the scope's reference
    # says it lets an app "send messages to channels @your_slack_app isn't a member of", and
    # chat.postMessage answers not_in_channel otherwise.
    if call.is_bot and call.me not in channel.members and not call.has_scope("chat:write.public"):
        raise ApiError("not_in_channel")
    return channel


def _customized(call: Call, message: Message) -> None:
    """username / icon_emoji / icon_url: a bot's custom identity needs chat:write.customize.
    Without it Slack answers missing_scope naming that scope (apps that post as another name
    retry without the override when they see it)."""
    asked = [name for name in ("username", "icon_emoji", "icon_url") if call.text(name)]
    if not asked:
        return
    if not call.has_scope("chat:write.customize"):
        assert call.auth is not None
        raise ApiError("missing_scope", needed="chat:write.customize",
                       provided=",".join(sorted(call.auth.scopes or ())))
    if call.text("username"):
        message["username"] = call.text("username")
    if call.text("icon_emoji"):
        message["icons"] = {"emoji": call.text("icon_emoji")}
    elif call.text("icon_url"):
        message["icons"] = {f"image_{s}": call.text("icon_url") for s in (36, 48, 72)}


def authored(call: Call, content: Message) -> Message:
    """The message as stored, with the author fields Slack adds for bot and user tokens."""
    ws = call.ws
    message: Message = {"user": call.me, "type": "message", **content, "team": ws.team.id}
    if call.is_bot:
        message.update({"bot_id": ws.bot_id, "app_id": ws.app_id, "bot_profile": bot_profile(ws)})
        _customized(call, message)
    return message


def metadata_of(call: Call) -> Metadata | None:
    """The call's `metadata` argument checked (None when absent); see sloth_emulator.metadata."""
    if call.args.get("metadata") in (None, ""):
        return None
    return check_metadata(call.structured("metadata", "invalid_metadata_format"))


def _attach(message: Message, metadata: Metadata | None) -> str | None:
    """Store the metadata on the message; the warning to answer with, if any."""
    if metadata is None:
        return None
    if metadata.value is not None:
        message["metadata"] = metadata.value
    return metadata.warning


def content_from(call: Call, *, require: bool = True) -> Message:
    return message_content(call.args.get("text"), call.structured("blocks", "invalid_blocks"),
                           call.structured("attachments", "invalid_attachments"), require=require,
                           markdown=call.args.get("markdown_text"), refused=call.emu.refused_blocks)


def thread_parent(call: Call, channel: Channel) -> str | None:
    thread_ts = call.text("thread_ts")
    if not thread_ts:
        return None
    parent = channel.messages.get(thread_ts)
    if parent is None:
        # Slack's own answer here varies; failing loudly catches replies aimed at the wrong channel.
        raise ApiError("thread_not_found")
    return str(parent.get("thread_ts", thread_ts))  # a reply's ts means its thread


def post_message(call: Call) -> Answer:
    channel = target_channel(call)
    message = authored(call, content_from(call))
    warning = _attach(message, metadata_of(call))
    thread_ts = thread_parent(call, channel)
    if thread_ts and call.flag("reply_broadcast"):
        message["subtype"] = "thread_broadcast"
    stored = call.ws.post(channel, message, thread_ts=thread_ts)
    answer = {"channel": channel.id, "ts": stored["ts"], "message": message_out(stored, call.ws, call.emu.base_url)}
    return with_warning(answer, warning)


def _own_message(call: Call, error: str) -> tuple[Channel, Message]:
    channel = call.channel()
    message = channel.messages.get(call.text("ts"))
    if message is None:
        raise ApiError("message_not_found")
    user = call.ws.users[call.me]
    may_moderate = call.auth is not None and call.auth.kind == "user" and user.is_admin
    if message.get("user") != call.me and not (error == "cant_delete_message" and may_moderate):
        raise ApiError(error)
    return channel, message


def _metadata_change(call: Call) -> Metadata | None:
    """chat.update's reference: "If you don't include this field, the message's previous
    metadata will be retained. To remove previous metadata, include an empty object"; the
    empty object comes back as REMOVE_METADATA."""
    if call.args.get("metadata") not in (None, "") and call.structured("metadata", "invalid_metadata_format") == {}:
        return REMOVE_METADATA
    return metadata_of(call)


def update(call: Call) -> Answer:
    channel, message = _own_message(call, "cant_update_message")
    if channel.is_archived:
        # chat.update's reference has no is_archived: "is_inactive: The message cannot be edited
        # within a frozen, archived or deleted channel."
        raise ApiError("is_inactive")
    changes = content_from(call, require=False)
    if "text" not in call.args and "markdown_text" not in call.args:
        changes.pop("text")  # blocks/attachments alone keep the old text, as at Slack
    merged = {**message, **changes}
    if not (merged.get("text") or merged.get("blocks") or merged.get("attachments")):
        raise ApiError("no_text")
    metadata = _metadata_change(call)  # checked before anything changes
    message.update(changes)
    if metadata is REMOVE_METADATA:
        message.pop("metadata", None)
    warning = None if metadata is REMOVE_METADATA else _attach(message, metadata)
    message["edited"] = {"user": call.me, "ts": call.ws.ts.next()}
    out = message_out(message, call.ws, call.emu.base_url)
    answer = {"channel": channel.id, "ts": message["ts"], "text": message.get("text", ""), "message": out}
    return with_warning(answer, warning)


def delete(call: Call) -> Answer:
    channel, message = _own_message(call, "cant_delete_message")
    call.ws.delete_message(channel, message["ts"])
    return {"channel": channel.id, "ts": message["ts"]}


def post_ephemeral(call: Call) -> Answer:
    channel = target_channel(call)
    user = call.user()
    if user.id not in channel.members:
        raise ApiError("user_not_in_channel")
    # chat.postEphemeral's reference: "ephemeral messages are not persisted and never dispatch
    # message_metadata_* events, so event_type/event_payload message metadata is ignored here".
    message = authored(call, content_from(call))
    stored = call.ws.add_ephemeral(channel, user.id, message, thread_ts=call.text("thread_ts") or None)
    return {"message_ts": stored["ts"]}


def schedule_message(call: Call) -> Answer:
    channel = target_channel(call)
    post_at = call.number("post_at", 0)
    now = call.ws.now()
    if post_at <= now:
        raise ApiError("time_in_past")
    if post_at > now + MAX_SCHEDULE_AHEAD:
        raise ApiError("time_too_far")
    message = authored(call, content_from(call))
    metadata = metadata_of(call)
    warning = _attach(message, metadata)
    thread_ts = thread_parent(call, channel)
    # chat.scheduleMessage's reference carries a "Bug alert: Messages scheduled with
    # chat.scheduleMessage will not post if the metadata parameter is used." The call is accepted
    # and answered as usual; when the time comes, the message is dropped (Emulator.unposted).
    entry = {"id": new_id("Q", 10), "channel_id": channel.id, "post_at": post_at, "date_created": now,
             "text": message.get("text", ""), "message": message, "thread_ts": thread_ts,
             "never_posts": metadata is not None}
    call.ws.scheduled.append(entry)
    call.emu.schedule_post(entry)
    preview = {k: v for k, v in message.items() if k in ("text", "blocks", "attachments", "bot_id", "username")}
    return with_warning({"channel": channel.id, "scheduled_message_id": entry["id"], "post_at": str(post_at),
                         "message": {**preview, "type": "delayed_message", "subtype": "bot_message"}}, warning)


def permalink(call: Call) -> Answer:
    channel = call.channel()
    message = channel.messages.get(call.text("message_ts"))
    if message is None:
        raise ApiError("message_not_found")
    link = f"https://{call.ws.team.domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
    if "parent_user_id" in message:
        link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


def react(call: Call) -> Answer:
    channel = call.channel()
    message = channel.messages.get(call.text("timestamp"))
    if message is None:
        raise ApiError("message_not_found")
    name = call.text("name").strip(":")
    if not name:
        raise ApiError("invalid_name")
    reactions = message.setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is None:
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    if call.me in reaction["users"]:
        raise ApiError("already_reacted")
    reaction["users"].append(call.me)
    reaction["count"] = len(reaction["users"])
    return {}


METHODS: dict[str, Method] = {
    "chat.postMessage": Method(post_message),
    "chat.update": Method(update),
    "chat.delete": Method(delete),
    "chat.postEphemeral": Method(post_ephemeral),
    "chat.scheduleMessage": Method(schedule_message),
    "chat.getPermalink": Method(permalink),
    "reactions.add": Method(react),
}
