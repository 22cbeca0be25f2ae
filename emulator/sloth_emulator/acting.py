"""Acting as Slack's members: the raw envelopes (`slash_command`, `user_message`, `send_event`,
`click`, `submit_view`, `global_shortcut`, `close_view`, each returning the Delivery as sent) and
the same acts that wait for the app's answer (`command`, `mention`, `dm`, `event`, `press`,
`submit`, `shortcut`, each returning an Answer). `forge_submission` sends what Slack never would,
for testing an app's defences.

An answer is awaited in two steps: the ack (Slack gives an app 3 seconds), then the first thing
the app shows: a message posted, changed or deleted, a view opened or updated, or a payload in
the ack itself. A view closing is not an answer (a bare ack to a submission closes it), so a
submission the app only closes is done with `submit_view` and checked with `views()`. Both
waits end on the emulator's own change signal, never on a sleep. An app that answers in
several steps: read the rest with `wait_for` or `posts()`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sloth_emulator import modals, payloads
from sloth_emulator.answers import Answer, Posted, changes, snapshot
from sloth_emulator.delivery import Delivery
from sloth_emulator.model import Channel, User
from sloth_emulator.responses import ResponseUrls
from sloth_emulator.shapes import message_out
from sloth_emulator.socket import SocketHub
from sloth_emulator.triggers import Triggers
from sloth_emulator.workspace import Workspace

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

T = TypeVar("T")
ANSWER_TIMEOUT = 5.0


class ActingAsMembers:
    app_manifest: dict[str, Any]
    workspace: Workspace
    hub: SocketHub
    triggers: Triggers
    response_urls: ResponseUrls
    # From HttpDelivery (sloth_emulator.controls), later in the emulator's bases: declared, not defined.
    request_url: str | None
    deliver: Callable[..., Coroutine[Any, Any, Delivery]]

    @property
    def base_url(self) -> str:
        raise NotImplementedError

    @property
    def bot_user_id(self) -> str:
        raise NotImplementedError

    def changed(self) -> None:
        raise NotImplementedError

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        raise NotImplementedError

    async def wait_connected(self, n: int = 1, timeout: float = 5.0) -> int:  # noqa: ASYNC109
        raise NotImplementedError

    def _user(self, ref: str | None) -> User:
        raise NotImplementedError

    def _channel(self, ref: str | None) -> Channel:
        raise NotImplementedError

    # -- raw: the envelope, as sent --------------------------------------------------------

    async def slash_command(self, text: str = "", user: str | None = None, channel: str | None = None,
                            command: str = "/sloth", connection_id: int | None = None) -> Delivery:
        """A member runs `command text`; on connection `connection_id` (a retiring one too) when given."""
        who, where = self._user(user), self._channel(channel)
        target = self.response_urls.issue("command", where.id, who.id)
        payload = payloads.slash_payload(self.workspace, command=command, text=text, user=who, channel=where,
                                         response_url=target.url, trigger_id=self.triggers.issue(who.id))
        return await self.deliver("slash_commands", payload, connection_id)

    async def user_message(self, user: str | None = None, channel: str | None = None, text: str = "",
                           thread_ts: str | None = None) -> Delivery:
        """Post as a person and send the events: `message`, plus `app_mention` if the bot is mentioned
        outside an IM. Returns the app_mention delivery when there is one, else the message's."""
        who, where = self._user(user), self._channel(channel)
        parent = where.messages.get(thread_ts) if thread_ts else None
        if thread_ts and parent is None:
            raise ValueError(f"no message {thread_ts} in {where.id} to reply to")
        stored = self.workspace.post(where, payloads.user_message(self.workspace, who, text),
                                     thread_ts=str(parent.get("thread_ts", parent["ts"])) if parent else None)
        self.changed()
        delivery = await self.send_event(payloads.message_event(stored, where))
        if not where.is_im and re.search(rf"<@{self.bot_user_id}(\|[^>]*)?>", text):
            delivery = await self.send_event(payloads.message_event(stored, where, "app_mention"))
        return delivery

    async def send_event(self, event: dict[str, Any], connection_id: int | None = None) -> Delivery:
        """Deliver an event; on connection `connection_id` (see hub.connections) when given."""
        return await self.deliver("events_api", payloads.event_callback(self.workspace, dict(event)),
                                      connection_id)

    def announce(self, event: dict[str, Any]) -> None:
        """Send an event about something a Web API call just did, once the call has answered
        (only while the emulator runs: without a loop there is no socket to send it on)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.hub.spawn(self.send_event(event))

    async def click(self, channel: str, ts: str, action_id: str, user: str | None = None,
                    value: str | None = None) -> Delivery:
        """A button (or select) press on a stored message, regular or ephemeral; ValueError if absent."""
        where = self._channel(channel)
        message = where.messages.get(ts)
        ephemeral = None if message else next(
            (m for m in self.workspace.ephemerals if m["ts"] == ts and m["channel"] == where.id), None)
        if message is None and ephemeral is None:
            raise ValueError(f"no message {ts} in {where.id}")
        original = message if message is not None else ephemeral
        assert original is not None
        who = self._user(user or (ephemeral["recipient"] if ephemeral else None))
        element, block_id, attachment_id = payloads.find_action(original, action_id)
        action = payloads.action_from(element, block_id, value)
        target = self.response_urls.issue("click", where.id, who.id, message_ts=ts, is_ephemeral=message is None)
        payload = payloads.block_actions_payload(
            self.workspace, user=who, channel=where, message=message_out(original, self.workspace, self.base_url),
            is_ephemeral=message is None, action=action, attachment_id=attachment_id, response_url=target.url,
            trigger_id=self.triggers.issue(who.id))
        return await self.deliver("interactive", payload)

    async def submit_view(self, view_id: str, values: dict[str, Any] | None = None,
                          user: str | None = None) -> Delivery:
        """The member the modal `view_id` is open for (or `user`) fills its inputs with `values`
        (by block_id or action_id; see sloth_emulator.modals) and presses its submit button."""
        stored = modals.open_modal(self.workspace, view_id)
        if "submit" not in stored:
            raise ValueError(f"the modal {view_id} has no submit button")
        filled = {**stored, "state": modals.submitted_state(stored, values or {})}
        who = self._user(user or stored["user"])
        payload = modals.submission_payload(self.workspace, filled, who, self.triggers.issue(who.id))
        return await self.deliver("interactive", payload)

    async def global_shortcut(self, callback_id: str, user: str | None = None) -> Delivery:
        """A member runs the app's global shortcut `callback_id`; ValueError unless the app's
        manifest (`app_manifest`, `features.shortcuts`) declares it, as Slack offers no other."""
        features = self.app_manifest.get("features") or {}
        declared = {s.get("callback_id") for s in features.get("shortcuts") or [] if s.get("type") == "global"}
        if callback_id not in declared:
            raise ValueError(f"the app's manifest declares no global shortcut {callback_id!r} (declared: "
                             f"{sorted(str(d) for d in declared)}); set app_manifest['features']['shortcuts']")
        who = self._user(user)
        payload = payloads.shortcut_payload(self.workspace, callback_id=callback_id, user=who,
                                            trigger_id=self.triggers.issue(who.id))
        return await self.deliver("interactive", payload)

    async def close_view(self, view_id: str, user: str | None = None) -> Delivery | None:
        """The member closes the open modal `view_id` (its close button or the X): it goes (with
        its whole stack under `clear_on_close`), and the app gets `view_closed` if it asked with
        `notify_on_close`; that Delivery, or None."""
        stored, cleared = modals.close(self.workspace, view_id)
        self.changed()
        if not stored.get("notify_on_close"):
            return None
        who = self._user(user or stored["user"])
        return await self.deliver("interactive", modals.closed_payload(self.workspace, stored, who, cleared))

    async def forge_submission(self, view_id: str, values: dict[str, Any] | None = None, *, user: str | None = None,
                               private_metadata: str | None = None) -> Delivery:
        """A `view_submission` of the open modal `view_id` that Slack would never send: from `user`
        (not only the member it is open for), with `private_metadata` changed, values no member
        could pick or blanks where they are required. For testing what an app refuses."""
        stored = modals.open_modal(self.workspace, view_id)
        filled = {**stored, "state": modals.submitted_state(stored, values or {}, strict=False)}
        if private_metadata is not None:
            filled["private_metadata"] = private_metadata
        who = self._user(user or stored["user"])
        payload = modals.submission_payload(self.workspace, filled, who, self.triggers.issue(who.id))
        return await self.deliver("interactive", payload)

    # -- answered: the act, then what the app said ------------------------------------------

    async def command(self, line: str, user: str | None = None, channel: str | None = None,
                      timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """A member types `line` (`/deploy api now`) in `channel` (default #general)."""
        command, _, text = line.strip().partition(" ")
        if not command.startswith("/") or len(command) < 2:
            raise ValueError(f"a slash command starts with '/', not {line!r}")
        return await self.answered(self.slash_command(text.strip(), user, channel, command=command), timeout)

    async def mention(self, text: str, user: str | None = None, channel: str | None = None,
                      thread: str | None = None, timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """`@app text` posted in `channel` (or in the thread of the message `thread`)."""
        said = f"<@{self.bot_user_id}> {text}"
        return await self.answered(self.user_message(user, channel, said, thread_ts=thread), timeout)

    async def dm(self, text: str, user: str | None = None, timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """`text` sent to the app in a direct message by `user`."""
        who = self._user(user)
        im, _ = self.workspace.open_im(self.bot_user_id, who.id)
        return await self.answered(self.user_message(who.id, im.id, text), timeout)

    async def event(self, event: dict[str, Any], timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """An Events API event (`{"type": "reaction_added", …}`), wrapped as Slack wraps it."""
        return await self.answered(self.send_event(event), timeout)

    async def press(self, where: Answer | Posted, action_id: str, user: str | None = None,
                    value: str | None = None, timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """Press the button (or pick the option `value` of the select) `action_id` of a message the
        app posted, as `user` (default: whoever saw it, for an ephemeral one)."""
        post = where.with_button(action_id) if isinstance(where, Answer) else where
        return await self.answered(
            self.click(post.channel, post.ts, action_id, user=user or post.ephemeral_to, value=value), timeout)

    async def submit(self, view: str | dict[str, Any] | Answer, values: dict[str, Any] | None = None,
                     user: str | None = None, timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """Submit a modal the app opened (its ID, the view, or the Answer that opened it)."""
        view_id = view.view["id"] if isinstance(view, Answer) else view["id"] if isinstance(view, dict) else view
        return await self.answered(self.submit_view(view_id, values, user), timeout)

    async def shortcut(self, callback_id: str, user: str | None = None,
                       timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """Run the app's global shortcut `callback_id` as `user` (see `global_shortcut`)."""
        return await self.answered(self.global_shortcut(callback_id, user), timeout)

    async def answered(self, act: Coroutine[Any, Any, Delivery],
                       timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """Do `act` once the app's socket is connected (in HTTP mode at once), wait for its ack and
        then for the first thing the app shows; AssertionError (saying which) when one does not
        come in `timeout` s."""
        emu = cast("Emulator", self)
        try:
            if self.request_url is None:
                await self.wait_connected(1, timeout)
        except TimeoutError:
            act.close()
            raise AssertionError(f"the app opened no Socket Mode connection within {timeout} s: is its handler "
                                 "connected, with the emulator's app token and its client's base_url?") from None
        before = snapshot(emu)
        delivery = await act
        try:
            frame = await delivery.acked(timeout)
        except TimeoutError:
            raise AssertionError(f"the app did not ack {_what(delivery)} within {timeout} s (Slack would "
                                 "tell the member it failed)") from None
        ack = frame.get("payload") or None
        try:
            await self.wait_for(lambda: ack or changes(emu, before), timeout)
        except TimeoutError:
            raise AssertionError(f"the app acked {_what(delivery)} but showed nothing within {timeout} s; to act "
                                 "without waiting for an answer, use slash_command, user_message, send_event, "
                                 "click or submit_view") from None
        return changes(emu, before, ack)


def _what(delivery: Delivery) -> str:
    payload = delivery.payload
    if delivery.type == "slash_commands":
        return f"the command {payload.get('command')} {payload.get('text', '')}".rstrip()
    if delivery.type == "events_api":
        return f"the {payload.get('event', {}).get('type')} event"
    return f"the {payload.get('type')} interaction"
