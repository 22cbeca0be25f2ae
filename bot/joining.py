"""`not_in_channel`, answered with an offer: a button that joins the channel and runs the command again."""

from __future__ import annotations

import json

from slack_sdk.errors import SlackApiError

from bot.errors import UserError
from bot.reply import Reply, actions, button, section
from bot.router import Invocation

JOIN_ACTION = "sloth_join_retry"


class NotInChannel(UserError):
    """Slack said Sloth is not a member of `channel_id`; the user is offered to let it join."""

    def __init__(self, channel_id: str, name: str) -> None:
        super().__init__(f"I'm not a member of #{name}.")
        self.channel_id = channel_id
        self.name = name


def raise_if_not_in(error: SlackApiError, channel: dict[str, object]) -> None:
    """Turn Slack's not_in_channel for `channel` into NotInChannel; other errors pass through."""
    if error.response.get("error") == "not_in_channel":
        raise NotInChannel(str(channel["id"]), str(channel.get("name") or channel["id"])) from error


def join_offer(inv: Invocation, error: NotInChannel) -> Reply:
    text = f"I'm not a member of #{error.name}, so I can't do that there yet."
    value = json.dumps({"ch": error.channel_id, "c": inv.line[:1900]}, separators=(",", ":"))
    blocks = [
        section(text),
        actions(button(f"Join #{error.name[:60]} and try again", JOIN_ACTION, value, style="primary")),
    ]
    return Reply(text=text, blocks=blocks, ephemeral=True, replace=False)
