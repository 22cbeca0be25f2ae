"""What the model may spend: tokens (and dollars, with a price) per member and for everyone, per UTC day.

Counted in the store (namespace `agent`) so every replica counts together; a day's counts expire
after two days. A member over a limit gets a plain sentence instead of a model call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.config.model import ModelSettings
from bot.store import Namespaced

DAY = 86400.0


def over(spent: dict[str, Any], tokens: int, cost: float | None) -> bool:
    """Whether `spent` reached either limit (0 tokens, or no cost: no such limit)."""
    if tokens and int(spent.get("tokens", 0)) >= tokens:
        return True
    return cost is not None and float(spent.get("cost", 0.0)) >= cost


class Budget:
    def __init__(self, store: Namespaced, settings: ModelSettings, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    def _keys(self, member: str) -> tuple[str, str]:
        day = int(self.clock() // DAY)
        return f"spent:{day}:{member}", f"spent:{day}:*"

    async def refusal(self, member: str) -> str | None:
        """Why the member may not ask the model now, or None."""
        mine, everyone = [await self.store.get(key) or {} for key in self._keys(member)]
        s = self.settings
        if over(mine, s.member_tokens, s.member_cost):
            return ("You have used today's share of Sloth's model. Commands still work; the model is back "
                    "tomorrow (UTC).")
        if over(everyone, s.day_tokens, s.day_cost):
            return "Sloth's model has used everything it may today. Commands still work; it is back tomorrow (UTC)."
        return None

    async def spend(self, member: str, input_tokens: int, output_tokens: int) -> None:
        tokens, cost = input_tokens + output_tokens, self.settings.cost(input_tokens, output_tokens)

        def add(current: Any) -> dict[str, Any]:
            now = current if isinstance(current, dict) else {}
            return {"tokens": int(now.get("tokens", 0)) + tokens, "cost": float(now.get("cost", 0.0)) + cost}

        for key in self._keys(member):
            await self.store.update(key, add, ttl=2 * DAY)
