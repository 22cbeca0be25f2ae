"""Which scope each Web API method needs, for tokens that carry a limited set of scopes.

The emulator's own tokens may call everything; a token issued with scopes (through the
authorize page, or `Emulator.restrict_scopes`) gets Slack's `missing_scope` answer, naming the
scope that would do and the scopes it has, when it calls a method outside them. Any one of a
method's scopes is enough (e.g. channels:read for public channels, groups:read for private).
"""

from __future__ import annotations

_READ = ("channels:read", "groups:read", "im:read", "mpim:read")
_MANAGE = ("channels:manage", "groups:write", "im:write", "mpim:write")

METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "users.list": ("users:read",),
    "users.info": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "users.profile.get": ("users.profile:read",),
    "users.profile.set": ("users.profile:write",),
    "users.getPresence": ("users:read",),
    "dnd.info": ("dnd:read",),
    "dnd.setSnooze": ("dnd:write",),
    "dnd.endSnooze": ("dnd:write",),
    "reminders.add": ("reminders:write",),
    "search.messages": ("search:read",),
    "search.files": ("search:read",),
    "team.info": ("team:read",),
    "conversations.list": _READ,
    "conversations.info": _READ,
    "conversations.members": _READ,
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.replies": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.open": ("im:write", "mpim:write"),
    "conversations.create": ("channels:manage", "groups:write"),
    "conversations.setPurpose": _MANAGE,
    "conversations.invite": _MANAGE,
    "conversations.archive": _MANAGE,
    "conversations.join": ("channels:join",),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "chat.scheduleMessage": ("chat:write",),
    "reactions.add": ("reactions:write",),
    "files.list": ("files:read",),
    "files.info": ("files:read",),
    "files.delete": ("files:write",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
}


def missing_scope(method: str, granted: frozenset[str] | None) -> str | None:
    """The scope to name in `missing_scope` when `granted` allows none of the method's scopes."""
    needed = METHOD_SCOPES.get(method)
    if granted is None or not needed or granted.intersection(needed):
        return None
    return needed[0]
