"""`export #channel [days]`: the channel's history as a CSV file, sent to the asker in a DM; and the
message shortcut "Export this thread": one thread's messages, the same way.

Every page of history is read, and the replies of each thread follow their parent. The CSV is
built in a worker process, like the charts, so a big channel does not hold up the event loop
(with the job queue, the `sloth worker` that builds it sends it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.api import (
    Args,
    ChannelRef,
    Context,
    Invocation,
    Limit,
    MessageShortcut,
    Param,
    Place,
    Reply,
    Router,
    Task,
    escape,
    file_link,
    made,
    notice,
    open_dm,
    readable_channel,
    upload,
    working,
)
from handlers.plots import MAX_DAYS, period
from handlers.reading import LIMITED, MAX_THREADS, Reading, read_channel, read_thread
from handlers.tally import Row

router = Router("export", workers=("handlers.tally",))
DEFAULT_DAYS = 30
# An export reads every page of a channel's history and its threads (Tier 3, shared by the
# workspace) and holds a worker process: one at a time per member, 5 an hour, 20 a day (SLOTH_LIMITS).
LIMIT = Limit(at_once=1, per_hour=5, per_day=20)
CSV_FILE: Task[[list[Row], Mapping[str, str]], bytes] = Task("handlers.tally:csv_file")
if TYPE_CHECKING:
    from bot.api import same_types
    from handlers import tally

    same_types(CSV_FILE, tally.csv_file)


@router.command(
    "export", "A channel's history as a CSV file (time, author, text, thread, reactions), sent to you in a DM.",
    Param("channel", "channel"),
    Param("days", "int", required=False, default=DEFAULT_DAYS, minimum=1, maximum=MAX_DAYS),
    scopes=("files:write", "channels:history", "groups:history", "channels:read", "groups:read", "users:read",
            "im:write", "channels:join"),
    limit=LIMIT,
    examples=("export #general", "export #random 7"),
)
async def export_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    channel = await readable_channel(ctx, inv, args["channel"], "export")
    days: int = args["days"]
    name = escape(channel.get("name", channel["id"]))
    span = "today" if days == 1 else f"the last {days} days"
    async with ctx.cpu.job():
        await working(ctx, inv, f"Exporting #{name} over {span}… I'll send you the CSV in a DM.")
        # Days are UTC here: the file's times are UTC, so its first and last rows match its name.
        first, last, start = period(ctx.clock(), 0, days)
        reading = await read_channel(ctx, channel["id"], start, replies=True)
        if not reading.rows:
            return notice(f"#{name} has no messages from {span}, so there is nothing to export.")
        await ctx.directory.load_users()
        names = {uid: ctx.directory.display_name(uid) for uid in reading.people}
        data = made(CSV_FILE, reading.rows, names)  # built in a worker process (with the queue, uploaded there)
        dm = await open_dm(ctx, inv.user)
        note = _channel_note(reading)
        filename = f"{channel.get('name', channel['id'])}-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.csv"
        file = await upload(
            ctx, requester=inv.user, place=Place(dm, None, "a DM"), data=data, filename=filename,
            title=f"Export of #{channel.get('name')}, {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            comment=(f"#{name} from {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC): {reading.messages:,} "
                     f"messages and {reading.fetched_replies:,} thread replies.{note}"),
        )
    return notice(f"Sent you the export of #{name} in a DM: {file_link(file)}{note if reading.limited else ''}")


def _channel_note(reading: Reading) -> str:
    """What the file leaves out, and why."""
    if reading.limited:
        since = datetime.fromtimestamp(float(reading.rows[0][0]), UTC)
        return (f" {LIMITED}: this export holds only the newest {reading.messages:,} messages, from "
                f"{since:%Y-%m-%d %H:%M} UTC, without thread replies.")
    if reading.threads_skipped:
        return (f" Replies of the {reading.threads_skipped:,} oldest threads are left out (only the newest "
                f"{MAX_THREADS} threads are expanded).")
    return ""


@router.message_shortcut("export_thread", "Export this thread", "This thread's messages as a CSV file, by DM",
                         limit=LIMIT)
async def export_thread(ctx: Context, shortcut: MessageShortcut) -> Reply:
    """The thread of the message (its first message and every reply) as a CSV, in the member's DM."""
    inv = shortcut.invocation("export")
    channel = await readable_channel(ctx, inv, ChannelRef(id=shortcut.channel), "export")
    name = escape(channel.get("name", channel["id"]))
    async with ctx.cpu.job():
        await working(ctx, inv, f"Exporting the thread in #{name}… I'll send you the CSV in a DM.")
        reading = await read_thread(ctx, channel["id"], shortcut.thread)
        if not reading.rows:
            return notice("That thread has no messages left to export.")
        await ctx.directory.load_users()
        names = {uid: ctx.directory.display_name(uid) for uid in reading.people}
        data = made(CSV_FILE, reading.rows, names)
        dm = await open_dm(ctx, inv.user)
        note = f" {LIMITED}: this file holds only the thread's first messages." if reading.limited else ""
        file = await upload(
            ctx, requester=inv.user, place=Place(dm, None, "a DM"), data=data,
            filename=f"{channel.get('name', channel['id'])}-thread-{shortcut.thread.replace('.', '-')}.csv",
            title=f"A thread of #{channel.get('name')}",
            comment=f"A thread of #{name}: its first message and {reading.fetched_replies:,} replies.{note}",
        )
    return notice(f"Sent you the thread in #{name} as a CSV in a DM: {file_link(file)}{note}")
