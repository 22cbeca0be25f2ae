"""Workflow Builder's custom steps (Slack calls them functions): a run of one, and how it ends.

As Slack's references describe them (docs.slack.dev/reference/events/function_executed,
/reference/methods/functions.completeSuccess and .completeError, /reference/app-manifest, and
@slack/types `FunctionExecutedEvent`): an app declares each step in its manifest's `functions`
(`title`, `description`, `input_parameters` and `output_parameters`, each keyed by name with a
`type`, `title`, `description`, `is_required`, `hint`). When a workflow reaches the step, Slack
sends the app a `function_executed` event carrying the function as declared (its parameters as
lists, each with its `name`), the step's `inputs`, a `function_execution_id`, a
`workflow_execution_id` and a `bot_access_token` (`xwfp-…`) for this execution. The app ends
the step with functions.completeSuccess (`outputs` that conform to the output parameters, else
`parameter_validation_failed`) or functions.completeError (an `error` shown to the member); a
second completion answers `execution_not_in_running_state`, an unknown execution
`function_execution_not_found`, and another execution's token `access_denied`.

Workflow Builder lets nobody save a workflow whose step lacks a required input, so neither can a
test (`ValueError`). An `interactivity` input (`slack#/types/interactivity`) is filled by Slack
from the workflow's trigger with the member who ran it: `{"interactor": {"id", "secret"},
"interactivity_pointer"}`; the emulator fills it for the member a test runs the step as.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from sloth_emulator.ids import new_id
from sloth_emulator.workspace import Workspace

INTERACTIVITY = "slack#/types/interactivity"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
Status = Literal["running", "completed", "failed"]


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# What a value of each built-in type looks like (docs.slack.dev/reference/types); a type not
# listed here (an app's custom type, an object) is taken as it comes.
CHECKS = {
    "string": _is_text,
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "slack#/types/user_id": lambda v: isinstance(v, str) and bool(USER_ID.match(v)),
    "slack#/types/channel_id": lambda v: isinstance(v, str) and bool(CHANNEL_ID.match(v)),
    "slack#/types/rich_text": lambda v: isinstance(v, list | str),
    "slack#/types/timestamp": _is_number,
}


@dataclass
class Execution:
    """One run of a step: what it was given, for whom, and how it ended."""

    id: str
    callback_id: str
    user: str  # the member who ran the workflow (the interactor), "" when nobody did
    inputs: dict[str, Any]
    token: str  # the execution's own bot token (`bot_access_token`)
    workflow_execution_id: str = field(default_factory=lambda: new_id("Wx", 10))
    status: Status = "running"
    outputs: dict[str, Any] | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.status != "running"


def declared(manifest: dict[str, Any], callback_id: str) -> dict[str, Any]:
    """The step `callback_id` as the app's manifest declares it; ValueError when it does not."""
    functions = manifest.get("functions") or {}
    found = functions.get(callback_id) if isinstance(functions, dict) else None
    if not isinstance(found, dict):
        raise ValueError(f"the app's manifest declares no function {callback_id!r} (declared: "
                         f"{sorted(functions) if isinstance(functions, dict) else []}); set app_manifest['functions']")
    return found


def parameters(definition: dict[str, Any], which: str) -> dict[str, dict[str, Any]]:
    found = definition.get(which) or {}
    return {name: spec for name, spec in found.items() if isinstance(spec, dict)} if isinstance(found, dict) else {}


def filled_inputs(definition: dict[str, Any], inputs: dict[str, Any], user: str | None) -> dict[str, Any]:
    """The inputs as Slack sends them: an `interactivity` input filled for `user`; ValueError for a
    required input left out, one of the wrong type, or one the step does not declare."""
    declared_inputs = parameters(definition, "input_parameters")
    unknown = sorted(set(inputs) - set(declared_inputs))
    if unknown:
        raise ValueError(f"the step declares no input {unknown}")
    filled: dict[str, Any] = {}
    for name, spec in declared_inputs.items():
        if spec.get("type") == INTERACTIVITY:
            if user is not None and name not in inputs:
                filled[name] = {"interactor": {"id": user, "secret": secrets.token_urlsafe(48)},
                                "interactivity_pointer": f"{secrets.randbelow(10**13)}.{secrets.token_hex(12)}"}
            elif name in inputs:
                filled[name] = inputs[name]
        elif name in inputs and inputs[name] is not None:
            check = CHECKS.get(str(spec.get("type")))
            if check is not None and not check(inputs[name]):
                raise ValueError(f"the input {name!r} is not a {spec.get('type')}: {inputs[name]!r}")
            filled[name] = inputs[name]
        if name not in filled and spec.get("is_required"):
            raise ValueError(f"the input {name!r} is required: Workflow Builder saves no workflow without it")
    return filled


def output_problems(definition: dict[str, Any], outputs: Any) -> list[str]:
    """Why `outputs` do not conform to the step's output parameters (functions.completeSuccess)."""
    if not isinstance(outputs, dict):
        return ["outputs must be an object"]
    problems: list[str] = []
    for name, spec in parameters(definition, "output_parameters").items():
        value = outputs.get(name)
        if value is None:
            if spec.get("is_required"):
                problems.append(f"missing required output: {name}")
            continue
        check = CHECKS.get(str(spec.get("type")))
        if check is not None and not check(value):
            problems.append(f"output {name} is not a {spec.get('type')}")
    return problems


def as_list(params: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Parameters as the event lists them: each with its `name`."""
    listed = []
    for name, spec in params.items():
        entry = {"type": spec.get("type", "string"), "name": name, "is_required": bool(spec.get("is_required"))}
        for key in ("title", "description"):
            if spec.get(key):
                entry[key] = spec[key]
        listed.append(entry)
    return listed


def executed_event(ws: Workspace, execution: Execution, definition: dict[str, Any], function_id: str,
                   now: float) -> dict[str, Any]:
    """The `function_executed` event of `execution`."""
    function = {
        "id": function_id, "callback_id": execution.callback_id, "title": str(definition.get("title", "")),
        "type": "app", "input_parameters": as_list(parameters(definition, "input_parameters")),
        "output_parameters": as_list(parameters(definition, "output_parameters")), "app_id": ws.app_id,
        "date_created": int(now), "date_updated": int(now), "date_deleted": 0,
    }
    if definition.get("description"):
        function["description"] = definition["description"]
    return {"type": "function_executed", "function": function, "inputs": execution.inputs,
            "function_execution_id": execution.id, "workflow_execution_id": execution.workflow_execution_id,
            "event_ts": f"{now:.6f}", "bot_access_token": execution.token}
