"""What an ack says, the same over Socket Mode (the ack frame's `payload`) and HTTP (the response
body): Slack shows it at once, before any work is done. Both transports ask here, so an answer
given in the ack (a busy note today; a view submission's `response_action` fits the same place)
reads alike whichever way Slack reached Sloth."""

from __future__ import annotations

from typing import Any

BUSY = ":hourglass: Sloth is too busy to take that right now. Please try again in a minute."


def busy_answer(kind: str) -> dict[str, Any] | None:
    """The ack's answer to an envelope Sloth cannot take now, or None to leave it unanswered.

    A slash command is told Sloth is busy (Slack shows the member the ack's text). An event is
    left for Slack to deliver again (to another replica, or here once there is room); anything
    else is left unanswered, so Slack tells the member it did not go through. Nothing is acked
    and then lost."""
    if kind == "slash_commands":
        return {"text": BUSY, "response_type": "ephemeral"}
    return None
