"""A quiet thread: a burst of 2,000 improving epochs makes a handful of thread messages, never one per
epoch, and Slack never answers 429. The emulator keeps Slack's published limits in real time
(`RateLimits.realistic()`: one message a second per channel with bursts of 4, several hundred a
minute per workspace, chat.update 50 a minute); Sloth runs with its production pace."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sloth_emulator import Emulator, RateLimits, Workspace
from sloth_monitor import TrainingRun
from tests.e2e.harness import settle, visible_text
from tests.e2e.training.training_harness import TOKEN, WILL, cards, ingest_url, monitoring_bot, payload, replies

EPOCHS = 2000


def burst(url: str) -> TrainingRun:
    """Epochs as fast as a tiny model goes; val_loss improves at almost every one, then stalls."""
    with TrainingRun("burst", channel="#testing_exp", owner=WILL, url=url, token=TOKEN, total_epochs=EPOCHS,
                     send_interval=0.05, system_interval=None, patience=20, ping_after=0) as run:
        for epoch in range(EPOCHS):
            val_loss = 1.0 / (min(epoch, 1900) + 1)  # no improvement over the last 100 epochs: one plateau alert
            run.log_epoch(epoch, loss=val_loss * 0.9, val_loss=val_loss)
            if epoch % 50 == 0:
                time.sleep(0.02)  # the loop's own pace, which lets the client keep up
    return run


async def test_a_2000_epoch_burst_makes_a_handful_of_thread_messages_and_no_429(tmp_path: Path) -> None:
    async with Emulator(Workspace.default(), rate_limits=RateLimits.realistic()) as emu, \
            monitoring_bot(emu, tmp_path) as runtime:
        run = await asyncio.to_thread(burst, ingest_url(runtime))
        card = await emu.wait_for(lambda: (found := cards(emu, "testing_exp")) and payload(found[0])["status"]
                                  == "completed" and found[0], 30)
        await emu.wait_for(lambda: any(m.get("files") for m in replies(emu, "testing_exp", card["ts"])), 30)
        await emu.wait_for(lambda: len(replies(emu, "testing_exp", card["ts"])) >= 3, 30)
        await settle(runtime)
    thread = replies(emu, "testing_exp", card["ts"])
    assert run.finish() is True and payload(card)["epoch"] == EPOCHS
    # The plateau alert, the owner's ping at the end, the curves: nothing per epoch.
    assert len(thread) == 3, [m.get("text") for m in thread]
    assert sum(1 for m in thread if f"<@{WILL}>" in m["text"]) == 2
    assert "1900 improvements" in visible_text(card)
    limited = {call: count for call, count in emu.api.limiter.limited.items() if count} if emu.api.limiter else {}
    assert limited == {}, limited
    assert len(cards(emu, "testing_exp")) == 1
