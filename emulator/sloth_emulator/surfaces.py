"""Acting on the app's other surfaces: its Home tab, buttons in a view, message shortcuts and
workflow steps, each as Slack offers them only when the app's manifest declares them.

Raw acts return the Delivery as sent: `open_home` (`app_home_opened`), `click_view` (a button in
a Home tab or a modal), `use_message_shortcut` (`message_action`), `run_step`
(`function_executed`; the run is `executions[id]`). Answered acts wait for the ack and for what
the app shows (an Answer), or, for a step, until the app ends it: `home`, `message_shortcut`,
`step` (an Execution: `status`, `outputs`, `error`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sloth_emulator import functions, payloads
from sloth_emulator.acting import ActingAsMembers
from sloth_emulator.answers import Answer, Posted
from sloth_emulator.delivery import Delivery
from sloth_emulator.functions import Execution
from sloth_emulator.ids import new_id
from sloth_emulator.shapes import message_out
from sloth_emulator.tokens import Tokens

if TYPE_CHECKING:
    pass

T = TypeVar("T")
STEP_TIMEOUT = 5.0


class ActingOnSurfaces(ActingAsMembers):
    """The member acts beyond messages and slash commands; finds members and channels, waits for
    answers and delivers as `ActingAsMembers` does."""

    tokens: Tokens
    executions: dict[str, Execution]
    bot_token: str
    clock: Callable[[], float]

    # -- raw -------------------------------------------------------------------------------

    async def open_home(self, user: str | None = None, tab: str = "home") -> Delivery:
        """A member opens the app's Home tab (or its Messages tab): `app_home_opened`, with the Home
        view published for them so far. ValueError when the app's settings have that tab off."""
        app_home = (self.app_manifest.get("features") or {}).get("app_home") or {}
        if not app_home.get(f"{tab}_tab_enabled"):
            raise ValueError(f"the app's manifest has no {tab} tab (features.app_home.{tab}_tab_enabled)")
        who = self._user(user)
        dm, _ = self.workspace.open_im(self.bot_user_id, who.id)
        home = next(({k: v for k, v in view.items() if k != "user"} for view in self.workspace.views.values()
                     if view["user"] == who.id and view["type"] == "home"), None)
        return await self.send_event(payloads.home_opened_event(self.workspace, who, dm, tab, home))

    def _agent_view(self) -> None:
        features = self.app_manifest.get("features") or {}
        if not (features.get("assistant_view") or features.get("agent_view")):
            raise ValueError("the app's manifest has no agent view (features.assistant_view or agent_view), so "
                             "Slack offers no agent thread")

    async def open_assistant_thread(self, user: str | None = None,
                                    context_channel: str | None = None) -> tuple[str, str, Delivery]:
        """A member starts a conversation with the app as an agent (its Messages tab or split view):
        a new thread in their DM with the app and `assistant_thread_started`. Returns (dm channel,
        thread_ts, delivery). Slack starts the thread with a message of the app's whose exact shape
        is unpublished; the emulator stores a plain one from the bot (subtype assistant_app_thread)."""
        self._agent_view()
        who = self._user(user)
        dm, _ = self.workspace.open_im(self.bot_user_id, who.id)
        ws = self.workspace
        root = ws.post(dm, {"user": ws.bot_user_id, "bot_id": ws.bot_id, "app_id": ws.app_id, "text": "",
                            "subtype": "assistant_app_thread", "team": ws.team.id})
        self.changed()
        event = payloads.assistant_thread_event(ws, "assistant_thread_started", who, dm, root["ts"], context_channel)
        return dm.id, root["ts"], await self.send_event(event)

    async def change_assistant_context(self, dm: str, thread_ts: str, context_channel: str,
                                       user: str | None = None) -> Delivery:
        """The member moves to `context_channel` with the agent thread open:
        `assistant_thread_context_changed`."""
        self._agent_view()
        where = self._channel(dm)
        if thread_ts not in where.messages:
            raise ValueError(f"no thread {thread_ts} in {dm}")
        event = payloads.assistant_thread_event(self.workspace, "assistant_thread_context_changed",
                                                self._user(user), where, thread_ts, context_channel)
        return await self.send_event(event)

    async def click_view(self, view_id: str, action_id: str, user: str | None = None,
                         value: str | None = None) -> Delivery:
        """Press the button (or pick the option `value`) `action_id` in the open view `view_id`, as
        the member it is open for; ValueError when there is no such view or element."""
        stored = self.workspace.views.get(view_id)
        if stored is None:
            raise ValueError(f"no open view {view_id}")
        element, block_id, _ = payloads.find_action({"blocks": stored.get("blocks", []), "ts": view_id}, action_id)
        action = payloads.action_from(element, block_id, value)
        who = self._user(user or stored["user"])
        shown = {k: v for k, v in stored.items() if k != "user"}
        payload = payloads.view_actions_payload(self.workspace, user=who, view=shown, action=action,
                                                trigger_id=self.triggers.issue(who.id))
        return await self.deliver("interactive", payload)

    async def use_message_shortcut(self, callback_id: str, channel: str, ts: str,
                                   user: str | None = None) -> Delivery:
        """A member uses the app's message shortcut `callback_id` on the message `ts` of `channel`.
        ValueError unless the manifest declares it, or when the member cannot see the message."""
        declared = {s.get("callback_id") for s in (self.app_manifest.get("features") or {}).get("shortcuts") or []
                    if s.get("type") == "message"}
        if callback_id not in declared:
            raise ValueError(f"the app's manifest declares no message shortcut {callback_id!r} (declared: "
                             f"{sorted(str(d) for d in declared)}); set app_manifest['features']['shortcuts']")
        who, where = self._user(user), self._channel(channel)
        message = where.messages.get(ts)
        if message is None:
            raise ValueError(f"no message {ts} in {where.id}")
        if (where.is_private or where.is_im or where.is_mpim) and who.id not in where.members:
            raise ValueError(f"{who.name} cannot see {where.id}, so they cannot use a shortcut on its messages")
        target = self.response_urls.issue("shortcut", where.id, who.id)
        payload = payloads.message_action_payload(
            self.workspace, callback_id=callback_id, user=who, channel=where,
            message=message_out(message, self.workspace, self.base_url), response_url=target.url,
            trigger_id=self.triggers.issue(who.id))
        return await self.deliver("interactive", payload)

    async def run_step(self, callback_id: str, inputs: dict[str, Any] | None = None,
                       user: str | None = None) -> Delivery:
        """A workflow reaches the app's step `callback_id` with `inputs` (IDs for members and
        channels), run by `user` (who fills its `interactivity` input; None: a workflow nobody ran,
        such as a scheduled one). The run is `executions[delivery's function_execution_id]`."""
        definition = functions.declared(self.app_manifest, callback_id)
        who = self._user(user).id if user is not None else None
        filled = functions.filled_inputs(definition, inputs or {}, who)
        scopes = self.tokens.get(self.bot_token)
        token = self.tokens.issue_for_execution(self.bot_user_id, scopes.scopes if scopes else None)
        execution = Execution(new_id("Fx", 10), callback_id, who or "", filled, token)
        self.executions[execution.id] = execution
        event = functions.executed_event(self.workspace, execution, definition, _function_id(callback_id),
                                         self.clock())
        self.changed()
        return await self.send_event(event)

    # -- answered --------------------------------------------------------------------------

    async def home(self, user: str | None = None, timeout: float = 5.0) -> Answer:  # noqa: ASYNC109
        """The member opens the Home tab; the Answer holds what the app published (`answer.view`)."""
        return await self.answered(self.open_home(user), timeout)

    async def message_shortcut(self, callback_id: str, where: Answer | Posted | tuple[str, str],
                               user: str | None = None, timeout: float = 5.0) -> Answer:  # noqa: ASYNC109
        """Use the message shortcut on a message: one the app posted (an Answer's last post, a
        Posted) or any, given as (channel, ts)."""
        channel, ts = _message_of(where)
        return await self.answered(self.use_message_shortcut(callback_id, channel, ts, user), timeout)

    async def step(self, callback_id: str, inputs: dict[str, Any] | None = None, user: str | None = None,
                   timeout: float = STEP_TIMEOUT) -> Execution:  # noqa: ASYNC109
        """Run the step as `user` and wait until the app ends it (AssertionError if it does not)."""
        delivery = await self.run_step(callback_id, inputs, user)
        execution = self.executions[delivery.payload["event"]["function_execution_id"]]
        try:
            await self.wait_for(lambda: execution.done, timeout)
        except TimeoutError:
            raise AssertionError(f"the app did not end the step {callback_id!r} within {timeout} s (Slack would "
                                 "show the workflow's step as still running)") from None
        return execution


def _message_of(where: Answer | Posted | tuple[str, str]) -> tuple[str, str]:
    if isinstance(where, tuple):
        return where
    post = where if isinstance(where, Posted) else where.posts[-1]
    return post.channel, post.ts


def _function_id(callback_id: str) -> str:
    """A stable function ID per step, as Slack keeps one per declared function."""
    digits = "".join(ch for ch in callback_id.upper() if ch.isalnum())[:10]
    return "Fn" + digits.ljust(10, "0")
