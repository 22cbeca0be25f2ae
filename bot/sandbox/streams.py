"""Answers Sloth streams (chat.startStream / appendStream / stopStream) drawn in the terminal as they
grow: the first piece under a heading, each later piece as it arrives, and when the stream stops
the rest of the text and its blocks (the feedback buttons, pressable by number)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from bot.runtime.lifecycle import Runtime
from bot.sandbox.render import Renderer, mrkdwn

Key = tuple[str, str]  # (channel, ts)


@dataclass
class Streams:
    printed: dict[Key, int] = field(default_factory=dict)  # streams being drawn: how much text is shown
    streamed: set[Key] = field(default_factory=set)  # every message seen streaming: its text is its content

    def draw(self, console: Console, renderer: Renderer, key: Key, message: dict[str, Any], title: str,
             streaming: bool) -> RenderableType | None:
        """Show what is new of a streamed message; its final blocks once it stops. None when
        `message` is no stream (the caller draws it as any other)."""
        text = str(message.get("text") or "")
        if streaming:
            self.streamed.add(key)
            if key not in self.printed:
                console.print(Text(f"{title} · writing…", style="bright_black"))
                self.printed[key] = 0
            console.print(text[self.printed[key]:], end="", markup=False, highlight=False, soft_wrap=True)
            self.printed[key] = len(text)
            return None
        blocks = renderer.blocks(message.get("blocks") or [], key[0], key[1])
        if key in self.printed:  # it stopped: the rest of its text, then its blocks
            console.print(text[self.printed.pop(key):], markup=False, highlight=False, soft_wrap=True)
            return Panel(Group(*blocks), title=f"{title} · answered", title_align="left", border_style="bright_black")
        if key in self.streamed:  # a streamed message changed later: its text (its content) and its blocks
            return Panel(Group(mrkdwn(text, renderer.names), *blocks), title=title, title_align="left",
                         border_style="bright_black")
        return None


async def answers_finished(runtime: Runtime) -> None:
    """Wait for the agent's answers in progress (they run off the ack path, beside the queue)."""
    answering = [t for t in runtime.supervisor.tasks if t.get_name().startswith("agent:")]
    if answering:
        await asyncio.wait(answering)
