"""Talking to a language model: one turn of a conversation, streamed, with tools to call.

Two providers through their maintained client libraries (the optional `agent` extra): any
OpenAI-compatible chat-completions endpoint with tool calling (`openai`), and Anthropic's
messages API (`anthropic`). The conversation is kept provider-neutral (`Said`): what the member
said, what the model said and which tools it called, and each tool's result, which goes back as
a tool message (OpenAI's `role: tool`, Anthropic's `tool_result`) and never as the system's or
the member's words: what a tool read is data for the model, not instructions.

Timeouts, refused keys, limits and outages become `ModelError` with a plain sentence for the member.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.config.model import ModelSettings

log = logging.getLogger(__name__)
OnText = Callable[[str], Awaitable[None]]
MAX_OUTPUT_TOKENS = 2048


class ModelError(Exception):
    """The model could not answer; `str(error)` is a sentence for the member."""


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Said:
    """One entry of the conversation: the member's words, the model's (with its tool calls), or a tool's result."""

    role: Literal["user", "assistant", "tool"]
    text: str = ""
    calls: tuple[ToolCall, ...] = ()
    call_id: str = ""  # a tool result: the call it answers
    name: str = ""  # a tool result: the tool's name


@dataclass(frozen=True)
class Turn:
    text: str
    calls: tuple[ToolCall, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0


class Model(Protocol):
    async def turn(self, system: str, said: Sequence[Said], tools: Sequence[ToolSpec], on_text: OnText) -> Turn:
        """One reply of the model's, its text streamed to `on_text` as it comes."""

    async def close(self) -> None:
        """Close its connections."""


def _arguments(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class OpenAIModel:
    """An OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, a gateway)."""

    def __init__(self, settings: ModelSettings) -> None:
        import openai

        self._openai = openai
        self.settings = settings
        self.client = openai.AsyncOpenAI(api_key=settings.key or "none", base_url=settings.url,
                                         timeout=settings.timeout, max_retries=1)

    async def close(self) -> None:
        await self.client.close()

    @staticmethod
    def messages(system: str, said: Sequence[Said]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"role": "system", "content": system}]
        for entry in said:
            if entry.role == "tool":
                out.append({"role": "tool", "tool_call_id": entry.call_id, "content": entry.text})
            elif entry.role == "assistant":
                message: dict[str, Any] = {"role": "assistant", "content": entry.text or None}
                if entry.calls:
                    message["tool_calls"] = [{"id": c.id, "type": "function", "function": {
                        "name": c.name, "arguments": json.dumps(c.arguments)}} for c in entry.calls]
                out.append(message)
            else:
                out.append({"role": "user", "content": entry.text})
        return out

    async def turn(self, system: str, said: Sequence[Said], tools: Sequence[ToolSpec], on_text: OnText) -> Turn:
        specs = [{"type": "function", "function": {"name": t.name, "description": t.description,
                                                   "parameters": t.input_schema}} for t in tools]
        text: list[str] = []
        calls: dict[int, _Call] = {}
        usage = (0, 0)
        extra: dict[str, Any] = {"tools": specs} if specs else {}
        try:
            create: Any = self.client.chat.completions.create  # the messages are built as dicts, not its TypedDicts
            stream = await create(
                model=self.settings.name, messages=self.messages(system, said),
                stream=True, stream_options={"include_usage": True}, max_tokens=MAX_OUTPUT_TOKENS, **extra)
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = (chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        text.append(delta.content)
                        await on_text(delta.content)
                    for part in delta.tool_calls or []:
                        call = calls.setdefault(part.index, _Call())
                        call.id = part.id or call.id
                        if part.function is not None:
                            call.name = part.function.name or call.name
                            call.arguments.append(part.function.arguments or "")
        except self._openai.APIError as e:
            raise ModelError(plain_error(e, self._openai)) from e
        found = tuple(ToolCall(c.id or f"call_{i}", c.name, _arguments("".join(c.arguments)))
                      for i, c in sorted(calls.items()) if c.name)
        return Turn("".join(text), found, *usage)


class AnthropicModel:
    """Anthropic's messages API."""

    def __init__(self, settings: ModelSettings) -> None:
        import anthropic

        self._anthropic = anthropic
        self.settings = settings
        self.client = anthropic.AsyncAnthropic(api_key=settings.key or "none", base_url=settings.url,
                                               timeout=settings.timeout, max_retries=1)

    async def close(self) -> None:
        await self.client.close()

    @staticmethod
    def messages(said: Sequence[Said]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for entry in said:
            if entry.role == "tool":
                block = {"type": "tool_result", "tool_use_id": entry.call_id, "content": entry.text}
                if out and out[-1]["role"] == "user" and isinstance(out[-1]["content"], list):
                    out[-1]["content"].append(block)  # the results of one turn's calls go back together
                else:
                    out.append({"role": "user", "content": [block]})
            elif entry.role == "assistant":
                content: list[dict[str, Any]] = [{"type": "text", "text": entry.text}] if entry.text else []
                content += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
                            for c in entry.calls]
                out.append({"role": "assistant", "content": content})
            else:
                out.append({"role": "user", "content": entry.text})
        return out

    async def turn(self, system: str, said: Sequence[Said], tools: Sequence[ToolSpec], on_text: OnText) -> Turn:
        specs = [{"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in tools]
        try:
            async with self.client.messages.stream(
                    model=self.settings.name, system=system, messages=self.messages(said),  # type: ignore[arg-type]
                    tools=specs, max_tokens=MAX_OUTPUT_TOKENS) as stream:  # type: ignore[arg-type]
                async for piece in stream.text_stream:
                    await on_text(piece)
                final = await stream.get_final_message()
        except self._anthropic.APIError as e:
            raise ModelError(plain_error(e, self._anthropic)) from e
        text = "".join(b.text for b in final.content if b.type == "text")
        calls = tuple(ToolCall(b.id, b.name, dict(b.input) if isinstance(b.input, dict) else {})
                      for b in final.content if b.type == "tool_use")
        return Turn(text, calls, final.usage.input_tokens, final.usage.output_tokens)


def plain_error(error: Exception, library: Any) -> str:
    """A provider's failure as the member should read it; the details go to the log."""
    log.warning("the model call failed: %s: %s", type(error).__name__, error)
    if isinstance(error, library.APITimeoutError):
        return "The model took too long to answer. Please try again in a moment."
    if isinstance(error, library.APIConnectionError):
        return "Sloth could not reach its model right now. Please try again later."
    status = getattr(error, "status_code", None)
    if status in (401, 403):
        return "The model refused Sloth's key. Tell whoever runs Sloth (SLOTH_MODEL_KEY)."
    if status == 429:
        return "The model is busy or over its quota right now. Please try again in a minute."
    if status == 404:
        return "The model Sloth is set to use was not found at its endpoint (SLOTH_MODEL, SLOTH_MODEL_URL)."
    return "The model could not answer just now. Please try again later."


def make_model(settings: ModelSettings) -> Model:
    return AnthropicModel(settings) if settings.provider == "anthropic" else OpenAIModel(settings)
