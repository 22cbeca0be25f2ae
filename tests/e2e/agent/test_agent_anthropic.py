"""The agent with Anthropic's messages API: the real `anthropic` client against the scripted model
server (which streams Anthropic's server-sent events), the real SDK and Bolt against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config.model import ModelSettings
from bot.runtime.lifecycle import Runtime
from bot.testing.model_server import Call, ScriptedModel, Step, pieces
from sloth_emulator import Emulator
from tests.e2e.agent.test_agent import WJK68, answered
from tests.e2e.harness import running_bot

STEPS = [Step(text="Let me look. ", calls=(Call("whois", {"user": "@kenji"}),)),
         Step(text="Kenji Sato is on the team.", chunks=5)]


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for m in request["messages"] if m["role"] == "user" and isinstance(m["content"], list)
            for block in m["content"] if block.get("type") == "tool_result"]


@pytest.fixture
async def claude() -> AsyncIterator[ScriptedModel]:
    async with ScriptedModel(STEPS) as server:
        yield server


@pytest.fixture
async def agent(emulator: Emulator, tmp_path: Path, claude: ScriptedModel) -> AsyncIterator[Runtime]:
    settings = ModelSettings(name="claude-scripted", provider="anthropic", url=claude.url, key="test-key")
    async with running_bot(emulator, tmp_path, model=settings) as runtime:
        yield runtime


async def test_a_question_is_answered_with_a_tool_call_over_anthropics_api(agent: Runtime, emulator: Emulator,
                                                                           claude: ScriptedModel) -> None:
    message = await answered(emulator, agent, "Tell me about kenji please", WJK68)
    assert message["text"] == "Let me look. Kenji Sato is on the team."
    assert message["blocks"][-1]["type"] == "context_actions"  # the feedback buttons
    [started] = emulator.calls_to("chat.startStream")  # begun with the model's first piece, not at its end
    assert started.args["markdown_text"] == pieces(STEPS[0].text, STEPS[0].chunks)[0] == "Let m"
    first, second = claude.requests
    assert first["stream"] is True and first["model"] == "claude-scripted"
    assert "whois" in {t["name"] for t in first["tools"]}
    assert first["tools"][0]["input_schema"]["type"] == "object"
    [result] = tool_results(second)  # the tool ran as the asker, its answer sent back as a tool_result
    said = result["content"] if isinstance(result["content"], str) else str(result["content"])
    assert "Kenji Sato" in said
    uses = [b for m in second["messages"] if m["role"] == "assistant" and isinstance(m["content"], list)
            for b in m["content"] if b.get("type") == "tool_use"]
    assert [(u["name"], u["input"], u["id"]) for u in uses] == [("whois", {"user": "@kenji"}, result["tool_use_id"])]
