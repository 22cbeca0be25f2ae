"""`not_in_channel`, answered with an offer: a button that joins the channel and runs the command again.

A handler raises `NotInChannel` (or calls `raise_if_not_in` on Slack's error); dispatch answers
with the offer, and the button (handled in `bot.runtime.core_feature`) joins and runs the same line again.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.features.invocation import Invocation
from bot.features.rerun import rerun_value
from bot.pure.blocks import Reply, actions, button, section
from bot.pure.errors import UserError
from bot.pure.text import escape

JOIN_ACTION = "sloth_join_retry"


class NotInChannel(UserError):
    """Sloth is not a member of the public channel `channel_id`; the user is offered to let it join."""

    def __init__(self, channel_id: str, name: str, doing: str = "do that there") -> None:
        super().__init__(f"I'm not a member of #{escape(name)}.")
        self.channel_id = channel_id
        self.name = name
        self.doing = doing


def raise_if_not_in(error: SlackApiError, channel: dict[str, object]) -> None:
    """Turn Slack's not_in_channel for `channel` into NotInChannel; other errors pass through."""
    if error.response.get("error") == "not_in_channel":
        raise NotInChannel(str(channel["id"]), str(channel.get("name") or channel["id"])) from error


def join_offer(inv: Invocation, error: NotInChannel) -> Reply:
    name = escape(error.name)
    text = f"I'm not in #{name} yet, so I can't {error.doing}. Shall I join it?"
    value = rerun_value(inv.line, ch=error.channel_id)
    blocks = [section(text), actions(button(f"Join #{name[:50]} and try again", JOIN_ACTION, value, style="primary"))]
    return Reply(text=text, blocks=blocks, ephemeral=True, replace=False)
