"""`files [#channel]`: recent files, newest first, with a Delete button on the files Sloth uploaded.

Who may press Delete: the member who asked Sloth for that file (recorded at upload), Sloth's
admins and the workspace's admins and owners. Anyone else who sees the list (it is public when
asked for with a mention) gets a polite refusal. Sloth deletes only files it uploaded itself.
"""

from __future__ import annotations

import json
from typing import Any

from bot.context import Context
from bot.dispatch import run_command
from bot.entry import Click, split_line
from bot.pages import nav_blocks, page_of
from bot.permissions import is_admin
from bot.reply import Reply, button, context, error_reply, section
from bot.router import Args, Invocation, Param, Router
from bot.text import escape, truncate
from handlers.history import when
from handlers.uploads import uploads

router = Router()
DELETE_ACTION = "files_delete"
PER_PAGE = 10
FETCH = 100


@router.command(
    "files", "Recent files, in the workspace or one channel.", Param("channel", "channel", required=False),
    scopes=("files:read", "files:write", "users:read"), examples=("files", "files #general"),
)
async def files_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    query: dict[str, Any] = {"count": FETCH}
    where = "the workspace"
    if args["channel"]:
        channel = await ctx.directory.resolve_channel(args["channel"])
        query["channel"] = channel["id"]
        where = f"#{channel.get('name', channel['id'])}"
    files: list[dict[str, Any]] = (await ctx.client.files_list(**query)).get("files", [])
    files = [f for f in files if await _listable(ctx, inv, f)]
    files.sort(key=lambda f: f.get("created", 0), reverse=True)
    await ctx.directory.load_users()
    if not files:
        return Reply(text=f"No files in {where}.", blocks=[section(f"No files in {where}.")])
    shown, page, pages = page_of(files, inv.page, PER_PAGE)
    blocks = [section(f"*Recent files in {where}*"), *[file_section(ctx, inv, f, page) for f in shown]]
    blocks += nav_blocks(inv, page, pages, len(files), "files")
    return Reply(text=f"{len(files)} files in {where}", blocks=blocks)


async def _listable(ctx: Context, inv: Invocation, file: dict[str, Any]) -> bool:
    """Everything shared in a channel; Sloth's own uploads that live only in DMs (exports) are
    listed only for the member who asked for them."""
    if file.get("channels") or file.get("groups") or file.get("user") != ctx.identity.bot_user_id:
        return True
    record = await uploads(ctx).get(file["id"])
    return bool(record and record.get("by") == inv.user)


def file_section(ctx: Context, inv: Invocation, file: dict[str, Any], page: int) -> dict[str, Any]:
    if file.get("user") != ctx.identity.bot_user_id:
        return section(file_line(ctx, file))
    value = json.dumps({"f": file["id"], "c": inv.line[:1800], "p": page}, separators=(",", ":"))
    name = truncate(file.get("title") or file.get("name") or "this file", 60)
    # One action_id per file, so each button is addressable; the router matches the prefix.
    delete = button("Delete", f"{DELETE_ACTION}:{file['id']}", value, style="danger")
    delete["confirm"] = {
        "title": {"type": "plain_text", "text": "Delete this file?"},
        "text": {"type": "plain_text", "text": f"{name} will be deleted from Slack for everyone."[:300]},
        "confirm": {"type": "plain_text", "text": "Delete"}, "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    return section(file_line(ctx, file), accessory=delete)


@router.action(DELETE_ACTION)
async def delete_file(ctx: Context, click: Click) -> Reply:
    try:
        state = json.loads(click.value)
        file_id, line, page = str(state["f"]), str(state["c"]), int(state["p"])
    except (ValueError, KeyError, TypeError):
        return error_reply("That button is out of date; list the files again.")
    record = await uploads(ctx).get(file_id)
    if not (record and record.get("by") == click.user) and not await is_admin(ctx, click.user):
        return error_reply("Only the member who asked me for that file, or an admin, can delete it.")
    info = (await ctx.client.files_info(file=file_id))["file"]
    if info.get("user") != ctx.identity.bot_user_id:
        return error_reply("I only delete files I uploaded myself.")
    await ctx.client.files_delete(file=file_id)
    await uploads(ctx).delete(file_id)
    name, args = split_line(line)
    listing = await run_command(ctx, click.invocation(name, args, page=page))
    note = context(f"Deleted `{escape(truncate(info.get('name') or file_id, 80))}`.")
    return Reply(text=f"Deleted {info.get('name') or file_id}. {listing.text}", blocks=[note, *(listing.blocks or [])])


def file_line(ctx: Context, file: dict[str, Any]) -> str:
    name = escape(truncate(file.get("title") or file.get("name") or "untitled", 80))
    link = file.get("permalink")
    title = f"<{link}|{name}>" if link else name
    owner = escape(ctx.directory.display_name(file.get("user", ""))) if file.get("user") else "?"
    size = human_size(file.get("size", 0))
    kind = escape(file.get("pretty_type") or file.get("filetype") or "file")
    return f"*{title}* · {kind}, {size}\nby {owner} · {when(str(file.get('created', 0)))}"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
