"""Matching what a user typed, or filled in a form, against a command's parameters. Pure functions.

A typed line (`parse_args`) and a submitted form (`parse_fields`) go through the same conversion
of each value (`parse_value`), so a command means the same whichever way it was asked; a form
names each bad value by its parameter (`FieldErrors`), to be shown under its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.features.router import Args, Command, Param
from bot.pure.errors import UsageError
from bot.pure.text import TOKEN, parse_channel, parse_user, shown


class FieldErrors(UsageError):
    """Values of a form that do not fit their parameters: `problems` by parameter name."""

    def __init__(self, command: Command, problems: Mapping[str, str]) -> None:
        super().__init__(command, " ".join(problems.values()))
        self.problems = dict(problems)


def parse(command: Command, text: str, fields: Mapping[str, str | None] | None = None) -> Args:
    """The arguments of an invocation: its form's `fields` when it came from a form, else `text`."""
    return parse_fields(command, fields) if fields is not None else parse_args(command, text)


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
        values[param.name] = parse_value(command, param, spans[index].group(0))
        used = index + 1
    if len(spans) > used and not any(p.kind == "text" for p in command.params):
        extra = text[spans[used].start():].strip()
        raise UsageError(command, f"unexpected `{shown(extra)}`.")
    return values


def parse_fields(command: Command, fields: Mapping[str, str | None]) -> Args:
    """Match a form's values (by parameter name, escaped as Slack escapes typed text) against the
    command's parameters; every bad or missing one is named in FieldErrors. A blank optional
    field takes the parameter's default, whichever fields come after it."""
    values: Args = {}
    problems: dict[str, str] = {}
    for param in command.params:
        raw = (fields.get(param.name) or "").strip()
        if not raw:
            if param.required:
                problems[param.name] = "Please fill this in."
            values[param.name] = param.default
            continue
        if param.kind != "text" and len(TOKEN.findall(raw)) != 1:
            problems[param.name] = "One word, without spaces."
            continue
        try:
            values[param.name] = raw if param.kind == "text" else parse_value(command, param, raw)
        except _Problem as e:
            problems[param.name] = e.problem
    if problems:
        raise FieldErrors(command, problems)
    return values


class _Problem(UsageError):
    """A usage error that remembers its problem on its own, for a form to show under the field."""

    def __init__(self, command: Command, problem: str) -> None:
        super().__init__(command, problem)
        self.problem = problem


def parse_value(command: Command, param: Param, token: str) -> Any:
    """One value (a word, `<@U…>`, `<#C…>`, a number) as the parameter takes it; UsageError if not."""
    if param.kind == "user":
        user = parse_user(token)
        if user is None:
            raise _Problem(command, f"{param.name} should be a member, like @name.")
        return user
    if param.kind == "channel":
        channel = parse_channel(token)
        if channel is None:
            raise _Problem(command, f"{param.name} should be a channel, like #general.")
        return channel
    if param.kind == "int":
        if not token.lstrip("-").isdigit():
            raise _Problem(command, f"{param.name} should be a whole number.")
        number = int(token)
        low, high = param.minimum, param.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Problem(command, f"{param.name} should be {bounds(param)}.")
        return number
    return token


def bounds(param: Param) -> str:
    """`between 1 and 200`, `at least 1`, `at most 9`: what a number parameter takes."""
    low, high = param.minimum, param.maximum
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}" if high is not None else "a whole number"


def label_of(param: Param) -> str:
    """How a form or a workflow step names the parameter: `Count`, `Activity or members`."""
    words = " or ".join(param.options) if "|" in param.name else param.name.replace("_", " ")
    return words[:1].upper() + words[1:]


def hint_of(param: Param) -> str:
    """What is shown under the parameter's input: its help, or a number's bounds."""
    if param.help:
        return param.help
    if param.kind == "int" and (param.minimum is not None or param.maximum is not None):
        return f"A whole number {bounds(param)}."
    return ""
