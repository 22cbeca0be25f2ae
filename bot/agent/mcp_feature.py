"""The `mcp` feature: `mcp token` and `mcp revoke` for a member's MCP client, the Confirm and Cancel
buttons of what it asks to change, and the MCP server's HTTP side (`SLOTH_MCP_ADDRESS`)."""

from __future__ import annotations

import logging

from bot.agent import mcp_tokens
from bot.agent.mcp_confirm import CANCEL, CONFIRM, answered
from bot.agent.mcp_http import PATH, Serving, serve_mcp, stop_mcp
from bot.config.feature_settings import Setting
from bot.features.context import Context
from bot.features.core import core_of
from bot.features.invocation import Click, Invocation
from bot.features.router import Args, Param, Router
from bot.pure.blocks import Reply, context_block, notice, section

log = logging.getLogger(__name__)
router = Router("mcp", settings=[
    Setting("address", default="", env="SLOTH_MCP_ADDRESS",
            help="host:port for Sloth's MCP server over streamable HTTP (path /mcp), e.g. 127.0.0.1:8765; "
                 "empty: off (see the README, `sloth mcp`)"),
])
SERVING: dict[int, Serving] = {}  # by id of the core it serves


def serving_port(ctx: Context) -> int | None:
    """The port the MCP server listens on for this core, if it runs."""
    found = SERVING.get(id(core_of(ctx)))
    return found.port if found else None


@router.command(
    "mcp", "Let an MCP client (an IDE, a notebook) use Sloth as you: `mcp token` makes its token, "
    "`mcp revoke` stops it.", Param("action", choices=("token", "revoke")),
    examples=("mcp token", "mcp revoke"), tool=False,  # a model never makes or drops its own token
)
async def mcp_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    core = core_of(ctx)
    action = str(args["action"]).lower()
    if action == "revoke":
        if await mcp_tokens.revoke(core, inv.user):
            return notice("Done: your MCP token no longer works.")
        return notice("You have no MCP token.")
    if action != "token":
        return notice("`mcp token` makes a token for your MCP client; `mcp revoke` stops it.")
    token = await mcp_tokens.issue(core, inv.user)
    where = ctx.config.address or "(the MCP server is off here: ask whoever runs Sloth to set SLOTH_MCP_ADDRESS)"
    text = (f"Your MCP token (it acts as you, with your rights; the one you had before no longer works):\n"
            f"`{token}`")
    return Reply(text=text, blocks=[
        section(text),
        context_block(f"Server: `http://{where}{PATH}` (streamable HTTP, `Authorization: Bearer <token>`), or "
                      "`sloth mcp` over stdio with SLOTH_MCP_TOKEN. Sloth keeps only a hash of it: copy it now. "
                      "Anything it asks to change waits for your Confirm here."),
    ], ephemeral=True)


@router.action(CONFIRM)
async def confirm(ctx: Context, click: Click) -> Reply:
    return await answered(core_of(ctx), click, confirmed=True)


@router.action(CANCEL)
async def cancel(ctx: Context, click: Click) -> Reply:
    return await answered(core_of(ctx), click, confirmed=False)


@router.started
async def start_server(ctx: Context) -> None:
    address = str(ctx.config.address or "")
    if not address:
        return
    core = core_of(ctx)
    if core.settings.workspaces == "many":
        log.warning("SLOTH_MCP_ADDRESS is set, but the MCP server serves one workspace: it stays off")
        return
    host, _, port = address.rpartition(":")
    SERVING[id(core)] = await serve_mcp(core, host or "127.0.0.1", int(port))


@router.stopping
async def stop_server(ctx: Context) -> None:
    serving = SERVING.pop(id(core_of(ctx)), None)
    if serving is not None:
        await stop_mcp(serving)
