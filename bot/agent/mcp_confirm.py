"""A changing tool asked for over MCP waits for its member's Confirm in Slack.

The request (tool, arguments, member) is kept in the store for ten minutes under a random id and
the member gets a DM from Sloth saying exactly what will be done, with Confirm and Cancel. Only
that member's Confirm runs it (through `run_tool`, as them), once: the request is taken out of the
store before it runs, so a second press finds nothing. Nothing the MCP client (or the model behind
it) sends can confirm: the confirmation happens in Slack, where the member is signed in.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.agent.mcp_tokens import store_of
from bot.agent.tools import describe_call, run_tool
from bot.features.core import Core
from bot.features.invocation import Click
from bot.pure.blocks import Reply, actions, button, context_block, notice, section
from bot.pure.text import escape

CONFIRM, CANCEL = "sloth_mcp:confirm", "sloth_mcp:cancel"
WAIT_SECONDS = 600.0


async def ask_to_confirm(core: Core, member: str, tool: str, arguments: dict[str, Any]) -> str:
    """Keep the request and DM the member Confirm / Cancel; what to tell the MCP client."""
    request_id = secrets.token_urlsafe(12)
    line = describe_call(core.registry, tool, arguments)
    await store_of(core).set(f"confirm:{request_id}", {"member": member, "tool": tool, "arguments": arguments},
                             ttl=WAIT_SECONDS)
    said = f"An MCP client acting as you asks Sloth to run:\n`{escape(line)}`"
    dm = str((await core.client.conversations_open(users=member))["channel"]["id"])
    await core.client.chat_postMessage(channel=dm, text=said, blocks=[
        section(said),
        actions(button("Confirm", CONFIRM, request_id, "primary"), button("Cancel", CANCEL, request_id)),
        context_block(f"Nothing happens unless you press Confirm within {int(WAIT_SECONDS // 60)} minutes."),
    ])
    return (f"Not done yet: this changes the workspace or a run, so Sloth asked the member in Slack to confirm "
            f"`{line}`. It runs only when they press Confirm there (within {int(WAIT_SECONDS // 60)} minutes); "
            "do not ask again meanwhile.")


async def answered(core: Core, click: Click, confirmed: bool) -> Reply:
    """The member pressed Confirm or Cancel: run the request (once) or drop it."""
    store = store_of(core)
    key = f"confirm:{click.value}"
    pending = await store.get(key)
    if not isinstance(pending, dict) or pending.get("taken"):
        return Reply(text="This request has expired or was already answered.", replace=True)
    if pending.get("member") != click.user:
        return notice("Only the member whose MCP client asked can confirm this.")
    if not await store.compare_and_set(key, pending, {"taken": True}, ttl=WAIT_SECONDS):  # run once, pressed twice
        return Reply(text="This request was already answered.", replace=True)
    line = describe_call(core.registry, pending["tool"], pending["arguments"])
    if not confirmed:
        return Reply(text=f"Cancelled: `{escape(line)}` was not run.", replace=True)
    result = await run_tool(core, pending["tool"], pending["arguments"], member=click.user, channel=click.channel)
    text = f"{'Done' if result.ok else 'Not done'}: `{escape(line)}`\n{escape(result.text)}"
    return Reply(text=text, blocks=[section(text)], replace=True)
