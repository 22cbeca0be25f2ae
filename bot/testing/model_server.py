"""A scripted language model over HTTP, for tests and benchmarks of Sloth's agent: never a real provider.

`ScriptedModel` serves OpenAI's chat completions (`POST /v1/chat/completions`) and Anthropic's
messages (`POST /v1/messages`) on 127.0.0.1, port 0, streaming each answer as server-sent
events the way those APIs do, so the real `openai` and `anthropic` clients talk to it unchanged.
Each request takes the next `Step` of the script (or asks `script(request)` for it): some text,
split into chunks, and tool calls; or an HTTP error. Every request body is kept (`requests`) so
a test can read exactly what Sloth sent the model, and `first_token_at` holds when each answer's
first piece of text left (time.time, as the emulator stamps calls), for the benchmark.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    text: str = ""
    calls: tuple[Call, ...] = ()
    chunks: int = 3  # the text is sent in this many pieces
    delay: float = 0.0  # seconds before the first byte (a slow model)
    gap: float = 0.0  # seconds between pieces
    status: int = 200  # anything else: an error answer, as the provider would send it
    input_tokens: int = 50
    output_tokens: int = 20


def pieces(text: str, count: int) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // max(1, count)))
    return [text[i:i + size] for i in range(0, len(text), size)]


class ScriptedModel:
    def __init__(self, script: Sequence[Step] | Callable[[dict[str, Any]], Step]) -> None:
        self._script = script if callable(script) else iter(list(script))
        self.requests: list[dict[str, Any]] = []
        self.first_token_at: list[float] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def _next(self, body: dict[str, Any]) -> Step:
        self.requests.append(body)
        if callable(self._script):
            return self._script(body)
        return next(self._script, Step(text="(the script has run out)"))

    async def __aenter__(self) -> ScriptedModel:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_post("/v1/messages", self._anthropic)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    async def _begin(self, request: web.Request, step: Step) -> web.StreamResponse:
        if step.delay:
            await asyncio.sleep(step.delay)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        return response

    async def _text(self, step: Step, send: Callable[[str], Any]) -> None:
        for number, piece in enumerate(pieces(step.text, step.chunks)):
            if number and step.gap:
                await asyncio.sleep(step.gap)
            await send(piece)
            if number == 0:
                self.first_token_at.append(time.time())

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        step = self._next(await request.json())
        if step.status != 200:
            return web.json_response({"error": {"message": "scripted failure", "type": "scripted", "code": None}},
                                     status=step.status)
        response = await self._begin(request, step)
        base = {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": "scripted"}

        async def chunk(delta: dict[str, Any], finish: str | None = None) -> None:
            data = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            await response.write(f"data: {json.dumps(data)}\n\n".encode())

        await chunk({"role": "assistant", "content": ""})
        await self._text(step, lambda piece: chunk({"content": piece}))
        for index, call in enumerate(step.calls):
            await chunk({"tool_calls": [{"index": index, "id": f"call_{next(self._ids)}", "type": "function",
                                         "function": {"name": call.name, "arguments": ""}}]})
            await chunk({"tool_calls": [{"index": index, "function": {"arguments": json.dumps(call.arguments)}}]})
        await chunk({}, "tool_calls" if step.calls else "stop")
        usage = {"prompt_tokens": step.input_tokens, "completion_tokens": step.output_tokens,
                 "total_tokens": step.input_tokens + step.output_tokens}
        await response.write(f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _anthropic(self, request: web.Request) -> web.StreamResponse:
        step = self._next(await request.json())
        if step.status != 200:
            return web.json_response({"type": "error", "error": {"type": "scripted", "message": "scripted failure"}},
                                     status=step.status)
        response = await self._begin(request, step)

        async def event(kind: str, data: dict[str, Any]) -> None:
            await response.write(f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode())

        await event("message_start", {"message": {
            "id": f"msg_{next(self._ids)}", "type": "message", "role": "assistant", "content": [], "model": "scripted",
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": step.input_tokens, "output_tokens": 1}}})
        index = 0
        if step.text:
            await event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
            await self._text(step, lambda piece: event("content_block_delta", {
                "index": 0, "delta": {"type": "text_delta", "text": piece}}))
            await event("content_block_stop", {"index": 0})
            index = 1
        for number, call in enumerate(step.calls, start=index):
            await event("content_block_start", {"index": number, "content_block": {
                "type": "tool_use", "id": f"toolu_{next(self._ids)}", "name": call.name, "input": {}}})
            await event("content_block_delta", {"index": number, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(call.arguments)}})
            await event("content_block_stop", {"index": number})
        await event("message_delta", {"delta": {"stop_reason": "tool_use" if step.calls else "end_turn",
                                                "stop_sequence": None},
                                      "usage": {"output_tokens": step.output_tokens}})
        await event("message_stop", {})
        await response.write_eof()
        return response
