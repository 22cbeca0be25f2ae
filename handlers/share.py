"""`share [name] [#channel]`: upload a file from Sloth's files folder (SLOTH_FILES_DIR).

Only files inside the folder can be shared. The name is opened one path component at a time,
relative to the folder, without following symlinks (`openat` with O_NOFOLLOW), so `..`,
absolute paths and symlinks anywhere on the way are refused by construction, not by comparing
strings, and nothing can be swapped in between a check and the read.

A name no file can have (a part longer than 255 bytes, characters no file name holds) and a
file Slack will not take (a type or size the workspace does not allow) get a plain answer that
says what is wrong and the limit.
"""

from __future__ import annotations

import asyncio
import errno
import os
import stat
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.api import (
    Args,
    Context,
    Invocation,
    Param,
    Place,
    Reply,
    Router,
    Setting,
    UserError,
    asker_name,
    context_block,
    escape,
    notice,
    readable,
    readable_channel,
    reply_place,
    section,
    truncate,
    upload,
)
from handlers.files import human_size

router = Router("share", settings=[
    Setting("files_dir", Path, default=Path("files"), env="SLOTH_FILES_DIR",
            help="the folder `share` uploads from; nothing outside it is ever read"),
    Setting("max_mb", float, default=25.0, env="SLOTH_SHARE_MAX_MB", minimum=0.001, maximum=1024,
            help="the largest file `share` uploads, in megabytes"),
])
LISTED = 30
# What file systems allow: 255 bytes for a file or folder name (ext4, XFS, APFS, NTFS alike; an
# accented letter takes 2, an emoji 4) and 4,096 for a whole path (Linux's PATH_MAX).
NAME_MAX = 255
PATH_MAX = 4096
# files.getUploadURLExternal's refusals of a file (Slack's reference for the method).
SLACK_REFUSALS = {
    "file_type_not_allowed": "this workspace does not allow files of that type",
    "file_upload_size_restricted": "this workspace does not allow uploads that large",
    "file_uploads_disabled": "this workspace has turned file uploads off",
    "file_uploads_except_images_disabled": "this workspace allows only images to be uploaded",
}


class Refused(UserError):
    """A name that does not lead to a shareable file in the folder."""


@router.command(
    "share", "Upload a file from Sloth's files folder to a channel (without a name: list the files).",
    Param("name", required=False), Param("channel", "channel", required=False),
    scopes=("files:write", "channels:read", "groups:read", "channels:join"), changes=True,
    examples=("share", "share report.pdf", "share charts/q3.png #general"),
)
async def share_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    folder, limit = ctx.config.files_dir, int(ctx.config.max_mb * 1024 * 1024)
    if not args["name"]:
        return await listing(folder, limit)
    target = None
    if args["channel"] is not None:
        channel = await readable_channel(ctx, inv, args["channel"], "share files in")
        target = Place(channel["id"], None, f"#{channel.get('name', channel['id'])}")
    filename, data = await asyncio.to_thread(read_shared, folder, args["name"], limit)
    place = target or await reply_place(ctx, inv)
    asker = await asker_name(ctx, inv.user)
    try:
        await upload(ctx, requester=inv.user, place=place, data=data, filename=filename, title=filename,
                     comment=f"`{escape(filename)}`, shared by {asker}.")
    except SlackApiError as e:
        why = SLACK_REFUSALS.get(str(e.response.get("error")))
        if why is None:
            raise
        raise Refused(f"Slack would not take `{escape(filename)}`: {why}. Ask a workspace admin, or share "
                      "another file.") from None
    where = f"in a DM, since {place.moved}" if place.moved else (
        "here" if place.label == "here" else f"in {escape(place.label)}")
    return notice(f"Shared `{escape(filename)}` ({human_size(len(data))}) {where}.")


def read_shared(folder: Path, name: str, limit: int) -> tuple[str, bytes]:
    """(file name, bytes) of `name` inside `folder`; Refused for anything else. Blocking."""
    shown = truncate(readable(name), 80)
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\", "~")) or (len(name) > 1 and name[1] == ":"):
        raise Refused(f"`{shown}` is an absolute path; name a file inside Sloth's files folder.")
    if any(part in ("", ".", "..") for part in parts) or "\x00" in name:
        raise Refused(f"`{shown}` leads outside Sloth's files folder (or is not a plain path); I only share "
                      "files inside it.")
    if any(part.startswith(".") for part in parts):
        raise Refused(f"`{shown}` is a hidden file; I don't share those.")
    check_length(name, parts, shown)
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        raise Refused("Sloth's files folder (SLOTH_FILES_DIR) is missing; ask an admin to set it up.") from None
    try:
        for part in parts[:-1]:
            inner = _open(directory, part, os.O_RDONLY | os.O_DIRECTORY, shown)
            os.close(directory)
            directory = inner
        handle = _open(directory, parts[-1], os.O_RDONLY | os.O_NONBLOCK, shown)
    finally:
        os.close(directory)
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise Refused(f"`{shown}` is not a regular file.")
    with os.fdopen(handle, "rb") as file:
        if info.st_size > limit:
            raise Refused(f"`{shown}` is {human_size(info.st_size)}; I share files up to {human_size(limit)}.")
        data = file.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise Refused(f"`{shown}` is over {human_size(limit)}; I share files up to that size.")
    return parts[-1], data


def check_length(name: str, parts: list[str], shown: str) -> None:
    """Refuse a name no file in the folder can have, saying why and what the limit is."""
    try:
        longest = max(len(part.encode()) for part in parts)
        whole = len(name.encode())
    except UnicodeEncodeError:  # a lone surrogate: no file system stores it
        raise Refused(f"`{shown}` has characters no file name can hold, so there is no such file.") from None
    if longest > NAME_MAX:
        raise Refused(f"`{shown}` is too long to name a file: {_long(parts)}, and a file or folder name is at "
                      f"most {NAME_MAX} bytes (a letter is 1, an accented letter 2, an emoji 4). `share` lists "
                      "the files.")
    if whole > PATH_MAX:
        raise Refused(f"`{shown}` is too long to be a path: {whole:,} bytes, and a path is at most "
                      f"{PATH_MAX:,}. `share` lists the files.")


def _long(parts: list[str]) -> str:
    part = max(parts, key=lambda p: len(p.encode()))
    size, chars = len(part.encode()), len(part)
    what = "it is" if len(parts) == 1 else "one of its parts is"
    return f"{what} {chars:,} characters" + (f" ({size:,} bytes)" if size != chars else "")


def _open(directory: int, part: str, flags: int, shown: str) -> int:
    try:
        return os.open(part, flags | os.O_NOFOLLOW, dir_fd=directory)
    except OSError as e:
        if e.errno == errno.ENAMETOOLONG:  # this file system allows less than NAME_MAX
            raise Refused(f"`{shown}` is too long for the file system of Sloth's files folder, so there is "
                          "no such file. `share` lists the files.") from None
        if e.errno in (errno.EINVAL, errno.EILSEQ):
            raise Refused(f"`{shown}` is not a name the file system of Sloth's files folder can hold, so "
                          "there is no such file.") from None
        if e.errno == errno.ELOOP or (e.errno == errno.ENOTDIR and _is_link(directory, part)):
            raise Refused(f"`{shown}` goes through a symlink; I only share files that are really in the "
                          "folder.") from None
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            raise Refused(f"There is no file `{shown}` in Sloth's files folder. `share` lists them.") from None
        if e.errno == errno.EACCES:
            raise Refused(f"I'm not allowed to read `{shown}`.") from None
        raise


def _is_link(directory: int, part: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(part, dir_fd=directory, follow_symlinks=False).st_mode)
    except OSError:
        return False


async def listing(folder: Path, limit: int) -> Reply:
    found = await asyncio.to_thread(shareable, folder)
    if found is None:
        raise UserError("Sloth's files folder (SLOTH_FILES_DIR) is missing; ask an admin to set it up.")
    if not found:
        return Reply(text="Sloth's files folder is empty.", blocks=[section("Sloth's files folder is empty.")])
    lines = [f"• `{escape(name)}` · {human_size(size)}" + (" _(too big to share)_" if size > limit else "")
             for name, size in found[:LISTED]]
    more = [context_block(f"…and {len(found) - LISTED} more.")] if len(found) > LISTED else []
    return Reply(text=f"{len(found)} files can be shared",
                 blocks=[section("*Files I can share* (`share <name> [#channel]`)\n" + "\n".join(lines)), *more])


def shareable(folder: Path) -> list[tuple[str, int]] | None:
    """Regular, non-hidden files under `folder`, found without following symlinks."""
    if not folder.is_dir():
        return None
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            info = path.lstat()
            if not name.startswith(".") and stat.S_ISREG(info.st_mode):
                found.append((path.relative_to(folder).as_posix(), info.st_size))
        if len(found) > 10 * LISTED:
            break
    return found
