"""Workflow Builder steps: a workflow reached one of Sloth's steps (`function_executed`).

The step is the command that declares it (`step=` in `bot.features.router`), run through the
one dispatch as the member who runs the workflow, whom Slack names in the `interactivity` input
(`bot.features.functions`); nobody else, whatever the workflow's author mapped into its other
inputs. Its parameters come from the step's inputs as the member would have typed them, so the
command's parser, permission checks, limits and handler are the slash command's own.

It ends with functions.completeSuccess (its `text` output is Sloth's answer, with the outputs the
command declares) or, when the command was refused or failed, functions.completeError with the
reason, which Slack shows the member; the refusal also goes to the member's DM with Sloth, where
a button it offers (Connect, say) can be pressed. Slack waits for neither within the ack's 3
seconds: the ack is sent first (`bot.socket.client`) and the step may take its time.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot import guard
from bot.features.core import Core
from bot.features.functions import ANSWER, runner_of, typed_fields
from bot.features.invocation import Invocation
from bot.features.router import Command, Step
from bot.features.surfaces import step_callback_id
from bot.handling.dispatch import attempt, scope_for
from bot.handling.respond import deliver
from bot.pure.text import inert, unescape
from bot.slack.asking import asking

log = logging.getLogger(__name__)
NO_RUNNER = ("This step acts for the member who runs the workflow, and Slack named nobody: start the workflow "
             "from a link, a button or a shortcut, so that it runs for the member who starts it.")
MAX_ERROR = 1000  # characters of the reason shown to the member; the rest is in their DM


def add_step_listeners(app: AsyncApp, ctx: Core) -> None:
    for command, step in ctx.registry.steps():
        app.function(step_callback_id(command.name))(_step_listener(ctx, command, step))


def _step_listener(ctx: Core, command: Command, step: Step) -> Any:
    async def on_step(event: dict[str, Any], complete: Any, fail: Any) -> None:
        given = event.get("inputs")
        inputs: dict[str, Any] = given if isinstance(given, dict) else {}
        try:
            ended = await run_step(ctx, command, step, inputs)
        except Exception as e:  # the step must end, or the workflow shows it running for good
            log.error("the step %s failed: %s: %s", command.name, type(e).__name__, e, exc_info=e)
            ended = (False, {}, "Sloth could not run this step. Please try again later.")
        done, outputs, error = ended
        try:
            await (complete(outputs=outputs) if done else fail(error=error))
        except SlackApiError as e:
            log.warning("Slack refused to end the step %s: %s", command.name, e.response.get("error"))

    return on_step


async def run_step(ctx: Core, command: Command, step: Step,
                   inputs: dict[str, Any]) -> tuple[bool, dict[str, Any], str]:
    """Run the step's command for the member who runs the workflow: (done, outputs, error)."""
    runner = runner_of(inputs)
    if runner is None:
        return False, {}, NO_RUNNER
    fields = typed_fields(command, inputs)
    dm = str((await ctx.client.conversations_open(users=runner))["channel"]["id"])
    inv = Invocation(name=command.name, args=" ".join(v for _, v in fields if v), user=runner, channel=dm,
                     source="step", fields=fields)
    with guard.handling(await scope_for(ctx, inv, command)), asking(runner, dm):
        ran = await attempt(ctx, inv, command)
        if not ran.done:
            await deliver(ctx, inv, ran.reply)
            return False, {}, plain(ctx, ran.reply.text)[:MAX_ERROR]
    declared = {p.name for p in step.outputs}
    outputs = {name: value for name, value in (ran.reply.outputs or {}).items() if name in declared}
    return True, {**outputs, ANSWER: plain(ctx, ran.reply.text)}, ""


DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")


def plain(ctx: Core, text: str) -> str:
    """Sloth's mrkdwn answer as plain text for the workflow: a date as its written-out fallback, members
    and channels by name, links by their label, Slack's escaping undone."""
    return unescape(inert(DATE.sub(r"\1", text), ctx.directory.display_name, ctx.directory.channel_name))
