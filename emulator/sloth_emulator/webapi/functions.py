"""functions.completeSuccess and functions.completeError: a workflow step's run ends.

As their method references describe them: no scope needed (bot and user tokens); a required
`function_execution_id`; `outputs` (an object conforming to the step's output parameters, else
`parameter_validation_failed`) or `error` (a text shown to the member). An execution Slack does
not know answers `function_execution_not_found`, one already ended
`execution_not_in_running_state`, and the `bot_access_token` of another execution `access_denied`.
See `sloth_emulator.functions`.
"""

from __future__ import annotations

from typing import Any

from sloth_emulator.functions import Execution, declared, output_problems
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method, missing_field


def _running(call: Call) -> Execution:
    execution_id = call.text("function_execution_id")
    if not execution_id:
        raise missing_field("function_execution_id")
    execution = call.emu.executions.get(execution_id)
    if execution is None:
        raise ApiError("function_execution_not_found")
    token = call.auth.token if call.auth else ""
    owner = next((e for e in call.emu.executions.values() if e.token == token), None)
    if owner is not None and owner is not execution:
        raise ApiError("access_denied")
    if execution.done:
        raise ApiError("execution_not_in_running_state")
    return execution


def complete_success(call: Call) -> Answer:
    execution = _running(call)
    if "outputs" not in call.args:
        raise missing_field("outputs")
    outputs: Any = call.structured("outputs", "invalid_arguments")
    problems = output_problems(declared(call.emu.app_manifest, execution.callback_id), outputs)
    if problems:
        raise ApiError("parameter_validation_failed", response_metadata={"messages": problems})
    execution.status, execution.outputs = "completed", dict(outputs)
    return {}


def complete_error(call: Call) -> Answer:
    execution = _running(call)
    error = call.text("error")
    if not error:
        raise missing_field("error")
    execution.status, execution.error = "failed", error
    return {}


METHODS: dict[str, Method] = {
    "functions.completeSuccess": Method(complete_success),
    "functions.completeError": Method(complete_error),
}
