"""`plot activity [#channel] [days]` and `plot members [#channel]`: charts uploaded as PNG files.

The history is read here, on the event loop, a page at a time; counting and drawing happen in
a worker process (`ctx.cpu`), so acks and other commands are not held up while a chart is made.
With the job queue, the `sloth worker` that draws a chart uploads it too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

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
    UsageError,
    UserError,
    asker_name,
    escape,
    file_link,
    made,
    notice,
    readable_channel,
    reply_place,
    shown,
    upload,
    working,
)
from handlers.chart_data import Activity, Members
from handlers.reading import LIMITED, read_channel
from handlers.tally import local_day, zones

router = Router("plots", workers=("handlers.charts",))
DEFAULT_DAYS = 30
MAX_DAYS = 365
KINDS = "activity|members"
# Each chart reads history (Tier 3, shared by the workspace) and holds a worker process: both
# kinds together, a member may have 2 in the making, 15 an hour and 60 a day (SLOTH_LIMITS).
LIMIT = Limit(at_once=2, per_hour=15, per_day=60)
# Drawn in a worker process; named, not imported, so this process never loads matplotlib.
ACTIVITY_PNG: Task[[Activity], bytes] = Task("handlers.charts:activity_png")
MEMBERS_PNG: Task[[Members], bytes] = Task("handlers.charts:members_png")
if TYPE_CHECKING:  # only mypy imports the chart module, to check the tasks' types
    from bot.api import same_types
    from handlers import charts

    same_types(ACTIVITY_PNG, charts.activity_png)
    same_types(MEMBERS_PNG, charts.members_png)


@router.command(
    "plot", "Charts as PNG files: a channel's activity (messages per day, top posters) or members' time zones.",
    Param(KINDS), Param("channel", "channel", required=False),
    Param("days", "int", required=False, minimum=1, maximum=MAX_DAYS),
    scopes=("files:write", "channels:history", "groups:history", "channels:read", "groups:read", "users:read",
            "channels:join"),
    limit=LIMIT,
    examples=("plot activity #general", "plot activity #random 90", "plot members", "plot members #random"),
)
async def plot_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    kind = str(args[KINDS]).lower()
    if kind == "activity":
        return await plot_activity(ctx, inv, args)
    if kind in ("members", "zones", "timezones"):
        ref = args["channel"]
        if args["days"] is not None or (ref is not None and ref.name and ref.name.isdigit()):
            raise UserError("`plot members` takes a channel but no number of days.")
        return await plot_members(ctx, inv, args["channel"])
    command = ctx.commands.find("plot")
    assert command is not None
    raise UsageError(command, f"I can plot `activity` or `members`, not `{shown(kind, 30)}`.")


@router.message_shortcut("chart_activity", "Chart this channel", "A chart of this channel's messages per day and "
                                                                   "top posters over the last 30 days")
async def chart_activity(ctx: Context, shortcut: MessageShortcut) -> Reply:
    """`plot activity` of the channel the message is in, run as the member who used the shortcut."""
    return await ctx.run(shortcut.invocation("plot", f"activity <#{shortcut.channel}>"))


def _channel_and_days(inv: Invocation, args: Args) -> tuple[ChannelRef, int]:
    ref, days = args["channel"], args["days"]
    if ref is not None and ref.name and ref.name.isdigit() and days is None:
        # `plot activity 7`: a number where the channel goes means days in this channel.
        days, ref = int(ref.name), None
        if not 1 <= days <= MAX_DAYS:
            raise UserError(f"days should be between 1 and {MAX_DAYS}.")
    return ref or ChannelRef(id=inv.channel), days or DEFAULT_DAYS


async def viewer_zone(ctx: Context, user_id: str) -> tuple[int, str]:
    member = await ctx.directory.user(user_id) or {}
    return int(member.get("tz_offset") or 0), str(member.get("tz_label") or "UTC")


def period(now: float, tz_offset: int, days: int) -> tuple[date, date, float]:
    """(first local day, last local day, unix time of the first day's local midnight)."""
    last = local_day(str(now), tz_offset)
    first = last - timedelta(days=days - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp() - tz_offset
    return first, last, start


async def plot_activity(ctx: Context, inv: Invocation, args: Args) -> Reply:
    ref, days = _channel_and_days(inv, args)
    channel = await readable_channel(ctx, inv, ref, "plot")
    name = escape(channel.get("name", channel["id"]))
    span = "today" if days == 1 else f"the last {days} days"
    async with ctx.cpu.job():
        await working(ctx, inv, f"Drawing the activity of #{name} over {span}…")
        tz_offset, tz_label = await viewer_zone(ctx, inv.user)
        first, last, start = period(ctx.clock(), tz_offset, days)
        reading = await read_channel(ctx, channel["id"], start, replies=False)
        if not reading.rows:
            return notice(f"#{name} has no messages from {span}, so there is nothing to plot.")
        limit_note, covers = "", span
        if reading.limited:
            # Only the newest messages were read: the chart starts at the day of the oldest of them.
            first = local_day(reading.rows[0][0], tz_offset)
            covered = (last - first).days + 1
            covers = "today" if covered == 1 else f"the last {covered} days"
            newest = f"the newest {reading.messages} messages"
            limit_note = (f" {LIMITED}: this chart covers {covers} ({newest}), not {span}." if covered < days
                          else f" {LIMITED}: this chart shows only {newest} of {span}.")
        await ctx.directory.load_users()
        names = {uid: ctx.directory.display_name(uid) for uid in reading.people}
        png = made(ACTIVITY_PNG, Activity(
            channel.get("name", channel["id"]), reading.rows, first, last, tz_offset, tz_label, names,
            reading.replies))
        private = channel["id"] if channel.get("is_private") else None
        place = await reply_place(ctx, inv, private_to=private)
        count = f"{reading.messages:,} messages"
        asker = await asker_name(ctx, inv.user)
        file = await upload(  # drawn in a worker process, and with the job queue uploaded from there
            ctx, requester=inv.user, place=place, data=png, filename=f"activity-{channel.get('name', 'channel')}.png",
            title=f"Activity of #{channel.get('name')}, {first:%b %d} – {last:%b %d}",
            comment=f"Activity of #{name} over {covers}: {count}, asked for by {asker}.{limit_note}",
            alt=f"Bar chart of messages per day in #{channel.get('name')} and its top posters",
        )
    return _done(place, file, f"the activity chart of #{name}", limit_note)


async def plot_members(ctx: Context, inv: Invocation, ref: ChannelRef | None) -> Reply:
    where, private = "the workspace", None
    if ref is not None:
        channel = await readable_channel(ctx, inv, ref, "plot the members of")
        where = f"#{channel.get('name', channel['id'])}"
        private = channel["id"] if channel.get("is_private") else None
        people = await _channel_people(ctx, channel["id"])
    else:
        people = await ctx.directory.members()
    humans = [m for m in people if not (m.get("is_bot") or m.get("deleted") or m.get("id") == "USLACKBOT")]
    if not humans:
        return notice(f"There are no members in {escape(where)} to plot.")
    async with ctx.cpu.job():
        tz_offset, tz_label = await viewer_zone(ctx, inv.user)
        now_hour = ((ctx.clock() + tz_offset) % 86400) / 3600
        png = made(MEMBERS_PNG, Members(where, zones(humans), tz_offset, tz_label, now_hour))
        place = await reply_place(ctx, inv, private_to=private)
        asker = await asker_name(ctx, inv.user)
        file = await upload(
            ctx, requester=inv.user, place=place, data=png, filename="members-time-zones.png",
            title=f"Who is awake when in {where}",
            comment=f"Time zones of the {len(humans):,} members of {escape(where)}, asked for by {asker}.",
            alt=f"Members of {where} awake and working at each hour, and members per time zone",
        )
    return _done(place, file, f"the time-zone chart of {escape(where)}")


async def _channel_people(ctx: Context, channel: str) -> list[dict[str, Any]]:
    await ctx.directory.load_users()
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = await ctx.client.conversations_members(channel=channel, limit=1000, cursor=cursor or None)
        ids: list[str] = response.get("members", [])
        found += [ctx.directory.users[u] for u in ids if u in ctx.directory.users]
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return found


def _done(place: Place, file: dict[str, Any], what: str, note: str = "") -> Reply:
    link = file_link(file)
    if place.moved:
        text = f"{place.moved[:1].upper()}{place.moved[1:]}, so I sent you {what} in a DM: {link}"
    else:
        text = f"Posted {what}: {link}"
    if not file.get("shared"):
        text += " (Slack has not shown it as shared yet; it should appear in a moment.)"
    return notice(text + note)
