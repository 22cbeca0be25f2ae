"""A feature whose files are made (and, with the job queue, uploaded) by `sloth worker`: `slowfile`
takes as long as the test wants; `brokenfile` fails on every attempt."""

from __future__ import annotations

from bot.api import (
    Args,
    Context,
    Invocation,
    Reply,
    Router,
    Setting,
    Task,
    file_link,
    made,
    notice,
    reply_place,
    upload,
)

router = Router("slowfiles", workers=("tests.e2e.queue.slow_files",), settings=[
    Setting("folder", required=True, help="where the task notes it started and waits for `go`"),
])
SLOW_PNG: Task[[str], bytes] = Task("tests.e2e.queue.slow_files:slow_png")
BROKEN_PNG: Task[[], bytes] = Task("tests.e2e.queue.slow_files:broken_png")


@router.command("slowfile", "A picture that takes as long as the test says.")
async def slowfile(ctx: Context, inv: Invocation, args: Args) -> Reply:
    file = await upload(ctx, requester=inv.user, place=await reply_place(ctx, inv),
                        data=made(SLOW_PNG, str(ctx.config.folder)), filename="slow.png", title="A slow picture",
                        comment="The slow picture you asked for.")
    return notice(f"Posted {file_link(file)}")


@router.command("brokenfile", "A picture that cannot be drawn.")
async def brokenfile(ctx: Context, inv: Invocation, args: Args) -> Reply:
    file = await upload(ctx, requester=inv.user, place=await reply_place(ctx, inv), data=made(BROKEN_PNG),
                        filename="broken.png", title="Never", comment="Never posted.")
    return notice(f"Posted {file_link(file)}")
