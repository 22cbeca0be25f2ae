"""Which scopes each Web API method accepts, per token kind, as Slack's method references list them.

The tables copy the `scope` facts of Slack's per-method reference JSON (docs.slack.dev, mirrored by
slack-ruby/slack-api-ref): `"bot": [...]` and `"user": [...]`, any one of which is enough. Methods
that act on one conversation want the scope of that conversation's kind (conversations.history
on a private channel needs groups:history, not channels:history), so those are checked per kind.

A token issued with scopes (Emulator(bot_scopes=...), the authorize page, restrict_scopes) gets
Slack's `missing_scope` answer, naming the scope that would do and the ones it has. A token
without a scope list (None) may call everything, as the emulator's tokens always could.
"""

from __future__ import annotations

from collections.abc import Iterable

from sloth_emulator.tokens import TokenKind

Scopes = tuple[str, ...]
KINDS = ("public_channel", "private_channel", "mpim", "im")
_PREFIX = {"public_channel": "channels", "private_channel": "groups", "mpim": "mpim", "im": "im"}


def _each(suffix: str, public: str | None = None) -> dict[str, Scopes]:
    """{conversation kind: (scope,)} for scopes named "<kind>:<suffix>" (channels:read, groups:read, …)."""
    found: dict[str, Scopes] = {kind: (f"{_PREFIX[kind]}:{suffix}",) for kind in KINDS}
    if public is not None:
        found["public_channel"] = (public,)
    return found


def _with(base: dict[str, Scopes], extra_suffix: str) -> dict[str, Scopes]:
    """base plus the narrower "<kind>:<extra_suffix>" scope (channels:write.topic, groups:write.invites, …)."""
    return {kind: (*scopes, f"{_PREFIX[kind]}:{extra_suffix}") for kind, scopes in base.items()}


_READ = _each("read")
_HISTORY = _each("history")
_BOT_WRITE = _each("write", public="channels:manage")  # bot tokens manage public channels with channels:manage
_USER_WRITE = _each("write")

# method -> token kind -> scopes accepted whatever the conversation (the reference's lists).
METHOD_SCOPES: dict[str, dict[str, Scopes]] = {
    "users.list": {"bot": ("users:read",), "user": ("users:read",)},
    "users.info": {"bot": ("users:read",), "user": ("users:read",)},
    "bots.info": {"bot": ("users:read",), "user": ("users:read",)},
    "users.getPresence": {"bot": ("users:read",), "user": ("users:read",)},
    "users.lookupByEmail": {"bot": ("users:read.email",), "user": ("users:read.email",)},
    "users.profile.get": {"bot": ("users.profile:read",), "user": ("users.profile:read",)},
    "users.profile.set": {"user": ("users.profile:write",)},
    "dnd.info": {"bot": ("dnd:read",), "user": ("dnd:read",)},
    "dnd.setSnooze": {"user": ("dnd:write",)},
    "dnd.endSnooze": {"user": ("dnd:write",)},
    "reminders.add": {"user": ("reminders:write",)},
    "search.messages": {"user": ("search:read",)},
    "search.files": {"user": ("search:read",)},
    "team.info": {"bot": ("team:read",), "user": ("team:read",)},
    "chat.postMessage": {"bot": ("chat:write",), "user": ("chat:write",)},
    "chat.postEphemeral": {"bot": ("chat:write",), "user": ("chat:write",)},
    "chat.update": {"bot": ("chat:write",), "user": ("chat:write",)},
    "chat.delete": {"bot": ("chat:write",), "user": ("chat:write",)},
    "chat.scheduleMessage": {"bot": ("chat:write",), "user": ("chat:write",)},
    # The streaming methods' references list a bot scope only (bot tokens only, see webapi/streams.py).
    "chat.startStream": {"bot": ("chat:write",)},
    "chat.appendStream": {"bot": ("chat:write",)},
    "chat.stopStream": {"bot": ("chat:write",)},
    # setStatus takes either scope since Slack's 2026-03-05 changelog; the other two assistant:write.
    "assistant.threads.setStatus": {"bot": ("chat:write", "assistant:write")},
    "assistant.threads.setSuggestedPrompts": {"bot": ("assistant:write",)},
    "assistant.threads.setTitle": {"bot": ("assistant:write",)},
    "reactions.add": {"bot": ("reactions:write",), "user": ("reactions:write",)},
    "files.list": {"bot": ("files:read",), "user": ("files:read",)},
    "files.info": {"bot": ("files:read",), "user": ("files:read",)},
    "files.delete": {"bot": ("files:write",), "user": ("files:write",)},
    "files.getUploadURLExternal": {"bot": ("files:write",), "user": ("files:write",)},
    "files.completeUploadExternal": {"bot": ("files:write",), "user": ("files:write",)},
    "conversations.join": {"bot": ("channels:join",), "user": ("channels:write",)},
}

# method -> token kind -> conversation kind -> scopes accepted for a conversation of that kind.
CONVERSATION_SCOPES: dict[str, dict[str, dict[str, Scopes]]] = {
    "conversations.list": {"bot": _READ, "user": _READ},
    "users.conversations": {"bot": _READ, "user": _READ},
    "conversations.info": {"bot": _READ, "user": _READ},
    "conversations.members": {"bot": _READ, "user": _READ},
    "conversations.history": {"bot": _HISTORY, "user": _HISTORY},
    "conversations.replies": {"bot": _HISTORY, "user": _HISTORY},
    "conversations.create": {"bot": _BOT_WRITE, "user": _USER_WRITE},
    "conversations.archive": {"bot": _BOT_WRITE, "user": _USER_WRITE},
    "conversations.open": {"bot": _BOT_WRITE, "user": _USER_WRITE},
    "conversations.setPurpose": {"bot": _with(_BOT_WRITE, "write.topic"), "user": _with(_USER_WRITE, "write.topic")},
    "conversations.invite": {"bot": _with(_BOT_WRITE, "write.invites"), "user": _with(_USER_WRITE, "write.invites")},
}

# Scopes no method above checks but that Slack grants and the emulator honours elsewhere:
# chat:write.public (post where the bot is not a member), chat:write.customize (username/icon).
OTHER_SCOPES: dict[str, Scopes] = {
    "bot": ("app_mentions:read", "chat:write.customize", "chat:write.public", "commands"),
    "user": (),
}


def accepted_scopes(method: str, kind: TokenKind) -> Scopes:
    """Every scope that lets this kind of token call the method (Slack's x-accepted-oauth-scopes)."""
    if method in METHOD_SCOPES:
        return METHOD_SCOPES[method].get(kind, ())
    per_kind = CONVERSATION_SCOPES.get(method, {}).get(kind, {})
    return tuple(dict.fromkeys(s for kind_scopes in per_kind.values() for s in kind_scopes))


def every_scope(kind: TokenKind) -> frozenset[str]:
    """What a token without a scope list stands for: everything the emulator knows of."""
    found = {s for m in METHOD_SCOPES for s in METHOD_SCOPES[m].get(kind, ())}
    found.update(s for m in CONVERSATION_SCOPES for k in CONVERSATION_SCOPES[m].get(kind, {}).values() for s in k)
    return frozenset(found | set(OTHER_SCOPES.get(kind, ())))


def missing_scope(method: str, kind: TokenKind, granted: frozenset[str] | None,
                  conversations: Iterable[str] = ()) -> str | None:
    """The `needed` of a missing_scope answer, or None when the token may make this call.

    `conversations` are the kinds of conversation the call is about (public_channel, im, …),
    when known; each must be covered. Unknown ones fall back to "any accepted scope will do",
    and `needed` then lists them all, comma-separated, as Slack does for conversations.list.
    """
    if granted is None:
        return None
    per_kind = CONVERSATION_SCOPES.get(method, {}).get(kind)
    wanted = list(conversations)
    if per_kind is not None and wanted:
        for conversation in wanted:
            options = per_kind.get(conversation, ())
            if options and not granted.intersection(options):
                return options[0]
        return None
    accepted = accepted_scopes(method, kind)
    if not accepted or granted.intersection(accepted):
        return None
    return ",".join(accepted)
