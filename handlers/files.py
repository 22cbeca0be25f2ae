"""`files [#channel]`: recent files, newest first."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.pages import nav_blocks, page_of
from bot.reply import Reply, section
from bot.router import Args, Invocation, Param, Router
from bot.text import escape, truncate
from handlers.history import when

router = Router()
PER_PAGE = 10
FETCH = 100


@router.command(
    "files", "Recent files, in the workspace or one channel.", Param("channel", "channel", required=False),
    scopes=("files:read", "users:read"), examples=("files", "files #general"),
)
async def files_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    query: dict[str, Any] = {"count": FETCH}
    where = "the workspace"
    if args["channel"]:
        channel = await ctx.directory.resolve_channel(args["channel"])
        query["channel"] = channel["id"]
        where = f"#{channel.get('name', channel['id'])}"
    files: list[dict[str, Any]] = (await ctx.client.files_list(**query)).get("files", [])
    files.sort(key=lambda f: f.get("created", 0), reverse=True)
    await ctx.directory.load_users()
    if not files:
        return Reply(text=f"No files in {where}.", blocks=[section(f"No files in {where}.")])
    shown, page, pages = page_of(files, inv.page, PER_PAGE)
    blocks = [section(f"*Recent files in {where}*"), *[section(file_line(ctx, f)) for f in shown]]
    blocks += nav_blocks(inv, page, pages, len(files), "files")
    return Reply(text=f"{len(files)} files in {where}", blocks=blocks)


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
