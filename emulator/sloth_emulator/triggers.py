"""trigger_ids: issued with every slash command and click, good for one modal within 3 seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sloth_emulator.errors import ApiError
from sloth_emulator.ids import new_trigger_id

TRIGGER_LIFETIME = 3.0


@dataclass
class _Trigger:
    user_id: str
    issued_at: float
    used: bool = False


class Triggers:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._issued: dict[str, _Trigger] = {}

    def issue(self, user_id: str) -> str:
        trigger_id = new_trigger_id()
        self._issued[trigger_id] = _Trigger(user_id, self.clock())
        return trigger_id

    def use(self, trigger_id: str) -> str:
        """The user the trigger belongs to; Slack's errors for unknown, stale or reused ones."""
        trigger = self._issued.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used or self.clock() - trigger.issued_at > TRIGGER_LIFETIME:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id
