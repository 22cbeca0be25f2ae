"""Errors a user should read, and how Slack's error codes become sentences."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.router import Command


class UserError(Exception):
    """Something the user can fix; its message is shown to them as it is (already safe mrkdwn)."""


class UsageError(UserError):
    def __init__(self, command: Command, problem: str = "") -> None:
        text = f"Usage: `{command.usage}`"
        if problem:
            text += f" — {problem}"
        if command.examples:
            text += "\nFor example: " + ", ".join(f"`{e}`" for e in command.examples[:2])
        super().__init__(text)


# Slack error codes that mean the request, not Sloth, was at fault.
SLACK_ERRORS = {
    "channel_not_found": "I can't find that channel (or it is private and I'm not in it).",
    "user_not_found": "I can't find that member.",
    "users_not_found": "I can't find that member.",
    "not_in_channel": "I'm not a member of that channel. Invite me with `/invite @sloth` and try again.",
    "is_archived": "That channel is archived.",
    "missing_scope": "Sloth's app is missing a permission (scope) for that. Ask an admin to reinstall it.",
    "not_allowed_token_type": "That needs a user's own authorization, which Sloth doesn't have here.",
    "ratelimited": "Slack is rate-limiting Sloth right now; try again in a minute.",
    "msg_too_long": "That message is too long for Slack.",
    "file_not_found": "I can't find that file.",
    "cant_delete_file": "I'm not allowed to delete that file.",
}


def slack_error_text(code: str) -> str | None:
    return SLACK_ERRORS.get(code)


def new_error_id() -> str:
    return secrets.token_hex(4)
