"""Slack's error codes turned into what to change, for the lines of `sloth doctor`'s table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError

# Errors that mean the token itself is no good (the runtime stops on the same ones).
TOKEN_ERRORS = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")
METADATA_ERRORS = ("invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large")
REINSTALL = "then reinstall the app to the workspace (OAuth & Permissions -> Reinstall)"


def error_of(e: SlackApiError) -> tuple[str, Mapping[str, Any]]:
    """Slack's error code and the whole answer it came with."""
    response = e.response.data if isinstance(e.response.data, dict) else {}
    return str(response.get("error") or "error"), response


def scope_change(needed: str, kind: str = "Bot") -> str:
    """What to do about a missing_scope answer: `needed` is one scope or several, comma-separated."""
    scopes = ", ".join(s.strip() for s in needed.split(",") if s.strip()) or "the scope Slack names"
    return (f"add {scopes} to the app's {kind} Token Scopes (OAuth & Permissions; `sloth manifest` lists them "
            f"all), {REINSTALL}")


def channel_change(code: str, answer: Mapping[str, Any], *, channel: str, bot: str, files: bool = False) -> str:
    """What to change after a call about `channel` (shown as `#name`) failed with `code`."""
    if code == "not_in_channel":
        if files:
            return f"invite @{bot} to {channel} (/invite @{bot}): sharing files needs Sloth in the channel"
        return f"invite @{bot} to {channel} (/invite @{bot}) or add chat:write.public to the app's Bot Token Scopes"
    if code == "channel_not_found":
        return (f"check the name or ID; Sloth sees a private channel only once it is in it: invite @{bot} "
                f"to {channel}")
    if code in ("is_archived", "is_inactive"):
        return f"{channel} is archived: unarchive it, or name another channel with --channel"
    if code == "missing_scope":
        return scope_change(str(answer.get("needed", "")))
    if code in METADATA_ERRORS:
        return ("nothing to change in the app: Sloth's games and training cards carry metadata like this, and "
                "Sloth posts them without it when Slack refuses it; report the error if it persists")
    if code.startswith("restricted_action"):
        return (f"a workspace or channel setting keeps apps from posting in {channel}: ask an admin, or name "
                "another channel")
    if code == "ratelimited":
        return "Slack is rate limiting the app: run sloth doctor again in a minute"
    return general_change(code)


def general_change(code: str, method: str = "") -> str:
    if code in TOKEN_ERRORS:
        return "the bot token stopped working during the checks: run sloth doctor again"
    where = f"https://docs.slack.dev/reference/methods/{method}" if method else "Slack's method reference"
    return f"Slack answered {code}: see its meaning at {where}"
