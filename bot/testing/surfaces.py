"""The test kit's acts for the Home tab, message shortcuts and workflow steps.

    home = await sloth.home("amelia")                       # she opens the Home tab: home.view
    answer = await sloth.click(home, "sloth_home:run:runs")   # a button of it (answered in her DM)
    answer = await sloth.message_shortcut("export_thread", post, user="amelia")
    run = await sloth.step("say", {"channel": "#random", "message": "Hi"}, user="amelia")
    assert run.status == "completed" and run.outputs["text"].startswith("Posted")

A step's inputs are given by parameter name: a member as `@handle` or an ID, a channel as
`#name` or an ID, a number as a number. The member it runs as fills its `interactivity` input,
as Slack does for whoever runs the workflow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.features.surfaces import step_callback_id
from sloth_emulator import Answer, Emulator, Posted
from sloth_emulator.answers import changes, snapshot
from sloth_emulator.delivery import Delivery
from sloth_emulator.functions import declared


@dataclass(frozen=True)
class StepRun:
    """How a workflow step Sloth ran ended: `status` ("completed" or "failed"), the `outputs` it
    handed the workflow, the `error` the member was shown, and what Sloth showed in Slack meanwhile."""

    status: str
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    answer: Answer = field(default_factory=Answer)


class SurfaceActs:
    """Mixed into `bot.testing.Sloth`."""

    emulator: Emulator

    async def settle(self) -> None:
        raise NotImplementedError

    async def home(self, user: str | None = None) -> Answer:
        """`user` (default: the first member) opens Sloth's Home tab; `answer.view` is the tab as
        Sloth drew it for them."""
        return await self._surface_act(lambda: self.emulator.open_home(user))

    async def message_shortcut(self, callback_id: str, where: Answer | Posted | tuple[str, str],
                               user: str | None = None) -> Answer:
        """`user` uses the message shortcut `callback_id` on a message: one Sloth posted (an Answer's
        last post, or a Posted) or any, as (channel name or ID, ts)."""
        if isinstance(where, tuple):
            channel, ts = where
        else:
            post = where if isinstance(where, Posted) else where.posts[-1]
            channel, ts = post.channel, post.ts
        return await self._surface_act(lambda: self.emulator.use_message_shortcut(callback_id, channel, ts, user))

    async def step(self, name: str, inputs: dict[str, Any] | None = None, user: str | None = None) -> StepRun:
        """The workflow step of the command `name` runs for `user` (default: the first member),
        with `inputs` by parameter name; returns once Sloth has ended it."""
        callback_id = step_callback_id(name)
        resolved = self._step_inputs(callback_id, inputs or {})
        before = snapshot(self.emulator)
        run = await self.emulator.step(callback_id, resolved, user or self.emulator.workspace.first_human().id)
        await self.settle()
        return StepRun(run.status, dict(run.outputs or {}), run.error, changes(self.emulator, before))

    async def click_view(self, view: Answer | dict[str, Any], action_id: str, user: str | None = None,
                         value: str | None = None) -> Answer:
        """Press the button `action_id` in a view Sloth drew (a Home tab, a modal)."""
        shown = view if isinstance(view, dict) else next(
            (v for v in view.views if action_id in str(v.get("blocks"))), view.view)
        return await self._surface_act(lambda: self.emulator.click_view(shown["id"], action_id, user, value))

    async def _surface_act(self, act: Callable[[], Awaitable[Delivery]]) -> Answer:
        before = snapshot(self.emulator)
        delivery = await act()
        await delivery.acked()
        await self.settle()
        return changes(self.emulator, before)

    def _step_inputs(self, callback_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        types = {name: spec.get("type") for name, spec in
                 (declared(self.emulator.app_manifest, callback_id).get("input_parameters") or {}).items()}
        ws = self.emulator.workspace
        resolved = {}
        for name, value in inputs.items():
            if types.get(name) == "slack#/types/user_id" and isinstance(value, str) and value.startswith("@"):
                found = next((u for u in ws.users.values() if u.name == value[1:]), None)
                if found is None:
                    raise ValueError(f"no member {value}")
                value = found.id
            elif types.get(name) == "slack#/types/channel_id" and isinstance(value, str) and value.startswith("#"):
                channel = ws.channel(value[1:])
                if channel is None:
                    raise ValueError(f"no channel {value}")
                value = channel.id
            resolved[name] = value
        return resolved
