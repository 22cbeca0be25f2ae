"""Matching what a user typed against a command's parameters. Pure functions."""

from __future__ import annotations

from typing import Any

from bot.features.router import Args, Command, Param
from bot.pure.errors import UsageError
from bot.pure.text import TOKEN, parse_channel, parse_user, shown


def parse_args(command: Command, text: str) -> Args:
    """Match `text` against the command's grammar; a mismatch raises UsageError.

    A `text` parameter takes the rest of the line exactly as typed: newlines and repeated
    spaces are the user's (a release note, a code block), not separators to normalise.
    """
    spans = list(TOKEN.finditer(text))
    values: Args = {}
    used = 0
    for index, param in enumerate(command.params):
        if param.kind == "text":
            rest = text[spans[index].start():].strip() if index < len(spans) else ""
            if not rest and param.required:
                raise UsageError(command, f"{param.name} is missing.")
            values[param.name] = rest or param.default
            used = len(spans)
            break
        if index >= len(spans):
            if param.required:
                raise UsageError(command, f"{param.name} is missing.")
            values[param.name] = param.default
            continue
        values[param.name] = _convert(command, param, spans[index].group(0))
        used = index + 1
    if len(spans) > used and not any(p.kind == "text" for p in command.params):
        extra = text[spans[used].start():].strip()
        raise UsageError(command, f"unexpected `{shown(extra)}`.")
    return values


def _convert(command: Command, param: Param, token: str) -> Any:
    if param.kind == "user":
        user = parse_user(token)
        if user is None:
            raise UsageError(command, f"{param.name} should be a member, like @name.")
        return user
    if param.kind == "channel":
        channel = parse_channel(token)
        if channel is None:
            raise UsageError(command, f"{param.name} should be a channel, like #general.")
        return channel
    if param.kind == "int":
        if not token.lstrip("-").isdigit():
            raise UsageError(command, f"{param.name} should be a whole number.")
        number = int(token)
        low, high = param.minimum, param.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise UsageError(command, f"{param.name} should be {bounds(low, high)}.")
        return number
    return token


def bounds(low: int | None, high: int | None) -> str:
    """"between 1 and 5", "at least 1", "at most 5": the range a number must be in."""
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"
