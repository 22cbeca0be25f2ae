"""Admin commands on channels: `create`, `purpose`, `invite`, `archive`.

Everything that can be checked locally (names, lengths, members, archived channels) is checked
before Slack is asked, so a refusal changes nothing; when a later step fails after an earlier
one succeeded (a channel created but its purpose refused), the answer says exactly that.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.api import (
    MAX_PURPOSE,
    Args,
    ChannelRef,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    Step,
    UserError,
    check_channel_name,
    check_length,
    escape,
    inert,
    notice,
    parse_user,
    raise_if_not_in,
    readable,
    slack_error_text,
    split_args,
    truncate,
)

router = Router("channel_admin")
MANAGE = ("channels:manage", "groups:write", "channels:read", "groups:read", "channels:join")
MAX_INVITES = 100


def reason(error: SlackApiError) -> str:
    code = str(error.response.get("error", ""))
    return slack_error_text(code) or f"Slack said `{escape(code)}`"


async def live_channel(ctx: Context, ref: ChannelRef) -> dict[str, Any]:
    channel = await ctx.directory.resolve_channel(ref)
    if channel.get("is_archived"):
        raise UserError(f"#{escape(channel.get('name', channel['id']))} is archived, so nothing was changed.")
    return channel


@router.command(
    "create", "Create a public channel, with a purpose if you give one (admins).",
    Param("name"), Param("purpose", "text", required=False), admin_only=True, scopes=MANAGE,
    changes=True,
    step=Step("Create a channel", "Create a public channel, with a purpose if given (for Sloth's admins)."),
    examples=("create data-team", "create ml-papers Papers we are reading this month"),
)
async def create_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    name = check_channel_name(args["name"])
    purpose = check_length("The purpose", args["purpose"] or "", MAX_PURPOSE)
    try:
        created = (await ctx.client.conversations_create(name=name))["channel"]
    except SlackApiError as e:
        if e.response.get("error") == "name_taken":
            raise UserError(f"There is already a channel called #{name} (it may be private or archived); "
                            "pick another name.") from e
        raise
    ctx.directory.put_channel(created["id"], **created)
    problems, purpose_set = [], False
    if purpose:
        try:
            await ctx.client.conversations_setPurpose(channel=created["id"], purpose=purpose)
            ctx.directory.put_channel(created["id"], purpose={"value": purpose})
            purpose_set = True
        except SlackApiError as e:
            problems.append(f"setting its purpose failed ({reason(e)}); set it with "
                            f"`{ctx.slash(f'purpose #{name} …')}`")
    try:
        await ctx.client.conversations_invite(channel=created["id"], users=inv.user)
    except SlackApiError as e:
        problems.append(f"I couldn't add you to it ({reason(e)}); join it from the channel list")
    text = f"Created <#{created['id']}>"
    if purpose_set:
        shown = inert(purpose, ctx.directory.display_name, ctx.directory.channel_name)
        text += f" with the purpose “{truncate(shown, 250)}”"
    text += (", but " + " and ".join(problems) + ".") if problems else " and added you to it."
    return notice(text)


@router.command(
    "purpose", "Set a channel's purpose (admins).", Param("channel", "channel"), Param("purpose", "text"),
    admin_only=True, scopes=MANAGE, changes=True, examples=("purpose #random Deep philosophical discussions",),
)
async def purpose_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    channel = await live_channel(ctx, args["channel"])
    purpose = check_length("The purpose", args["purpose"], MAX_PURPOSE)
    try:
        await ctx.client.conversations_setPurpose(channel=channel["id"], purpose=purpose)
    except SlackApiError as e:
        raise_if_not_in(e, channel)
        raise
    ctx.directory.put_channel(channel["id"], purpose={"value": purpose})
    shown = truncate(inert(purpose, ctx.directory.display_name, ctx.directory.channel_name), 250)
    return notice(f"The purpose of <#{channel['id']}> is now “{shown}”.")


async def members_named(ctx: Context, typed: str) -> list[dict[str, Any]]:
    """Every member named in `typed`; UserError naming all who can't be found (then nobody is invited)."""
    words = split_args(typed)
    if len(words) > MAX_INVITES:
        raise UserError(f"That is {len(words)} members; invite at most {MAX_INVITES} at a time.")
    found: dict[str, dict[str, Any]] = {}
    unknown = []
    for word in words:
        ref = parse_user(word)
        try:
            if ref is None:
                raise UserError(word)
            member = await ctx.directory.resolve_user(ref)
            found[member["id"]] = member
        except UserError:
            unknown.append(readable(truncate(word, 40)))
    if unknown:
        raise UserError(f"I can't find {', '.join(f'`{u}`' for u in unknown)}, so nobody was invited.")
    return list(found.values())


@router.command(
    "invite", "Invite members to a channel (admins).", Param("channel", "channel"), Param("members", "text"),
    admin_only=True, scopes=MANAGE, changes=True, examples=("invite #python_content @amelia @jonas",),
)
async def invite_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    members = await members_named(ctx, args["members"])
    channel = await live_channel(ctx, args["channel"])
    pending = [m["id"] for m in members]
    skipped: dict[str, str] = {}
    # Slack refuses the whole call when one member can't be invited and says who: leave them out, retry.
    while pending:
        try:
            await ctx.client.conversations_invite(channel=channel["id"], users=",".join(pending))
            break
        except SlackApiError as e:
            raise_if_not_in(e, channel)
            errors = {str(x.get("user")): str(x.get("error")) for x in e.response.get("errors") or []}
            if not errors and len(pending) == 1:
                errors = {pending[0]: str(e.response.get("error"))}
            if not errors or not set(errors) & set(pending):
                raise
            skipped.update(errors)
            pending = [p for p in pending if p not in errors]
    return notice(invite_summary(ctx, channel, pending, skipped))


def invite_summary(ctx: Context, channel: dict[str, Any], invited: list[str], skipped: dict[str, str]) -> str:
    def names(ids: list[str]) -> str:
        return ", ".join(escape(ctx.directory.display_name(i)) for i in ids)

    parts = [f"Invited {names(invited)} to <#{channel['id']}>." if invited else "Nobody new was invited."]
    there = [u for u, code in skipped.items() if code == "already_in_channel"]
    if there:
        parts.append(f"Already there: {names(there)}.")
    for user, code in skipped.items():
        if code != "already_in_channel":
            parts.append(f"{names([user])} could not be invited ({slack_error_text(code) or escape(code)}).")
    return " ".join(parts)


@router.command(
    "archive", "Archive a channel (admins).", Param("channel", "channel"), admin_only=True, scopes=MANAGE,
    changes=True, examples=("archive #old-project",),
)
async def archive_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    channel = await ctx.directory.resolve_channel(args["channel"])
    name = escape(channel.get("name", channel["id"]))
    if channel.get("is_archived"):
        raise UserError(f"#{name} is already archived.")
    if channel.get("is_general"):
        raise UserError(f"#{name} is the workspace's general channel, which can't be archived.")
    try:
        await ctx.client.conversations_archive(channel=channel["id"])
    except SlackApiError as e:
        raise_if_not_in(e, channel)
        raise
    ctx.directory.put_channel(channel["id"], is_archived=True)
    return notice(f"Archived #{name}. Anyone can still read it; unarchive it from the channel's settings.")
