"""Scope checks before a method runs, and the scope headers Slack puts on every answer."""

from __future__ import annotations

from typing import Any

from sloth_emulator.scopes import accepted_scopes, every_scope, missing_scope
from sloth_emulator.tokens import TokenInfo
from sloth_emulator.workspace import Workspace


def conversation_kinds(method: str, args: dict[str, Any], ws: Workspace) -> list[str]:
    """The kinds of conversation a call is about, as far as its arguments tell before it runs."""
    if method in ("conversations.list", "users.conversations"):
        raw = args.get("types") or "public_channel"
        return [t.strip() for t in (raw if isinstance(raw, list) else str(raw).split(",")) if t.strip()]
    if method == "conversations.create":
        private = str(args.get("is_private", "")).lower() in ("1", "true")
        return ["private_channel" if private else "public_channel"]
    if method == "conversations.open" and not args.get("channel"):
        users = args.get("users") or ""
        count = len(users if isinstance(users, list) else [u for u in str(users).split(",") if u.strip()])
        return ["im" if count <= 1 else "mpim"]
    channel = ws.channel(str(args.get("channel") or ""))
    return [channel.conversation_type] if channel is not None else []


def needed_scope(method: str, args: dict[str, Any], info: TokenInfo, ws: Workspace) -> str | None:
    if info.scopes is None:
        return None
    return missing_scope(method, info.kind, info.scopes, conversation_kinds(method, args, ws))


def scope_headers(method: str, info: TokenInfo | None) -> dict[str, str]:
    """x-oauth-scopes (what the token was granted) and x-accepted-oauth-scopes (what the method
    takes): node-slack-sdk's WebClient reads both into response_metadata.scopes/acceptedScopes,
    splitting on commas."""
    if info is None:
        return {}
    granted = info.scopes if info.scopes is not None else every_scope(info.kind)
    return {"x-oauth-scopes": ",".join(sorted(granted)),
            "x-accepted-oauth-scopes": ",".join(accepted_scopes(method, info.kind))}
