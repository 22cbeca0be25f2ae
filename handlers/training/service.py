"""The training feature's per-runtime objects: the run store and the card follower."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from bot.context import Context
from bot.supervisor import Supervisor
from handlers.training.follow import Follower
from handlers.training.runs import RunStore


@dataclass
class Training:
    runs: RunStore
    follower: Follower


# Keyed by the runtime's supervisor, which lives exactly as long as the runtime: two runtimes in
# one process (tests, replicas) each get their own followers and locks.
_by_runtime: weakref.WeakKeyDictionary[Supervisor, Training] = weakref.WeakKeyDictionary()


def training(ctx: Context) -> Training:
    found = _by_runtime.get(ctx.supervisor)
    if found is None:
        runs = RunStore(ctx.store)
        found = _by_runtime[ctx.supervisor] = Training(runs, Follower(ctx, runs))
    return found


async def name_of(ctx: Context, user_id: str | None) -> str | None:
    """A member's name for plain text (not escaped), or their ID when Slack cannot say."""
    if user_id is None:
        return None
    try:
        await ctx.directory.user(user_id)
    except Exception:  # a name is a nicety; the ID will do
        return user_id
    return ctx.directory.display_name(user_id)
