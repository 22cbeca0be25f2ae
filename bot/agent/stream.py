"""An answer streamed into a Slack thread as the model writes it (chat.startStream / appendStream /
stopStream, through Sloth's guard like every other send).

The stream starts with the first piece of text, so the member sees the answer begin as soon as
the model does; later pieces are gathered and sent at most every `FLUSH_SECONDS`, so a long
answer costs a few calls rather than one per token. `finish` ends it with the feedback buttons.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.agent.confirm import FEEDBACK

FLUSH_SECONDS = 0.5


def feedback_blocks() -> list[dict[str, Any]]:
    return [{"type": "context_actions", "elements": [{
        "type": "feedback_buttons", "action_id": FEEDBACK,
        "positive_button": {"text": {"type": "plain_text", "text": "Good answer"}, "value": "positive",
                            "accessibility_label": "This answer was helpful"},
        "negative_button": {"text": {"type": "plain_text", "text": "Bad answer"}, "value": "negative",
                            "accessibility_label": "This answer was not helpful"}}]}]


class AnswerStream:
    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str, *, member: str, team: str,
                 is_im: bool) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        # Slack asks who the stream is for outside a DM (missing_recipient_user_id otherwise).
        self.user: str | None = None if is_im else member
        self.team: str | None = None if is_im else team
        self.ts: str | None = None
        self.first_sent_at: float | None = None  # time.perf_counter of the first piece, for the benchmark
        self._pending: list[str] = []
        self._last = 0.0
        self._lock = asyncio.Lock()

    async def write(self, piece: str) -> None:
        if not piece:
            return
        async with self._lock:
            if self.ts is None:
                answer = await self.client.chat_startStream(channel=self.channel, thread_ts=self.thread_ts,
                                                            markdown_text=piece, recipient_user_id=self.user,
                                                            recipient_team_id=self.team)
                self.ts = str(answer["ts"])
                self.first_sent_at = time.perf_counter()
                self._last = time.monotonic()
                return
            self._pending.append(piece)
            if time.monotonic() - self._last >= FLUSH_SECONDS:
                await self._flush()

    async def _flush(self) -> None:
        if self._pending and self.ts is not None:
            text, self._pending = "".join(self._pending), []
            await self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=text)
            self._last = time.monotonic()

    async def finish(self, closing: str = "") -> str:
        """End the answer (starting it first if the model said nothing), with the feedback buttons."""
        async with self._lock:
            if self.ts is None:
                answer = await self.client.chat_startStream(channel=self.channel, thread_ts=self.thread_ts,
                                                            markdown_text=closing or "Done.",
                                                            recipient_user_id=self.user, recipient_team_id=self.team)
                self.ts = str(answer["ts"])
                closing = ""
            rest = "".join(self._pending) + closing
            self._pending = []
            await self.client.chat_stopStream(channel=self.channel, ts=self.ts, blocks=feedback_blocks(),
                                              markdown_text=rest or None)
            return self.ts
