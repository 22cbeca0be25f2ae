"""The two shapes a request takes once it reaches a feature: an `Invocation` or a `Click`.

Slash commands, @mentions, DMs, submitted forms, message shortcuts that run a command and
workflow steps become one frozen `Invocation`; button presses become a `Click`. Both are plain
data, built by `bot.handling` from Slack's payloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

# "shortcut": a message shortcut ran it (answered to the member alone, in that channel); "step": a
# Workflow Builder step ran it for the member who runs the workflow (its channel is their DM with Sloth);
# "tool": a model or an MCP client ran it as a tool for the member (`bot.agent.tools`), whose caller
# reads the reply instead of Slack.
Source = Literal["slash", "mention", "dm", "button", "shortcut", "step", "tool"]


@dataclass(frozen=True)
class Invocation:
    """One request to run a command, whatever way it arrived."""

    name: str
    args: str
    user: str
    channel: str
    source: Source
    thread: str | None = None
    team: str | None = None
    ts: str | None = None  # the asking message (mentions and DMs), to answer in its thread
    response_url: str | None = None
    trigger_id: str | None = None
    page: int = 0
    # A submitted form's values by parameter name (escaped as Slack escapes typed text), parsed
    # instead of `args`; `args` then spells them as a line, for logs and the guard.
    fields: tuple[tuple[str, str], ...] | None = None

    @property
    def line(self) -> str:
        return f"{self.name} {self.args}".strip()


@dataclass(frozen=True)
class Click:
    """A button press, as feature handlers see it. `value` is always a string (forged or odd
    payloads are refused before a handler runs)."""

    action_id: str
    value: str
    user: str
    channel: str
    message_ts: str | None
    response_url: str | None
    is_ephemeral: bool
    message: dict[str, Any] | None
    trigger_id: str | None = None

    def invocation(self, name: str, args: str = "", page: int = 0) -> Invocation:
        """The command `name args` as run by whoever pressed, answered where the button was."""
        return Invocation(
            name=name, args=args, user=self.user, channel=self.channel, source="button",
            response_url=self.response_url, trigger_id=self.trigger_id, page=page,
        )
