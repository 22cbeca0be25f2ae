"""What a submission of Sloth's menu or of a command's form means: one pure function, `outcome`.

Slack takes a `response_action` only in the ack of the `view_submission` envelope, within 3
seconds, so the socket thread (and, over HTTP, the request's answer) asks `outcome` for the ack
before anything else runs; the main loop asks it again for what to run. It reads nothing but the
payload, the registry and the clock (no Slack call, no store), so both get the same answer:

- metadata Sloth did not seal, sealed for another member or purpose, or expired: refused, and
  the modal says so (`refused` names why, for the log);
- the menu: the picked command's form (`response_action: update`), an error under the menu
  for a command that is unknown, switched off or for admins only (to a member the menu was not
  opened for as an admin), or, for a command with nothing to fill in, the modal closes and the
  command runs;
- a form: every bad value under its field (`response_action: errors`), parsed by the command's
  own parser; else the modal closes and the command runs as the member who opened the form,
  answered where its slash command would have been.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.features.grammar import FieldErrors, parse_fields
from bot.features.invocation import Invocation
from bot.features.registry import Registry
from bot.features.router import Command
from bot.views.fields import submitted_fields
from bot.views.forms import COMMAND_FIELD, FORM, PICK, command_form, message_view
from bot.views.metadata import Origin, Purpose, Sealer, SealError

REFUSED = ("This form was not opened for you, or it has expired. Open a new one with `{slash}` and try "
           "again.")


@dataclass(frozen=True)
class Outcome:
    ack: dict[str, Any] | None = None  # the ack's payload; None closes the modal
    run: Invocation | None = None  # what to run once acked (channel "" : the member's DM with Sloth)
    refused: str = ""  # why the submission was refused, for the log
    command: str = ""


class Submissions:
    def __init__(self, registry: Registry, sealer: Sealer, clock: Callable[[], float], slash: str) -> None:
        self.registry, self.sealer, self.clock, self.slash = registry, sealer, clock, slash

    def seal(self, origin: Origin) -> str:
        return self.sealer.seal(origin, self.clock())

    def outcome(self, payload: dict[str, Any]) -> Outcome | None:
        """What a `view_submission` payload means; None when the view is not one of Sloth's forms."""
        view, user = payload.get("view"), payload.get("user")
        if payload.get("type") != "view_submission" or not isinstance(view, dict):
            return None
        callback_id = view.get("callback_id")
        if callback_id not in (PICK, FORM):
            return None
        purpose: Purpose = "pick" if callback_id == PICK else "form"
        try:
            origin = self.sealer.open(view.get("private_metadata"), self.clock(), purpose)
        except SealError as e:
            return self._refused(str(e))
        submitter = user.get("id") if isinstance(user, dict) else None
        if submitter != origin.user:
            return self._refused("submitted by another member than the one it was opened for")
        if purpose == "pick":
            return self._picked(origin, view, payload)
        command = self.registry.find(origin.command)
        if command is None:
            return self._refused(f"the command {origin.command!r} is no longer loaded")
        return self._filled(origin, command, view, payload)

    def _picked(self, origin: Origin, view: dict[str, Any], payload: dict[str, Any]) -> Outcome:
        name = submitted_fields(view).get(COMMAND_FIELD) or ""
        command = self.registry.find(name)
        problem = self._unavailable(command, origin)
        if command is None or problem:
            return Outcome(ack=_errors({COMMAND_FIELD: problem or "Pick a command from the list."}))
        if not command.params and command.form is None:
            return Outcome(run=self._invocation(origin, command, {}, payload), command=command.name)
        form = dataclasses.replace(origin, purpose="form", command=command.name)
        view = command_form(command, self.seal(form), self.slash, in_channel=bool(origin.channel))
        return Outcome(ack={"response_action": "update", "view": view}, command=command.name)

    def _unavailable(self, command: Command | None, origin: Origin) -> str:
        if command is None:
            return ""
        if command.name in self.registry.unavailable:
            return f"{command.name} is switched off: Sloth's app lacks a permission it needs."
        if command.admin_only and not origin.admin:
            return f"Only Sloth's admins (and the workspace's admins and owners) can use {command.name}."
        return ""

    def _filled(self, origin: Origin, command: Command, view: dict[str, Any], payload: dict[str, Any]) -> Outcome:
        fields = submitted_fields(view)
        inputs = [b.get("block_id") for b in view.get("blocks", []) if isinstance(b, dict) and b.get("type") == "input"]
        problems = _off_the_menu(command, fields)
        if not problems:
            try:
                parse_fields(command, fields)
            except FieldErrors as e:
                problems = e.problems
        if problems and inputs:
            return Outcome(ack=_errors(_placed(problems, [str(i) for i in inputs])), command=command.name)
        # No input block to show it under (a form of the command's own without one): dispatch says it.
        return Outcome(run=self._invocation(origin, command, fields, payload), command=command.name)

    def _invocation(self, origin: Origin, command: Command, fields: dict[str, str | None],
                    payload: dict[str, Any]) -> Invocation:
        given = tuple((p.name, fields.get(p.name) or "") for p in command.params)
        line = " ".join(value for _, value in given if value)
        return Invocation(
            name=command.name, args=line, user=origin.user, channel=origin.channel,
            source="slash" if origin.via == "slash" else "dm", thread=origin.thread, team=origin.team,
            response_url=origin.response_url, trigger_id=payload.get("trigger_id"), fields=given,
        )

    def _refused(self, why: str) -> Outcome:
        view = message_view("Sloth", REFUSED.format(slash=self.slash))
        return Outcome(ack={"response_action": "update", "view": view}, refused=why)


def _errors(problems: dict[str, str]) -> dict[str, Any]:
    return {"response_action": "errors", "errors": problems}


def _off_the_menu(command: Command, fields: dict[str, str | None]) -> dict[str, str]:
    """A generated menu's answer that is none of its options (only a forged submission has one)."""
    if command.form is not None:
        return {}
    return {p.name: "Pick one of the choices." for p in command.params
            if p.options and fields.get(p.name) and fields.get(p.name) not in p.options}


def _placed(problems: dict[str, str], inputs: list[str]) -> dict[str, str]:
    """Each problem under its parameter's input; those without one under the first input."""
    placed = {name: text for name, text in problems.items() if name in inputs}
    rest = [text for name, text in problems.items() if name not in inputs]
    if rest:
        placed[inputs[0]] = " ".join([placed.get(inputs[0], ""), *rest]).strip()
    return placed
