"""What an ack carries: the one answer Slack takes only in the ack itself, for every transport.

Slack reads a `view_submission`'s `response_action` (errors under fields, the next view, clear)
only from the acknowledgement of that request, within 3 seconds: the payload of the Socket Mode
ack (`bot.socket.client` calls this on its own thread, before it sends the ack) or the body of
the HTTP answer. Anything slow (Slack calls, the store, the handler) comes after, on the main
loop, which reads the submission again through the same pure function (`bot.views.submissions`).

`AckAnswer` takes the request's payload (a Socket Mode envelope's `payload`, or an HTTP
request's `payload` form field, parsed) and returns the ack's payload, or None for a bare ack.
It is synchronous and fast (no I/O: an HMAC, a JSON decode, the command's parser) and never
raises: a failure is logged and answered with a bare ack, which closes the modal.

`busy_answer` is the ack of an envelope Sloth cannot take now (too much unfinished work), the
same over both transports too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.views.submissions import Submissions

log = logging.getLogger(__name__)
AckAnswer = Callable[[dict[str, Any]], "dict[str, Any] | None"]
BUSY = ":hourglass: Sloth is too busy to take that right now. Please try again in a minute."


def no_answer(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The ack of a runtime without forms: always bare."""
    return None


def ack_answer(submissions: Submissions) -> AckAnswer:
    """The answer for Sloth's forms: `response_action` for a submission of one of them."""

    def answer(payload: dict[str, Any]) -> dict[str, Any] | None:
        if not isinstance(payload, dict) or payload.get("type") != "view_submission":
            return None
        try:
            outcome = submissions.outcome(payload)
        except Exception:  # a bug must not cost the ack: the main loop meets it again and logs it
            log.exception("could not work out the answer to a view submission; acking it bare")
            return None
        return outcome.ack if outcome is not None else None

    return answer


def busy_answer(kind: str) -> dict[str, Any] | None:
    """The ack's answer to an envelope Sloth cannot take now, or None to leave it unanswered.

    A slash command is told Sloth is busy (Slack shows the member the ack's text). An event is
    left for Slack to deliver again (to another replica, or here once there is room); anything
    else is left unanswered, so Slack tells the member it did not go through. Nothing is acked
    and then lost."""
    if kind == "slash_commands":
        return {"text": BUSY, "response_type": "ephemeral"}
    return None
