"""The views Sloth generates from the registry: the menu of commands and each command's form.

A parameter becomes one input block whose `block_id` is its name and whose element's
`action_id` is `value`: a member picker for `user`, a conversation picker for `channel` (Slack
lists only what the member can see), a number input with the parameter's bounds for `int`, a
menu for a `word` with choices, a line for another `word`, a multi-line box for `text`; an
optional parameter's input is optional. A command may bring blocks of its own (`form=` on
`router.command`); `field_block` builds one parameter's block for such a form. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.features.grammar import hint_of, label_of
from bot.features.router import Command, Param
from bot.pure.blocks import context_block, section
from bot.pure.views import (
    MAX_OPTIONS,
    conversations_select,
    input_block,
    modal,
    number_input,
    option,
    static_select,
    text_input,
    users_select,
)

PICK = "sloth_pick"  # the callback_id of the menu of commands
FORM = "sloth_form"  # … and of a command's form
VALUE = "value"  # the action_id of every generated input
COMMAND_FIELD = "command"  # the menu's one input


@dataclass(frozen=True)
class Choice:
    """A command offered in the menu, with a note when the member cannot run it as things are."""

    command: Command
    note: str = ""  # "Connect first": it acts as the member, who has not let Sloth do that yet


def field_block(param: Param, *, in_channel: bool = True) -> dict[str, Any]:
    """The input block for `param` in a generated form (`in_channel`: opened from a conversation,
    which a required conversation picker then starts on)."""
    default = param.default
    element: dict[str, Any]
    if param.kind == "user":
        element = users_select(VALUE, placeholder="Pick a member")
    elif param.kind == "channel":
        element = conversations_select(VALUE, placeholder="Pick a channel", current=in_channel and param.required)
    elif param.kind == "int":
        element = number_input(VALUE, minimum=param.minimum, maximum=param.maximum,
                               initial=default if isinstance(default, int) else None)
    elif param.options:
        element = static_select([option(word, word) for word in param.options[:MAX_OPTIONS]], VALUE,
                                placeholder="Choose")
        if isinstance(default, str) and default in param.options:
            element["initial_option"] = option(default, default)
    else:
        element = text_input(VALUE, multiline=param.kind == "text",
                             initial=default if isinstance(default, str) else "",
                             placeholder="One word" if param.kind == "word" else "")
    return input_block(param.name, label_of(param), element, hint=hint_of(param), optional=not param.required)


def form_blocks(command: Command, *, in_channel: bool = True) -> list[dict[str, Any]]:
    """The command's own blocks, or one generated input per parameter."""
    if command.form is not None:
        return list(command.form(command))
    return [field_block(param, in_channel=in_channel) for param in command.params]


def command_form(command: Command, metadata: str, slash: str, *, in_channel: bool = True,
                 values: dict[str, str] | None = None) -> dict[str, Any]:
    """The modal that runs `command`, carrying its sealed `metadata`, its inputs filled in with
    `values` (by parameter name: text, a member's or a conversation's ID, a number, an option)."""
    typed = f"{slash} {command.examples[0]}" if command.examples else f"{slash} {command.usage}"
    blocks = [section(command.summary), *filled(form_blocks(command, in_channel=in_channel), values or {}),
              context_block(f"Typed, this is `{typed}`.")]
    return modal(f"{slash} {command.name}", blocks, submit="Run", callback_id=FORM, private_metadata=metadata,
                 notify_on_close=True)


# Where each kind of input element shows what it starts with (Slack's input element references).
INITIAL = {"plain_text_input": "initial_value", "number_input": "initial_value", "users_select": "initial_user",
           "conversations_select": "initial_conversation", "channels_select": "initial_channel"}


def filled(blocks: list[dict[str, Any]], values: dict[str, str]) -> list[dict[str, Any]]:
    """`blocks` with the inputs named in `values` starting on them; ValueError for a name no input has."""
    unknown = set(values) - {b.get("block_id") for b in blocks if b.get("type") == "input"}
    if unknown:
        raise ValueError(f"the form has no input {sorted(unknown)}")
    out = []
    for block in blocks:
        value = values.get(block.get("block_id", "")) if block.get("type") == "input" else None
        if value is not None:
            element = dict(block["element"])
            element.pop("default_to_current_conversation", None)
            if element["type"] == "static_select":
                element["initial_option"] = next(o for o in element.get("options", []) if o["value"] == value)
            elif element["type"] in INITIAL:
                element[INITIAL[element["type"]]] = value
            block = {**block, "element": element}
        out.append(block)
    return out


def picker(choices: Sequence[Choice], metadata: str, slash: str) -> dict[str, Any]:
    """The menu of commands (the member types to filter it), each with its summary."""
    options = [option(c.command.name, c.command.name, f"{c.note}: {c.command.summary}" if c.note
                      else c.command.summary) for c in choices]
    if len(options) <= MAX_OPTIONS:
        element = static_select(options, VALUE, placeholder="Type to search")
    else:  # more commands than one menu holds: a group of up to 100 each
        groups = [(f"Commands {i + 1}–{i + len(options[i:i + MAX_OPTIONS])}", options[i:i + MAX_OPTIONS])
                  for i in range(0, len(options), MAX_OPTIONS)]
        element = static_select(action_id=VALUE, placeholder="Type to search", groups=groups)
    blocks = [input_block(COMMAND_FIELD, "What should Sloth do?", element,
                          hint=f"A command with something to fill in opens its form next. Each works typed "
                               f"too: {slash} <command>."),
              context_block(f"`{slash} help` lists every command with examples.")]
    return modal("Sloth", blocks, submit="Next", callback_id=PICK, private_metadata=metadata)


def message_view(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something (a refusal), with a button to close it."""
    return modal(title, [section(text)], close="Close")
