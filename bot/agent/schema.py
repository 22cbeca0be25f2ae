"""A command's parameters as a JSON Schema object, and a tool's arguments back as the fields a
member would have filled in. Pure functions.

Each parameter is a property: a member or a channel a string shaped like what the parser takes
(`U012AB3CD`, `@name`, `C012AB3CD`, `#name`), a number an integer within its bounds, a word with
choices an enum, text a string. Required parameters are required. The arguments go back through
the command's own parser (`bot.features.grammar.parse_fields`), so a tool means what the command
means and a bad value is refused with the command's own words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.features.functions import typed_fields
from bot.features.grammar import hint_of, label_of
from bot.features.router import Command, Param

USER = r"^(<@[UW][A-Z0-9]+(\|[^>]*)?>|@?[A-Za-z0-9][A-Za-z0-9._-]{0,79})$"
CHANNEL = r"^(<#[CGD][A-Z0-9]+(\|[^>]*)?>|#?[A-Za-z0-9][A-Za-z0-9._-]{0,79})$"
WORD = r"^\S+$"
SAID = {"user": "A member: their ID (U012AB3CD) or @name.",
        "channel": "A channel: its ID (C012AB3CD) or #name."}
# What model providers accept as a property name; a name like `activity|members` is spelled with `_or_`.
UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def property_name(param: Param) -> str:
    return UNSAFE.sub("_", param.name.replace("|", "_or_"))[:64]


def property_schema(param: Param) -> dict[str, Any]:
    found: dict[str, Any]
    if param.kind == "int":
        found = {"type": "integer"}
        if param.minimum is not None:
            found["minimum"] = param.minimum
        if param.maximum is not None:
            found["maximum"] = param.maximum
    elif param.kind in ("user", "channel"):
        found = {"type": "string", "pattern": USER if param.kind == "user" else CHANNEL}
    elif param.options:
        found = {"type": "string", "enum": list(param.options)}
    elif param.kind == "word":
        found = {"type": "string", "pattern": WORD}
    else:
        found = {"type": "string", "minLength": 1}
    found["title"] = label_of(param)
    hint = " ".join(s for s in (SAID.get(param.kind, ""), hint_of(param)) if s)
    if hint:
        found["description"] = hint
    if param.default is not None and isinstance(param.default, (str, int)):
        found["default"] = param.default
    return found


def input_schema(command: Command) -> dict[str, Any]:
    """The JSON Schema of the command's arguments, one property per parameter."""
    return {
        "type": "object",
        "properties": {property_name(p): property_schema(p) for p in command.params},
        "required": [property_name(p) for p in command.params if p.required],
        "additionalProperties": False,
    }


class ArgumentError(ValueError):
    """Arguments a command does not take (the parser checks the values of those it does)."""


def fields_of(command: Command, arguments: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The arguments as a form's fields by parameter name, spelled as a member types them; an
    argument the command does not take raises ArgumentError naming those it does."""
    by_property = {property_name(p): p.name for p in command.params}
    unknown = sorted(str(k) for k in arguments if k not in by_property)
    if unknown:
        takes = ", ".join(by_property) or "no arguments"
        raise ArgumentError(f"`{command.name}` does not take {', '.join(unknown)}; it takes {takes}.")
    return typed_fields(command, {by_property[k]: bare_reference(v) for k, v in arguments.items()})


REFERENCE = re.compile(r"^<[@#]([UWCGD][A-Z0-9]+)(?:\|[^>]*)?>$")


def bare_reference(value: Any) -> Any:
    """`<@U123|amelia>` (as a model copies it from Slack's text) as the ID `U123`, which the fields take."""
    match = REFERENCE.match(value) if isinstance(value, str) else None
    return match.group(1) if match else value
