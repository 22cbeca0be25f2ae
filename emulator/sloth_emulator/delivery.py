"""One thing sent to the bot over Socket Mode, and its acknowledgement."""

from __future__ import annotations

import asyncio
import time
from typing import Any

Envelope = dict[str, Any]


class Delivery:
    """A slash command, interaction or event as delivered, with every retry of it.

    Events are re-sent when not acked in time; each attempt is a new envelope (new
    envelope_id, same event_id), and an ack of any attempt settles the delivery.
    """

    def __init__(self, envelope: Envelope) -> None:
        self.envelopes: list[Envelope] = [envelope]
        self.sent_at: dict[str, float] = {}
        self.ack: Envelope | None = None
        self.ack_latency: float | None = None
        self.acked_envelope_id: str | None = None
        self._acked: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()

    @property
    def envelope(self) -> Envelope:
        return self.envelopes[0]

    @property
    def envelope_id(self) -> str:
        return str(self.envelope["envelope_id"])

    @property
    def type(self) -> str:
        return str(self.envelope["type"])

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.envelope["payload"]
        return payload

    @property
    def attempts(self) -> int:
        return len(self.envelopes)

    @property
    def is_acked(self) -> bool:
        return self.ack is not None

    def mark_sent(self, envelope_id: str) -> None:
        self.sent_at[envelope_id] = time.perf_counter()

    def settle(self, envelope_id: str, frame: Envelope) -> bool:
        """Record the first ack; False for later ones (a retry acked after the original)."""
        if self.ack is not None:
            return False
        self.ack = frame
        self.acked_envelope_id = envelope_id
        sent = self.sent_at.get(envelope_id)
        self.ack_latency = time.perf_counter() - sent if sent is not None else None
        self._acked.set_result(frame)
        return True

    async def acked(self, timeout: float = 3.0) -> Envelope:  # noqa: ASYNC109 - the public interface
        """The ack frame; raises TimeoutError (asyncio's) when none arrives in time."""
        return await asyncio.wait_for(asyncio.shield(self._acked), timeout)

    def __repr__(self) -> str:
        return f"Delivery({self.type}, {self.envelope_id}, attempts={self.attempts}, acked={self.is_acked})"
