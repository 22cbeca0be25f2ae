"""`files [#channel]`: recent files, newest first, with a Delete button on the files Sloth uploaded.

Who may press Delete: the member who asked Sloth for that file (recorded at upload), Sloth's
admins and the workspace's admins and owners. Anyone else who sees the list (it is public when
asked for with a mention) gets a polite refusal. Sloth deletes only files it uploaded itself.
"""

from __future__ import annotations

from typing import Any

from bot.api import (
    Args,
    Click,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    button,
    context_block,
    escape,
    forget_upload,
    is_admin,
    nav_blocks,
    notice,
    page_of,
    read_rerun,
    rerun_value,
    section,
    split_line,
    truncate,
    uploader,
)
from handlers.history import when

router = Router("files")
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
    """A file shared where the asker can see it (public channels first, so that a file also
    posted in one keeps the answer public), one they uploaded, or one they asked Sloth for."""
    for place in [*file.get("channels", []), *file.get("groups", []), *file.get("ims", [])]:
        if await ctx.access.shown_to(inv.user, str(place)):
            return True
    if file.get("user") == inv.user:
        return True
    return file.get("user") == ctx.identity.bot_user_id and await uploader(ctx, file["id"]) == inv.user


def file_section(ctx: Context, inv: Invocation, file: dict[str, Any], page: int) -> dict[str, Any]:
    if file.get("user") != ctx.identity.bot_user_id:
        return section(file_line(ctx, file))
    value = rerun_value(inv.line, f=file["id"], p=page)
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
    state = read_rerun(click.value)
    file_id, page = (state[1].get("f"), state[1].get("p")) if state else (None, None)
    if state is None or not isinstance(file_id, str) or not isinstance(page, int):
        return notice("That button is out of date; list the files again.")
    if await uploader(ctx, file_id) != click.user and not await is_admin(ctx, click.user):
        return notice("Only the member who asked me for that file, or an admin, can delete it.")
    info = (await ctx.client.files_info(file=file_id))["file"]
    if info.get("user") != ctx.identity.bot_user_id:
        return notice("I only delete files I uploaded myself.")
    await ctx.client.files_delete(file=file_id)
    await forget_upload(ctx, file_id)
    name, args = split_line(state[0])
    listing = await ctx.run(click.invocation(name, args, page=page))
    note = context_block(f"Deleted `{escape(truncate(info.get('name') or file_id, 80))}`.")
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
