"""A modal in the sandbox: drawn as a form whose inputs are numbered, filled by number, submitted.

While a modal is open for the member, `<number> <value>` fills an input (a member as `@handle`, a
channel as `#name`, a menu's choice by its value, its text or its number; `-` clears it),
`submit` submits the modal as Slack's client would (a blank required input or a choice the menu
lacks is refused before anything is sent), and `cancel` closes it. What the app answers in the
ack shows under the inputs (`response_action: errors`) or as the next view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from bot.sandbox.render import mrkdwn
from sloth_emulator import Emulator

FILL = re.compile(r"^(\d+)\s+(.+)$", re.S)
PICKERS = {"users_select": "a member: @handle", "multi_users_select": "members: @a @b",
           "conversations_select": "a channel: #name", "multi_conversations_select": "channels: #a #b",
           "channels_select": "a channel: #name", "number_input": "a whole number", "datepicker": "YYYY-MM-DD",
           "timepicker": "HH:MM"}


def inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view.get("blocks", []) if b.get("type") == "input" and isinstance(b.get("element"), dict)]


def options(element: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for g in element.get("option_groups", []) for o in g.get("options", [])] + element.get("options", [])


class FormDesk:
    """The member's open modal, as the sandbox shows it."""

    def __init__(self, emu: Emulator, console: Console, names: Callable[[str], str]) -> None:
        self.emu, self.console, self.names = emu, console, names
        self.view_id: str | None = None
        self.hash = ""
        self.drawn = ""
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def top(self, user: str) -> dict[str, Any] | None:
        """The member's modal on top of its stack, if one is open."""
        modals = [v for v in self.emu.views(user) if v["type"] == "modal"]
        under = {v.get("previous_view_id") for v in modals}
        return next((v for v in reversed(modals) if v["id"] not in under), None)

    def changed(self, user: str) -> bool:
        view = self.top(user)
        return self._fingerprint(view) != self.drawn

    def show(self, user: str) -> None:
        """Draw the member's modal if it opened, changed or closed since it was last drawn."""
        view = self.top(user)
        if self._fingerprint(view) == self.drawn:
            return
        if view is None:
            self.console.print("[dim](the form closed)[/dim]")
            self.view_id, self.values, self.errors = None, {}, {}
        else:
            if view["id"] != self.view_id or view["hash"] != self.hash:  # a new view: nothing filled in yet
                self.values, self.errors = {}, {}
            self.view_id, self.hash = view["id"], view["hash"]
            self.console.print(self.draw(view))
        self.drawn = self._fingerprint(view)

    def handles(self, line: str) -> bool:
        return self.view_id is not None and (line in ("submit", "cancel") or bool(FILL.match(line)))

    async def act(self, user: str, line: str) -> None:
        view = self.top(user)
        if view is None or view["id"] != self.view_id:
            raise ValueError("That form is no longer open.")
        if line == "cancel":
            delivery = await self.emu.close_view(view["id"], user)
            if delivery is not None:
                await delivery.acked(timeout=5)
            return
        if line == "submit":
            await self._submit(view, user)
            return
        found = FILL.match(line)
        assert found is not None
        fields = inputs(view)
        number, value = int(found.group(1)), found.group(2).strip()
        if not 1 <= number <= len(fields):
            raise ValueError(f"The form has no input {number}; its inputs are 1 to {len(fields)}.")
        block_id = str(fields[number - 1].get("block_id"))
        if value == "-":
            self.values.pop(block_id, None)
        else:
            self.values[block_id] = value
        self.drawn = ""  # draw it again with the value in
        self.show(user)

    async def _submit(self, view: dict[str, Any], user: str) -> None:
        resolved = {b["block_id"]: self._value(b["element"], self.values[b["block_id"]])
                    for b in inputs(view) if b.get("block_id") in self.values}
        if "submit" not in view:
            raise ValueError("This view has nothing to submit: `cancel` closes it.")
        delivery = await self.emu.submit_view(view["id"], resolved, user)  # ValueError: Slack's client refuses it
        frame = await delivery.acked(timeout=5)
        answer = frame.get("payload") or {}
        if answer.get("response_action") == "errors":
            self.errors = {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
            self.drawn = ""

    def _value(self, element: dict[str, Any], typed: str) -> Any:
        ws = self.emu.workspace
        kind = element.get("type", "")
        words = typed.split()
        if kind in ("users_select", "multi_users_select"):
            found = [next((u.id for u in ws.users.values() if u.name == w.lstrip("@")), None) for w in words]
            if None in found:
                raise ValueError(f"No member {typed}: write @handle.")
            return found if kind.startswith("multi") else found[0]
        if "conversations" in kind or "channels" in kind:
            channels = [ws.channel(w.lstrip("#")) for w in words]
            if None in channels:
                raise ValueError(f"No channel {typed}: write #name.")
            ids = [c.id for c in channels if c is not None]
            return ids if kind.startswith("multi") else ids[0]
        listed = options(element)
        if listed:
            if typed.isdigit() and 1 <= int(typed) <= len(listed):
                return listed[int(typed) - 1]["value"]
            return next((o["value"] for o in listed if typed.lower() in (o["value"].lower(),
                                                                       o["text"]["text"].lower())), typed)
        return typed

    def draw(self, view: dict[str, Any]) -> RenderableType:
        parts: list[RenderableType] = []
        number = 0
        for block in view.get("blocks", []):
            kind = block.get("type")
            if kind == "section" and block.get("text"):
                parts.append(mrkdwn(block["text"].get("text", ""), self.names))
            elif kind == "context":
                line = mrkdwn("  ".join(e.get("text", "") for e in block.get("elements", [])), self.names)
                line.stylize("dim")
                parts.append(line)
            elif kind == "input" and isinstance(block.get("element"), dict):
                number += 1
                parts.append(self._field(number, block))
        submit = (view.get("submit") or {}).get("text")
        how = f"Fill in: <number> <value>, then `submit` ({submit})" if submit else "Nothing to fill in"
        parts.append(Text(f"{how}; `cancel` closes it.", style="dim italic"))
        title = (view.get("title") or {}).get("text", "")
        return Panel(Group(*parts), title=f"🗔 {title}", title_align="left", border_style="magenta")

    def _field(self, number: int, block: dict[str, Any]) -> RenderableType:
        element, block_id = block["element"], str(block.get("block_id", ""))
        label = (block.get("label") or {}).get("text", "")
        line = Text(f"[{number}] ", style="magenta").append(label, style="bold")
        if block.get("optional"):
            line.append(" (optional)", style="dim")
        line.append(": ")
        typed = self.values.get(block_id)
        line.append(typed if typed is not None else self._placeholder(element), style="" if typed else "dim")
        rows: list[RenderableType] = [line]
        listed = options(element)
        if listed:
            rows.append(Text("    " + "  ".join(f"{i}. {o['text']['text']}" for i, o in enumerate(listed, 1)),
                             style="dim"))
        if block.get("hint"):
            rows.append(Text("    " + block["hint"]["text"], style="dim"))
        if block_id in self.errors:
            rows.append(Text(f"    ⚠ {self.errors[block_id]}", style="bold red"))
        return Group(*rows)

    def _placeholder(self, element: dict[str, Any]) -> str:
        kind = element.get("type", "")
        shown = (element.get("placeholder") or {}).get("text") or PICKERS.get(kind) or (
            "choose one" if options(element) else "text")
        bounds = [element.get(k) for k in ("min_value", "max_value")]
        if kind == "number_input" and all(bounds):
            shown += f" from {bounds[0]} to {bounds[1]}"
        initial = element.get("initial_value") or (element.get("initial_option") or {}).get("value")
        return f"({shown}{f', {initial} unless you change it' if initial else ''})"

    def _fingerprint(self, view: dict[str, Any] | None) -> str:
        if view is None:
            return "" if self.view_id is None else "closed"
        return json.dumps([view["id"], view["hash"], view.get("title"), view.get("blocks"), self.values, self.errors],
                          sort_keys=True, default=str)
