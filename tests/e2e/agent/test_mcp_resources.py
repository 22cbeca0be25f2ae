"""Training runs as MCP resources, read with the official SDK's client over streamable HTTP: the runs a
member may see, one run's status and metrics, its curves as a PNG. A run in a private channel the
member is not in reads exactly like one that does not exist; a revoked token reads nothing."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import BlobResourceContents, TextResourceContents

from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.agent.test_mcp import client, token_of
from tests.e2e.training.test_training_privacy import KENJI, report
from tests.e2e.training.training_harness import AMELIA, WILL, cards, monitoring_bot

PNG = b"\x89PNG\r\n\x1a\n"


async def read_text(mcp: Client, uri: str) -> TextResourceContents:
    [found] = (await mcp.read_resource(uri)).contents
    assert isinstance(found, TextResourceContents), found
    return found


async def read_json(mcp: Client, uri: str) -> Any:
    return json.loads((await read_text(mcp, uri)).text)


async def test_a_member_reads_the_runs_they_may_see_and_nothing_of_the_others(
        emulator: Emulator, tmp_path: Path) -> None:
    secret = emulator.workspace.create_channel("ml-secret", WILL, is_private=True)
    secret.members[emulator.bot_user_id] = None
    async with monitoring_bot(emulator, tmp_path, env={"SLOTH_MCP_ADDRESS": "127.0.0.1:0"}) as runtime:
        sloth = Sloth(emulator, runtime, runtime.clock)
        await report(runtime, "run-private01", "initech-model", "#ml-secret", AMELIA, {"data": "s3://private"})
        await report(runtime, "run-public001", "open-model", "#testing_exp", AMELIA, {"data": "s3://public"})
        await emulator.wait_for(lambda: cards(emulator, secret.id) and cards(emulator, "testing_exp"), timeout=10)

        async with client(sloth, await token_of(sloth, WILL)) as mcp:  # in #ml-secret
            listed = {str(r.uri): r for r in (await mcp.list_resources()).resources}
            templates = {t.uri_template: t for t in (await mcp.list_resource_templates()).resource_templates}
            runs = await read_json(mcp, "sloth://runs")
            status = await read_text(mcp, "sloth://runs/run-private01")
            metrics = await read_json(mcp, "sloth://runs/run-private01/metrics")
            [curves] = (await mcp.read_resource("sloth://runs/run-private01/curves.png")).contents

        assert {"sloth://runs", "sloth://runs/run-private01", "sloth://runs/run-public001"} <= set(listed)
        assert listed["sloth://runs/run-private01"].name == "initech-model (running)"
        assert {"sloth://runs/{run}", "sloth://runs/{run}/metrics", "sloth://runs/{run}/curves.png"} <= set(templates)
        assert templates["sloth://runs/{run}/curves.png"].mime_type == "image/png"
        assert [r["run_id"] for r in runs["runs"]] == ["run-public001", "run-private01"]
        assert runs["runs"][1]["uris"]["curves"] == "sloth://runs/run-private01/curves.png"
        assert status.mime_type == "application/json"
        shown = json.loads(status.text)
        assert (shown["name"], shown["status"], shown["epoch"], shown["total_epochs"]) == ("initech-model", "running",
                                                                                             1, 3)
        assert shown["owner"] == "Amelia Hart"
        assert metrics["epochs"] == [{"epoch": 1, "metrics": {"loss": 0.5}, "time": metrics["epochs"][0]["time"]}]
        assert isinstance(curves, BlobResourceContents) and curves.mime_type == "image/png"
        assert base64.b64decode(curves.blob).startswith(PNG)

        async with client(sloth, await token_of(sloth, KENJI)) as mcp:  # not in #ml-secret, not the owner
            listed_to_kenji = {str(r.uri) for r in (await mcp.list_resources()).resources}
            kenji_runs = await read_json(mcp, "sloth://runs")
            refusals = []
            for uri in ("sloth://runs/run-private01", "sloth://runs/run-private01/metrics",
                        "sloth://runs/run-private01/curves.png", "sloth://runs/run-nothing01/metrics",
                        "sloth://nothing"):
                with pytest.raises(MCPError) as refused:
                    await mcp.read_resource(uri)
                refusals.append((refused.value.code, refused.value.message))
            public = await read_json(mcp, "sloth://runs/run-public001")
        assert "sloth://runs/run-public001" in listed_to_kenji and "sloth://runs/run-private01" not in listed_to_kenji
        assert [r["run_id"] for r in kenji_runs["runs"]] == ["run-public001"]
        assert len(set(refusals)) == 1  # a private run reads exactly like one that does not exist
        assert "initech" not in str(refusals) and public["name"] == "open-model"


async def test_a_revoked_token_reads_no_resource(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path, env={"SLOTH_MCP_ADDRESS": "127.0.0.1:0"}) as runtime:
        sloth = Sloth(emulator, runtime, runtime.clock)
        await report(runtime, "run-public001", "open-model", "#testing_exp", AMELIA, {"data": "s3://public"})
        token = await token_of(sloth, KENJI)
        async with client(sloth, token) as mcp:
            assert (await read_json(mcp, "sloth://runs/run-public001"))["name"] == "open-model"
        assert "no longer works" in (await sloth.command("mcp revoke", user=KENJI)).text
        with pytest.raises(Exception):  # noqa: B017 - the SDK raises what the 401 turns into
            async with client(sloth, token) as mcp:
                await mcp.read_resource("sloth://runs/run-public001")
