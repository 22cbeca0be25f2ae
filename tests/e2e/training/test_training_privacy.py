"""Runs are as private as the channel their card lives in: `runs` and `runs compare` show a run only
to that channel's members and to its owner, and an answer that shows one stays with the asker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.training.test_training_ingest import post_events
from tests.e2e.training.training_harness import AMELIA, T0, WILL, cards, monitoring_bot

KENJI = "U01KSATO01"
BUCKET = "s3://acme-private/initech"


async def report(runtime: Any, run_id: str, name: str, channel: str, owner: str, config: dict[str, Any]) -> None:
    events = [{"type": "start", "seq": 1, "time": T0 + 1.0},
              {"type": "epoch", "seq": 2, "time": T0 + 2.0, "epoch": 0, "metrics": {"loss": 0.5}}]
    run = {"name": name, "channel": channel, "owner": owner, "total_epochs": 3, "config": config}
    status, _ = await post_events(runtime, run_id, [], body=json.dumps({"run": run, "events": events}))
    assert status == 200


async def test_runs_from_a_private_channel_are_for_its_members_and_the_owner(
        emulator: Emulator, tmp_path: Path) -> None:
    secret = emulator.workspace.create_channel("ml-secret", WILL, is_private=True)
    secret.members[emulator.bot_user_id] = None
    async with monitoring_bot(emulator, tmp_path) as runtime:
        sloth = Sloth(emulator, runtime, runtime.clock)
        await report(runtime, "run-private01", "initech-model", "#ml-secret", AMELIA, {"data": BUCKET})
        await report(runtime, "run-public001", "open-model", "#testing_exp", AMELIA, {"data": "s3://public"})
        await emulator.wait_for(lambda: cards(emulator, secret.id) and cards(emulator, "testing_exp"), timeout=10)

        outsider = await sloth.mention("runs", user=KENJI, channel="general")
        assert "open-model" in outsider.visible and "initech-model" not in outsider.visible
        assert outsider.posts[0].ephemeral_to is None  # nothing private in it: answered where asked
        compared = await sloth.command("runs compare run-private01 run-public001", user=KENJI)
        assert "No training run is called or has the id `run-private01`" in compared.text
        assert BUCKET not in json.dumps([f.name for f in emulator.workspace.files.values()])

        member = await sloth.mention("runs", user=WILL, channel="general")  # in #ml-secret, not the owner
        assert "initech-model" in member.visible and [p.ephemeral_to for p in member.posts] == [WILL]
        owner = await sloth.mention("runs", user=AMELIA, channel="general")  # the owner, not in #ml-secret
        assert "initech-model" in owner.visible and [p.ephemeral_to for p in owner.posts] == [AMELIA]
        assert "initech-model" not in json.dumps(emulator.messages("general"))

        await sloth.mention("runs compare run-private01 run-public001", user=WILL, channel="general")
        [picture] = await emulator.wait_for(lambda: [m for c in emulator.workspace.channels.values() if c.is_im
                                                     for m in c.messages.values() if m.get("files")], timeout=15)
        assert BUCKET in picture["text"]  # the config diff, sent to Will's DM, not to #general
        assert not [m for m in emulator.messages("general") if m.get("files")]
