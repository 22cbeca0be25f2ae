"""A command's Workflow Builder step as the app manifest declares it (`functions`), and its inputs
read back as the command line a member would have typed.

Each parameter becomes an input of the type Workflow Builder offers for it (a member picker for
`user`, a channel picker for `channel`, a whole number for `int`, text otherwise), required when
the parameter is. One more input, `interactivity` (`slack#/types/interactivity`), is filled by
Slack with the member who ran the workflow: the step acts for that member and no one else. A
`user_id` input would do no such thing, since a workflow's author may map anyone into it. The
outputs are `text`, Sloth's answer as plain text, and those the step declares. Pure functions.
"""

from __future__ import annotations

from typing import Any

from bot.features.grammar import hint_of, label_of
from bot.features.router import Command, Kind, Param, Step
from bot.features.surfaces import step_callback_id
from bot.pure.text import escape

RUNNER = "interactivity"  # the input Slack fills with the member who runs the workflow
ANSWER = "text"  # the output every step has: what Sloth answered
TYPES: dict[Kind, str] = {"user": "slack#/types/user_id", "channel": "slack#/types/channel_id", "int": "integer",
                          "word": "string", "text": "string"}


def parameter(param: Param) -> dict[str, Any]:
    found: dict[str, Any] = {"type": TYPES[param.kind], "title": label_of(param), "is_required": param.required,
                             "name": param.name}
    hint = hint_of(param)
    if param.options:
        hint = " ".join([hint, f"One of: {', '.join(param.options)}."]).strip()
    if hint:
        found["description"] = hint
    return found


def definition(command: Command, step: Step) -> dict[str, Any]:
    """The step in the manifest's `functions`."""
    inputs: dict[str, Any] = {RUNNER: {"type": "slack#/types/interactivity", "title": "Who runs it",
                                       "description": "The member the step acts for: whoever runs the workflow.",
                                       "is_required": True, "name": RUNNER}}
    inputs.update({p.name: parameter(p) for p in command.params})
    outputs: dict[str, Any] = {ANSWER: {"type": "string", "title": "Sloth's answer", "is_required": True,
                                        "description": "What Sloth answered, as plain text.", "name": ANSWER}}
    outputs.update({p.name: {**parameter(p), "is_required": False} for p in step.outputs})
    return {"title": step.title or command.name[:1].upper() + command.name[1:],
            "description": step.description or command.summary,
            "input_parameters": inputs, "output_parameters": outputs}


def functions(steps: list[tuple[Command, Step]]) -> dict[str, Any]:
    return {step_callback_id(command.name): definition(command, step) for command, step in steps}


def step_problem(command: Command, step: Step) -> str | None:
    """Why `command` cannot be a step as declared, or None."""
    if any(p.name == RUNNER for p in command.params):
        return f"has a parameter called '{RUNNER}', the input Sloth's steps keep for who runs the workflow"
    if any(p.name == ANSWER for p in step.outputs):
        return f"declares an output called '{ANSWER}', the output every step has (Sloth's answer)"
    return None


def runner_of(inputs: dict[str, Any]) -> str | None:
    """The member who ran the workflow, as Slack filled the `interactivity` input; None without one."""
    context = inputs.get(RUNNER)
    interactor = context.get("interactor") if isinstance(context, dict) else None
    user = interactor.get("id") if isinstance(interactor, dict) else None
    return user if isinstance(user, str) and user else None


def typed_fields(command: Command, inputs: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Each parameter's input as the text a member would have typed there: a member `<@U…>`, a
    channel `<#C…>`, a number its digits, text escaped as Slack escapes a slash command's. What
    is not of its type is passed on escaped, so the command's parser refuses it like a typo."""
    fields = []
    for param in command.params:
        value = inputs.get(param.name)
        if value is None or value == "":
            fields.append((param.name, ""))
        elif param.kind == "user" and isinstance(value, str) and value[:1] in "UW" and value.isalnum():
            fields.append((param.name, f"<@{value}>"))
        elif param.kind == "channel" and isinstance(value, str) and value[:1] in "CGD" and value.isalnum():
            fields.append((param.name, f"<#{value}>"))
        elif isinstance(value, bool):
            fields.append((param.name, escape(str(value).lower())))
        else:
            fields.append((param.name, escape(str(value))))
    return tuple(fields)
