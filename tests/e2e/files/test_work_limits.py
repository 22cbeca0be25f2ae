"""Charts and exports are limited per member: both kinds of `plot` share one count, an export
runs one at a time per member, and another member is never held up by that."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.api import Limit
from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.files.filework import AMELIA, WILL, run, said, uploads
from tests.e2e.harness import running_bot, settle, visible_text


async def test_both_kinds_of_plot_count_towards_one_hourly_limit(emu: Emulator, tmp_path: Path) -> None:
    async with running_bot(emu, tmp_path, member_limits=(("plot", Limit(per_hour=2)),)) as bot:
        assert "Posted the activity chart" in said(await run(emu, bot, "plot activity #busy 7", user=WILL))
        assert "Posted the time-zone chart" in said(await run(emu, bot, "plot members", user=WILL))
        over = said(await run(emu, bot, "plot activity #busy 7", user=WILL))
        # SLOTH_LIMITS changed the hourly limit and kept the command's others.
        assert "You have run `plot` 2 times in the last hour" in over
        assert "(limits: 2 at once, 2 an hour, 60 a day)" in over
        assert "Posted the time-zone chart" in said(await run(emu, bot, "plot members", user=AMELIA))
    assert len(uploads(emu)) == 3


async def test_a_member_makes_one_export_at_a_time(emu: Emulator, bot: Runtime) -> None:
    asked = await asyncio.gather(*(emu.slash_command(text=f"export #busy {days}", user=WILL) for days in (30, 20)),
                                 emu.slash_command(text="export #busy 10", user=AMELIA))
    await asyncio.gather(*(delivery.acked() for delivery in asked))
    await settle(bot)
    will = [" ".join(visible_text(p.body) for p in emu.responses if p.url == d.payload["response_url"])
            for d in asked[:2]]
    amelia = " ".join(visible_text(p.body) for p in emu.responses if p.url == asked[2].payload["response_url"])
    assert sorted("Sent you the export" in text for text in will) == [False, True]
    refused = next(text for text in will if "Sent you the export" not in text)
    assert "each member can run 1 at a time (limits: 1 at once, 5 an hour, 20 a day)" in refused
    assert "Sent you the export" in amelia  # Will's export does not hold up Amelia's
    assert len(uploads(emu)) == 2
