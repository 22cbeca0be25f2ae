"""Every command as a tool for a model or an MCP client, run through the slash command's own dispatch.

A tool is a command of the registry (built-in or a team's feature) with a JSON Schema generated
from its parameters (`bot.agent.schema`); a feature leaves a command out with `tool=False` or
describes it better for a model with `tool="…"`. `run_tool` runs one as the member it acts for,
through `bot.handling.dispatch.attempt`: the member's permissions (`admin_only`), the channels
they may see, `token="user"` (their own connection, or the answer that they must connect), the
command's limit, scopes and the guard all apply as they do to the slash command.

`changes` says the command changes the workspace or a run. `run_tool` never asks for a
confirmation itself: what runs a tool on a model's word (the agent, the MCP server) must have the
member confirm a changing one first, saying exactly what will be done (`describe_call`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import guard
from bot.agent.schema import ArgumentError, fields_of, input_schema
from bot.features.core import Core
from bot.features.invocation import Invocation
from bot.features.registry import Registry
from bot.features.router import Command
from bot.handling.dispatch import attempt, scope_for
from bot.handling.steps import plain
from bot.pure.blocks import Reply, notice
from bot.slack.asking import asking


@dataclass(frozen=True)
class Tool:
    name: str  # the command's name
    description: str
    input_schema: dict[str, Any]
    changes: bool  # running it changes the workspace or a run: confirm it with the member first
    admin_only: bool


@dataclass(frozen=True)
class ToolResult:
    """What running a tool came to: its answer as plain text (for a model), whether the command went
    through, and the reply itself (a Connect button, say, to show the member)."""

    text: str
    ok: bool
    reply: Reply


def is_tool(command: Command) -> bool:
    return command.tool is not False


def describe(command: Command) -> str:
    """The tool's description: the feature's own for a model, else the summary, usage and examples."""
    if isinstance(command.tool, str):
        return command.tool
    lines = [command.summary, f"Typed as: {command.usage}"]
    if command.examples:
        lines.append("For example: " + "; ".join(command.examples[:3]))
    if command.admin_only:
        lines.append("Only Sloth's admins (and the workspace's admins and owners) may run it.")
    if command.token == "user":
        lines.append("It acts as the member with their own Slack connection.")
    return "\n".join(lines)


def tool_of(command: Command) -> Tool:
    return Tool(name=command.name, description=describe(command), input_schema=input_schema(command),
                changes=command.changes, admin_only=command.admin_only)


def tools_for(registry: Registry, *, admin: bool) -> list[Tool]:
    """The tools a member may run: every command that is a tool and is switched on, the admin-only
    ones only for an admin. (Dispatch checks again when one runs.)"""
    return [tool_of(c) for c in registry.listed()
            if is_tool(c) and c.name not in registry.unavailable and (admin or not c.admin_only)]


def find_tool(registry: Registry, name: str) -> Command | None:
    command = registry.commands.get(name)  # by its name exactly: a tool's name is the command's
    return command if command is not None and command.name == name and is_tool(command) else None


def describe_call(registry: Registry, name: str, arguments: Mapping[str, Any]) -> str:
    """Exactly what running the tool will do, as the member would type it, for a confirmation."""
    command = find_tool(registry, name)
    if command is None:
        return f"{name} {json.dumps(dict(arguments), ensure_ascii=False)}"
    try:
        fields = fields_of(command, arguments)
    except ArgumentError:
        return f"{name} {json.dumps(dict(arguments), ensure_ascii=False)}"
    return " ".join([command.name, *(value for _, value in fields if value)])


async def run_tool(core: Core, tool_name: str, arguments: Mapping[str, Any], *, member: str,
                   channel: str | None) -> ToolResult:
    """Run the tool as `member`, answered for `channel` (None: the member's DM with Sloth), through
    the slash command's dispatch; the reply as plain text. Refusals (not an admin, not connected, a
    bad argument in the parser's words) come back as text with ok=False."""
    command = find_tool(core.registry, tool_name)
    if command is None:
        return failed(core, notice(f"There is no tool called `{tool_name}`."))
    try:
        fields = fields_of(command, arguments)
    except ArgumentError as e:
        return failed(core, notice(str(e)))
    if channel is None:
        channel = str((await core.client.conversations_open(users=member))["channel"]["id"])
    inv = Invocation(name=command.name, args=" ".join(v for _, v in fields if v), user=member, channel=channel,
                     source="tool", fields=fields)
    with guard.handling(await scope_for(core, inv, command)), asking(member, channel):
        ran = await attempt(core, inv, command)
    return ToolResult(text=reply_text(core, ran.reply), ok=ran.done, reply=ran.reply)


def failed(core: Core, reply: Reply) -> ToolResult:
    return ToolResult(text=reply_text(core, reply), ok=False, reply=reply)


def reply_text(core: Core, reply: Reply) -> str:
    """The reply as a model reads it: its blocks' words (a section's text and fields, a header, a
    context line), else its text; mentions as names, Slack's escaping undone."""
    said = [text for block in reply.blocks or [] for text in block_texts(block)]
    return plain(core, "\n".join(said) if said else reply.text)


def block_texts(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    if kind in ("section", "header"):
        text = block.get("text")
        texts = [text.get("text", "")] if isinstance(text, dict) else []
        return texts + [f.get("text", "") for f in block.get("fields") or [] if isinstance(f, dict)]
    if kind == "context":
        return [e.get("text", "") for e in block.get("elements") or [] if isinstance(e, dict) and "text" in e]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    return []
