"""Which loaded commands a token's scopes allow: one answer for the runtime's start-time check
(commands it switches off) and for `sloth doctor` (what to add to the app).

Slack names the scopes a token was granted in the `x-oauth-scopes` header of every Web API
answer, comma-separated; node-slack-sdk reads it into `response_metadata.scopes` the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.features.router import Command


def granted_scopes(headers: Mapping[str, Any]) -> frozenset[str] | None:
    """The scopes in an answer's x-oauth-scopes header; None when the answer does not say."""
    for name, value in dict(headers).items():
        if name.lower() == "x-oauth-scopes":
            raw = value[0] if isinstance(value, list) and value else value
            return frozenset(s.strip() for s in str(raw).split(",") if s.strip())
    return None


def missing_by_command(commands: Iterable[Command], granted: Iterable[str],
                       user: bool = False) -> dict[str, tuple[str, ...]]:
    """{command name: the scopes it declares that `granted` lacks}, in the commands' order.

    `user`: compare the user scopes of commands that act with a member's token (token="user")
    instead of the bot scopes.
    """
    have = set(granted)
    missing: dict[str, tuple[str, ...]] = {}
    for command in commands:
        if user and command.token != "user":
            continue
        wanted = command.user_scopes if user else command.scopes
        lacking = tuple(s for s in wanted if s not in have)
        if lacking:
            missing[command.name] = lacking
    return missing
