"""The training feature's per-runtime objects: the run store, the card follower, what ingest refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from bot.api import Context, is_admin, reveal
from handlers.training.follow import Follower
from handlers.training.refusals import Refusals
from handlers.training.runs import RunStore
from handlers.training.state import Run


@dataclass
class Training:
    runs: RunStore
    follower: Follower
    process: str  # this runtime's name in the store, for saying it is alive (see posting)
    refusals: Refusals


def start(ctx: Context) -> Training:
    """Made by the feature's start hook and kept in `ctx.state`: two runtimes in one process
    (tests, replicas) each have their own, and it goes when its runtime goes."""
    runs = RunStore(ctx.store)
    process = uuid.uuid4().hex
    ctx.state.training = Training(runs, Follower(ctx, runs, process), process, Refusals(ctx.metrics))
    return ctx.state.training


def training(ctx: Context) -> Training:
    found: Training = ctx.state.training
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


async def visible_to(ctx: Context, user: str, run: Run) -> bool:
    """A run is as private as the channel its card lives in: shown to that channel's members
    (everyone, for a public channel) and to its owner. Either way, a run from a private channel
    keeps the answer that shows it private. A run whose channel Sloth cannot see (misspelt, or
    private without Sloth) is shown to its owner and to Sloth's admins, who can fix it."""
    named = run.card_channel or run.channel
    where = await ctx.access.conversation(named) if named else None
    if where is not None and await ctx.access.shown_to(user, where.id):
        return True
    if run.owner is not None and run.owner == user:
        if where is not None:
            reveal(where)
        return True
    return where is None and await is_admin(ctx, user)
