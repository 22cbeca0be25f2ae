"""What a feature declares for Slack's other surfaces: a section of each member's Home tab and
message shortcuts (a command that is also a Workflow Builder step says so with `Step`, beside
`Command` in `bot.features.router`). Plain data, no Slack.

    @router.home
    async def my_section(ctx: Context, member: str) -> list[dict[str, Any]]: ...    # blocks, or []

    @router.message_shortcut("kudos_message", "Give kudos for this")
    async def on_message(ctx: Context, shortcut: MessageShortcut) -> Reply | None: ...

    @router.command("kudos", "…", Param("who", "user"), step=Step(outputs=(Param("total", "int"),)))
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config.limits import Limit
from bot.features.invocation import Invocation

if TYPE_CHECKING:
    from bot.features.context import Context
    from bot.pure.blocks import Reply

# A member's part of the Home tab: the blocks for `member` (an empty list shows nothing).
HomeSection = Callable[["Context", str], "Awaitable[list[dict[str, Any]]] | list[dict[str, Any]]"]
ShortcutHandler = Callable[["Context", "MessageShortcut"], "Awaitable[Reply | None] | Reply | None"]
# Slack's callback_ids: at most 255 characters; Sloth keeps to letters, digits, `_`, `-` and `.`.
CALLBACK_ID = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
# The global shortcut "Sloth…", which opens the menu of commands (bot.handling.forms): its callback_id.
MENU_SHORTCUT = "sloth"


@dataclass(frozen=True)
class MessageShortcut:
    """A member used one of the feature's message shortcuts on a message they can see.

    `message` is the message as Slack sent it (someone else's words: input to the guard);
    `thread` is the thread it is in (its own ts when it starts none or is a thread's parent).
    The answer goes to the member alone, in the message's channel (`response_url`)."""

    callback_id: str
    user: str
    channel: str
    message_ts: str
    message: dict[str, Any]
    response_url: str | None = None
    trigger_id: str | None = None
    team: str | None = None

    @property
    def thread(self) -> str:
        return str(self.message.get("thread_ts") or self.message_ts)

    @property
    def text(self) -> str:
        return str(self.message.get("text") or "")

    def invocation(self, name: str, args: str = "") -> Invocation:
        """The command `name args` run by the member who used the shortcut, answered to them alone
        in the message's channel."""
        return Invocation(name=name, args=args, user=self.user, channel=self.channel, source="shortcut",
                          team=self.team, response_url=self.response_url, trigger_id=self.trigger_id)


@dataclass(frozen=True)
class ShortcutDeclaration:
    callback_id: str
    name: str  # what members see in the message's menu
    handler: ShortcutHandler
    description: str = ""
    # Per-member limit, as a command's (`limit=`); SLOTH_LIMITS changes it by the callback_id.
    limit: Limit | None = None


def callback_problem(callback_id: str) -> str | None:
    if not CALLBACK_ID.match(callback_id):
        return "is not a callback_id (1 to 255 letters, digits, `_`, `-` or `.`)"
    if callback_id == MENU_SHORTCUT:
        return "is the callback_id of Sloth's own shortcut"
    return None


def step_callback_id(command: str) -> str:
    """The callback_id of a command's step in the manifest's `functions`: its name, in the letters,
    digits and underscores a function's callback_id is made of."""
    return re.sub(r"[^A-Za-z0-9_]", "_", command)
