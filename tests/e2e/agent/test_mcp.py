"""Sloth's MCP server, reached with the official SDK's client over streamable HTTP (real sockets):
it acts as the member whose token it is given, with their rights; a changing tool waits for that
member's Confirm in Slack; a revoked token is refused. Sloth talks to the emulator as ever."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bot.agent.mcp_feature import serving_port
from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.browser import oauth_settings
from tests.e2e.harness import running_bot

WJK68, AMELIA, KENJI = "U01WJK68KS", "U01AMHART1", "U01KSATO01"
TOKEN = re.compile(r"sloth_mcp_[A-Za-z0-9_-]+")
ROOT = Path(__file__).resolve().parents[3]  # this checkout, for the `sloth mcp` subprocess


@pytest.fixture
async def sloth(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Sloth]:
    async with running_bot(emulator, tmp_path, env={"SLOTH_MCP_ADDRESS": "127.0.0.1:0"},
                           **oauth_settings(emulator)) as runtime:
        yield Sloth(emulator, runtime, runtime.clock)


async def token_of(sloth: Sloth, user: str) -> str:
    answer = await sloth.command("mcp token", user=user)
    found = TOKEN.search(answer.text)
    assert found, answer.text
    return found.group(0)


def client(sloth: Sloth, token: str) -> Client:
    port = serving_port(sloth.context("mcp"))
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http))


def text_of(result: Any) -> str:
    return "\n".join(c.text for c in result.content)


def dm_of(slack: Emulator, user: str) -> str:
    return next(c.id for c in slack.workspace.channels.values() if c.is_im and user in c.members)


async def test_a_member_lists_the_tools_they_may_run_and_calls_one_as_themselves(sloth: Sloth) -> None:
    async with client(sloth, await token_of(sloth, "kenji")) as mcp:
        tools = {t.name: t for t in (await mcp.list_tools()).tools}
        assert {"whois", "history", "runs", "say", "run"} <= set(tools)
        assert not {"archive", "create", "mcp", "connect"} & set(tools)  # admin-only, and never a tool
        assert tools["history"].input_schema["properties"]["count"]["maximum"] >= 1
        assert tools["say"].annotations and tools["say"].annotations.destructive_hint
        result = await mcp.call_tool("whois", {"user": "@amelia"})
        assert not result.is_error and "Amelia Hart" in text_of(result) and "<@" not in text_of(result)
        refused = await mcp.call_tool("archive", {"channel": "#random"})  # not listed, and not reachable
    assert refused.is_error and "Only Sloth's admins" in text_of(refused)
    assert not sloth.emulator.workspace.channel("random").is_archived


async def test_an_admin_sees_the_admin_tools(sloth: Sloth) -> None:
    async with client(sloth, await token_of(sloth, "wjk68")) as mcp:
        assert {"archive", "create"} <= {t.name for t in (await mcp.list_tools()).tools}


async def test_a_changing_tool_waits_for_the_members_confirm_in_slack(sloth: Sloth, slack: Emulator) -> None:
    random = slack.workspace.channel("random")
    before = len(random.messages)
    async with client(sloth, await token_of(sloth, "kenji")) as mcp:
        waiting = await mcp.call_tool("say", {"channel": "#random", "message": "Deploy finished as Release Bot"})
    assert not waiting.is_error and "Not done yet" in text_of(waiting)
    assert "`say <#" in text_of(waiting) or "say" in text_of(waiting)
    assert len(random.messages) == before  # nothing posted on the call alone
    [asked] = [m for m in sloth.messages(dm_of(slack, KENJI)) if "sloth_mcp:confirm" in str(m.get("blocks"))]
    assert "Deploy finished as Release Bot" in asked["text"]

    await (await slack.click(dm_of(slack, KENJI), asked["ts"], "sloth_mcp:confirm", user=AMELIA)).acked()
    await sloth.settle()
    assert len(random.messages) == before  # someone else's press does nothing

    # Pressed twice before Sloth answers either press (the button is still there): it runs once.
    presses = [await slack.click(dm_of(slack, KENJI), asked["ts"], "sloth_mcp:confirm", user=KENJI) for _ in "12"]
    for press in presses:
        await press.acked()
    await sloth.settle()
    posted = [m for m in random.messages.values() if m.get("text") == "Deploy finished"]
    assert len(posted) == 1 and posted[0]["username"] == "Release Bot"
    [answer] = [m for m in sloth.messages(dm_of(slack, KENJI)) if m["ts"] == asked["ts"]]
    assert answer["text"].startswith("Done: `say") and "sloth_mcp:confirm" not in str(answer.get("blocks"))


async def test_a_cancelled_request_is_never_run(sloth: Sloth, slack: Emulator) -> None:
    async with client(sloth, await token_of(sloth, "kenji")) as mcp:
        await mcp.call_tool("say", {"channel": "#random", "message": "never"})
    [asked] = [m for m in sloth.messages(dm_of(slack, KENJI)) if "sloth_mcp:cancel" in str(m.get("blocks"))]
    await (await slack.click(dm_of(slack, KENJI), asked["ts"], "sloth_mcp:cancel", user=KENJI)).acked()
    await sloth.settle()
    [answer] = [m for m in sloth.messages(dm_of(slack, KENJI)) if m["ts"] == asked["ts"]]
    assert answer["text"].startswith("Cancelled: `say") and "sloth_mcp:confirm" not in str(answer.get("blocks"))
    assert not [m for m in slack.workspace.channel("random").messages.values() if m.get("text") == "never"]


async def test_a_revoked_or_replaced_token_is_refused(sloth: Sloth) -> None:
    first = await token_of(sloth, "kenji")
    second = await token_of(sloth, "kenji")  # replaces the first
    for token in (first, "sloth_mcp_guessed", "xoxb-not-a-member-token"):
        with pytest.raises(Exception):  # noqa: B017 - the SDK raises what the 401 turns into
            async with client(sloth, token) as mcp:
                await mcp.list_tools()
    async with client(sloth, second) as mcp:
        assert (await mcp.list_tools()).tools
    assert "no longer works" in (await sloth.command("mcp revoke", user="kenji")).text
    with pytest.raises(Exception):  # noqa: B017
        async with client(sloth, second) as mcp:
            await mcp.list_tools()


async def test_sloth_mcp_over_stdio_acts_as_the_member_of_its_token(sloth: Sloth, tmp_path: Path) -> None:
    """`sloth mcp` started as a subprocess, as an IDE starts it, relaying to the running Sloth."""
    import os
    import sys

    from mcp import StdioServerParameters

    port = serving_port(sloth.context("mcp"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "SLOTH_MCP_URL": f"http://127.0.0.1:{port}/mcp", "SLOTH_MCP_TOKEN": await token_of(sloth, "kenji")}
    server = StdioServerParameters(command=sys.executable, args=["-m", "bot", "mcp"], env=env, cwd=str(tmp_path))
    async with Client(server) as mcp:
        names = {t.name for t in (await mcp.list_tools()).tools}
        result = await mcp.call_tool("whois", {"user": "@amelia"})
    assert "whois" in names and "archive" not in names
    assert not result.is_error and "Amelia Hart" in text_of(result)
