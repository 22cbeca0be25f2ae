"""Errors a user should read, and how Slack's error codes become sentences.

`Expected` is Sloth's own wording for what a setting must be; `WhenError` a duration or time a
member typed that cannot be used.
"""

from __future__ import annotations

from typing import Protocol

from bot.pure.blocks import Reply


class UserError(Exception):
    """Something the user can fix; its message is shown to them as it is (already safe mrkdwn)."""


class ReplyError(UserError):
    """A refusal that says more than a sentence (e.g. with a button); the reply is shown as it is."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


class Usage(Protocol):
    """What a usage line is made of: a command (`bot.api.Command`) has both."""

    @property
    def usage(self) -> str: ...

    @property
    def examples(self) -> tuple[str, ...]: ...


class UsageError(UserError):
    def __init__(self, command: Usage, problem: str = "") -> None:
        text = f"Usage: `{command.usage}`"
        if problem:
            text += f" — {problem}"
        if command.examples:
            text += "\nFor example: " + ", ".join(f"`{e}`" for e in command.examples[:2])
        super().__init__(text)


class WhenError(UserError):
    """A duration or time the user typed that cannot be used; the message says why."""


class Expected(ValueError):
    """Sloth's own word for what a setting must be ("a whole number from 1 to 10"): it never
    quotes the value, so it may be shown even for a secret."""


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
    "name_taken": "A channel with that name already exists (it may be private or archived); pick another name.",
    "already_archived": "That channel is already archived.",
    "cant_archive_general": "The workspace's general channel can't be archived.",
    "restricted_action": "The workspace's settings don't allow Sloth to do that.",
    "method_not_supported_for_channel_type": "That doesn't work on this kind of conversation.",
    "too_long": "That text is longer than Slack allows.",
    "time_in_past": "That time has already passed.",
    "time_too_far": "That time is too far ahead: Slack schedules messages at most 120 days ahead.",
    "profile_status_set_failed_not_valid_emoji": "That status emoji is not an emoji in this workspace.",
}


def slack_error_text(code: str) -> str | None:
    return SLACK_ERRORS.get(code)

