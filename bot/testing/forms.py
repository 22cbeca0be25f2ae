"""The test kit's acts for modals: Sloth's menu of commands, a command's form, a global shortcut.

    form = await sloth.open_form("history")                 # /sloth, then `history` picked in the menu
    answer = await sloth.submit_view(form, {"channel": "#random", "count": "5"})
    assert answer.ack is None and "Deep question" in answer.text   # closed, and answered as typed

    answer = await sloth.submit_view(form, {"channel": "#random", "count": "0"})
    assert answer.ack == {"response_action": "errors", "errors": {"count": "count should be between 1 and 200."}}

Inputs are filled by `block_id` (a generated form's are the command's parameter names) or by
`action_id`: text as a string, a member picker `@handle` or an ID, a conversation picker
`#name` or an ID, a menu the option's value. The emulator refuses what a member could not
submit (a required input left blank, an option the menu lacks); `slack.forge_submission`
sends such things on purpose.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sloth_emulator import Answer, Emulator
from sloth_emulator.answers import changes, snapshot
from sloth_emulator.delivery import Delivery

USER_PICKERS = ("users_select", "multi_users_select")
CONVERSATION_PICKERS = ("conversations_select", "multi_conversations_select", "channels_select",
                        "multi_channels_select")


class FormActs:
    """Mixed into `bot.testing.Sloth`."""

    emulator: Emulator

    async def settle(self) -> None:
        raise NotImplementedError

    async def open_form(self, command: str | None = None, user: str | None = None,
                        channel: str | None = None) -> Answer:
        """`/sloth` alone, as `user` in `channel` (default: the first member, #general): the Answer
        holds the menu of commands (`answer.view`). With `command`, that command is picked and the
        menu submitted too: the Answer holds the command's form, or, for a command with nothing to
        fill in, what the command answered."""
        menu = await self._acted(lambda: self.emulator.slash_command(text="", user=user, channel=channel))
        if command is None:
            return menu
        return await self.submit_view(menu, {"command": command}, user=user)

    async def submit_view(self, view: Answer | dict[str, Any] | str, values: dict[str, Any] | None = None,
                          user: str | None = None) -> Answer:
        """Fill the open modal (an Answer holding it, the view, or its ID) with `values` and submit it
        as `user` (default: the member it is open for), then wait until Sloth has handled it. The
        Answer's `ack` is the ack's payload: `{"response_action": "errors", "errors": {field:
        message}}` for bad values (the modal stays open), the next view for `update` (also in
        `views`), None when the modal closed; its `posts` what the command answered."""
        view_id = view.view["id"] if isinstance(view, Answer) else view["id"] if isinstance(view, dict) else view
        stored = self.emulator.workspace.views.get(view_id)
        filled = self._resolved(stored or {}, values or {})
        return await self._acted(lambda: self.emulator.submit_view(view_id, filled, user))

    async def shortcut(self, callback_id: str = "sloth", user: str | None = None) -> Answer:
        """Run a global shortcut as `user`: by default Sloth's own "Sloth…", which opens the menu of
        commands (answered in the member's DM with Sloth, as a shortcut has no channel)."""
        return await self._acted(lambda: self.emulator.global_shortcut(callback_id, user))

    async def close_view(self, view: Answer | dict[str, Any] | str, user: str | None = None) -> None:
        """The member closes the modal (Cancel, or the X); Sloth hears of it if the view asked."""
        view_id = view.view["id"] if isinstance(view, Answer) else view["id"] if isinstance(view, dict) else view
        delivery = await self.emulator.close_view(view_id, user)
        if delivery is not None:
            await delivery.acked()
        await self.settle()

    async def _acted(self, act: Callable[[], Awaitable[Delivery]]) -> Answer:
        before = snapshot(self.emulator)
        delivery = await act()
        frame = await delivery.acked()
        await self.settle()
        return changes(self.emulator, before, frame.get("payload") or None)

    def _resolved(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """`@handle` and `#name` given to member and conversation pickers, as the IDs Slack sends."""
        kinds = {}
        for block in view.get("blocks", []):
            element = block.get("element") if block.get("type") == "input" else None
            if isinstance(element, dict):
                kinds[block.get("block_id")] = kinds[element.get("action_id")] = element.get("type")
        return {key: self._id(kinds.get(key), value) for key, value in values.items()}

    def _id(self, kind: str | None, value: Any) -> Any:
        if isinstance(value, list):
            return [self._id(kind, v) for v in value]
        ws = self.emulator.workspace
        if kind in USER_PICKERS and isinstance(value, str) and value.startswith("@"):
            found = next((u for u in ws.users.values() if u.name == value[1:]), None)
            if found is None:
                raise ValueError(f"no member {value}")
            return found.id
        if kind in CONVERSATION_PICKERS and isinstance(value, str) and value.startswith("#"):
            channel = ws.channel(value[1:])
            if channel is None:
                raise ValueError(f"no channel {value}")
            return channel.id
        return value
