"""Per-member limits on commands that make work, end to end: `remind` under Slack's real tiers, its
pending cap, and a team's own command limited across two replicas sharing one store."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bot.api import Args, Context, Invocation, Limit, Param, Reply, Router, UserError, notice
from bot.features.registry import Feature
from bot.runtime.lifecycle import Runtime
from bot.testing import FakeClock, registry_for
from sloth_emulator import Emulator, RateLimits, Workspace
from tests.e2e.harness import ask, running_bot, settle, visible_text

WILL, AMELIA, JONAS = "U01WJK68KS", "U01AMHART1", "U01JBECKER"
BURST = 150


async def answer_to(emu: Emulator, text: str, user: str, connection: int | None = None) -> str:
    """`/sloth <text>` as `user` (on one replica's connection); what it answered, once it has."""
    delivery = await emu.slash_command(text=text, user=user, connection_id=connection)
    url = delivery.payload["response_url"]
    [posted] = await emu.wait_for(lambda: [p for p in emu.responses if p.url == url], timeout=10)
    return visible_text(posted.body)


def scheduled_for(emu: Emulator, user: str) -> list[dict[str, Any]]:
    dm = emu.workspace.open_im(emu.bot_user_id, user)[0].id
    return [entry for entry in emu.workspace.scheduled if entry["channel_id"] == dm]


async def test_one_members_burst_of_reminders_does_not_hold_up_anothers(tmp_path: Path) -> None:
    # Slack's own tiers, per minute: chat.scheduleMessage and conversations.open are Tier 3 (50).
    async with Emulator(Workspace.default(), rate_limits=RateLimits()) as emu, running_bot(emu, tmp_path) as bot:
        burst = await asyncio.gather(*(emu.slash_command(text=f"remind in 20m stretch {n}", user=WILL)
                                       for n in range(BURST)))
        await asyncio.gather(*(delivery.acked() for delivery in burst))
        asked = time.monotonic()
        said = await answer_to(emu, "remind in 20m tea with Jonas", AMELIA)
        waited = time.monotonic() - asked
        await settle(bot)
        answers = [visible_text(p.body) for p in emu.responses if p.url in {d.payload["response_url"] for d in burst}]
    assert "I'll remind you" in said and len(scheduled_for(emu, AMELIA)) == 1
    # Without limits, Amelia's reminder waited about 120 s behind Will's 150 (over two minutes of Tier 3).
    assert waited < 3.0, f"Amelia's reminder was answered after {waited:.1f} s"
    assert emu.api.limiter is not None
    assert emu.api.limiter.count("chat.scheduleMessage") == emu.api.limiter.count("conversations.open") == 0
    done = [a for a in answers if "I'll remind you" in a]
    refused = [a for a in answers if "limits: 2 at once, 20 an hour, 100 a day" in a]
    assert len(answers) == BURST and len(done) + len(refused) == BURST
    assert 2 <= len(done) == len(scheduled_for(emu, WILL)) <= 20
    assert any("each member can run 2 at a time" in a for a in refused)


async def test_the_hourly_limit_says_when_to_try_again(emulator: Emulator, tmp_path: Path) -> None:
    clock = FakeClock(time.time())  # Slack's clock is the real one: reminders must be in its future
    async with running_bot(emulator, tmp_path, clock=clock) as bot:
        for n in range(20):
            assert "I'll remind you" in visible_text(await ask(emulator, bot, f"remind in 2h water {n}", user=WILL))
        clock.advance(40 * 60)
        over = visible_text(await ask(emulator, bot, "remind in 2h one more", user=WILL))
        assert "You have run `remind` 20 times in the last hour" in over and "again in 20 minutes" in over
        assert "<!date^" in over  # the time, shown in the reader's own time zone
        assert "I'll remind you" in visible_text(await ask(emulator, bot, "remind in 2h call Will", user=AMELIA))
        clock.advance(20 * 60)
        assert "I'll remind you" in visible_text(await ask(emulator, bot, "remind in 2h one more", user=WILL))
    assert len(scheduled_for(emulator, WILL)) == 21 and "one more" in scheduled_for(emulator, WILL)[-1]["text"]


async def test_a_member_has_at_most_25_reminders_waiting(emulator: Emulator, tmp_path: Path) -> None:
    clock = FakeClock(time.time())
    async with running_bot(emulator, tmp_path, clock=clock, member_limits=(("remind", Limit(per_hour=30)),)) as bot:
        for n in range(25):
            await ask(emulator, bot, f"remind in {10 + n}m step {n}", user=WILL)
        full = visible_text(await ask(emulator, bot, "remind in 2h step 25", user=WILL))
        assert "You have 25 reminders waiting, the most Sloth keeps for one member" in full and "<!date^" in full
        assert len(scheduled_for(emulator, WILL)) == 25
        assert "I'll remind you" in visible_text(await ask(emulator, bot, "remind in 2h tea", user=AMELIA))
        clock.advance(10.5 * 60)  # the first one has been delivered: a place is free
        emulator.fail_next("chat.scheduleMessage", "restricted_too_many")
        refused = visible_text(await ask(emulator, bot, "remind in 2h step 25", user=WILL))
        assert "Slack holds at most 30 messages due within the same five minutes" in refused
        # Slack's refusal gave the place back: the next one takes it, and the one after is refused.
        assert "I'll remind you" in visible_text(await ask(emulator, bot, "remind in 2h step 25", user=WILL))
        assert "25 reminders waiting" in visible_text(await ask(emulator, bot, "remind in 2h step 26", user=WILL))
    assert len(scheduled_for(emulator, WILL)) == 26


def crunch_feature(started: asyncio.Queue[str], release: asyncio.Event) -> Feature:
    """A team's feature: one command that makes work, limited to one at a time and three an hour."""
    router = Router("crunch")

    @router.command("crunch", "Crunch the numbers.", Param("what", required=False),
                    limit=Limit(at_once=1, per_hour=3))
    async def crunch(ctx: Context, inv: Invocation, args: Args) -> Reply:
        if args["what"] == "typo":
            raise UserError("I can't crunch `typo`.")
        started.put_nowait(inv.user)
        await release.wait()
        return notice("Crunched.")

    return Feature(router, "test", "test_limits")


async def test_a_teams_command_is_limited_across_replicas(emulator: Emulator, tmp_path: Path) -> None:
    started: asyncio.Queue[str] = asyncio.Queue()
    release = asyncio.Event()
    base = registry_for()
    registry = type(base)([*base.features, crunch_feature(started, release)])
    shared = f"sqlite:///{tmp_path / 'shared.db'}"
    async with AsyncExitStack() as stack:
        replicas: list[Runtime] = [await stack.enter_async_context(running_bot(
            emulator, tmp_path / name, connections=n, registry=registry, store_url=shared))
            for n, name in ((1, "a"), (2, "b"))]
        one, two = (c.id for c in emulator.hub.connections)
        first = asyncio.ensure_future(answer_to(emulator, "crunch", WILL, one))
        assert await started.get() == WILL
        again = await answer_to(emulator, "crunch", WILL, two)  # the other replica counts it too
        assert "each member can run 1 at a time (limits: 1 at once, 3 an hour)" in again
        other = asyncio.ensure_future(answer_to(emulator, "crunch", AMELIA, two))
        assert await started.get() == AMELIA  # another member is not held up
        release.set()
        assert "Crunched." in await first and "Crunched." in await other
        assert "can't crunch `typo`" in await answer_to(emulator, "crunch typo", WILL, one)  # does not count
        for connection in (two, one):
            assert "Crunched." in await answer_to(emulator, "crunch", WILL, connection)
        over = await answer_to(emulator, "crunch", WILL, two)
        assert "You have run `crunch` 3 times in the last hour" in over and "again in 1 hour" in over
        for replica in replicas:
            await settle(replica)
