"""Sloth's own feature, always on: the directory's upkeep and the buttons the runtime itself makes.

Its context reaches the core (`core_of`): these buttons run any feature's command as the member
asked, and the sweep covers the whole store.

- Previous/Next on long lists and "Join and try again" run the member's command line again.
- The Home tab's buttons run a command (or open its form) for whoever presses (`bot.handling.home`);
  its section lists the member's latest charts and exports.
- The Connect button is a link; Slack still sends its click, which needs nothing but the ack.
- Members and channels are kept fresh from events, and re-synced every hour by one process of
  the deployment (the directory lives in the store, so the others read what it walked).
- Expired keys are swept from the store every few minutes (SQLite keeps them until deleted),
  which also tells a store that could not save whether it can again.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.connect.members import CONNECT_ACTION
from bot.features.context import Context
from bot.features.core import core_of
from bot.features.invocation import Click
from bot.features.rerun import JOIN_ACTION, PAGE_ACTIONS, read_rerun
from bot.features.router import Router
from bot.handling.dispatch import answer
from bot.pure.blocks import Reply, section
from bot.pure.errors import UserError
from bot.pure.text import escape, split_line
from bot.pure.times import slack_date
from bot.slack.admins import is_admin
from bot.views.home import HOME_RUN
from bot.workspaces import token_command

log = logging.getLogger(__name__)
router = Router("core")
STORE_SWEEP_SECONDS = 600.0
HOME_ACTIONS = HOME_RUN.split(":")[0]  # the family of the Home tab's buttons
RECENT_SHOWN = 5


async def turn_page(ctx: Context, click: Click) -> Reply | None:
    """Next/Previous: run the same command line again for another page, editing the message."""
    state = read_rerun(click.value)
    page = state[1].get("p") if state else None
    if state is None or not isinstance(page, int):
        log.warning("ignored a page button with a value no Sloth list made")
        return None
    name, args = split_line(state[0])
    await answer(core_of(ctx), click.invocation(name, args, page=max(0, page)))
    return None


async def join_and_retry(ctx: Context, click: Click) -> Reply | None:
    state = read_rerun(click.value)
    channel = state[1].get("ch") if state else None
    if state is None or not isinstance(channel, str):
        raise UserError("That button is out of date; run the command again.")
    name, args = split_line(state[0])
    core = core_of(ctx)
    command = core.registry.find(name)
    if command is None:
        return None
    # The same permission the command itself needs, checked before Sloth joins anything.
    if command.admin_only and not await is_admin(ctx, click.user):
        raise UserError(f"Only Sloth's admins (and the workspace's admins and owners) can use `{command.name}`.")
    try:
        joined = await ctx.client.conversations_join(channel=channel)
    except SlackApiError as e:
        if e.response.get("error") == "method_not_supported_for_channel_type":
            raise UserError("I can't join a private channel by myself: invite me there with `/invite @sloth`, "
                            "then try again.") from e
        raise
    ctx.directory.put_channel(channel, **{**joined.get("channel", {}), "is_member": True})
    await answer(core, click.invocation(name, args), replace_clicked=True)
    return None


async def link_opened(ctx: Context, click: Click) -> None:
    return None  # a link button: the browser opens the link


async def home_pressed(ctx: Context, click: Click) -> None:
    await core_of(ctx).home.pressed(click)


@router.home
async def recent_files(ctx: Context, member: str) -> list[dict[str, Any]]:
    """The member's latest charts and exports (files Sloth uploaded for them) they may still see."""
    lines = []
    for entry in (await ctx.uploads.recent(member))[:RECENT_SHOWN]:
        channel = str(entry.get("channel") or "")
        if channel and not await ctx.access.may_see(member, channel):
            continue
        name = escape(str(entry.get("name") or "a file"))
        shown = f"<{entry['link']}|{name}>" if entry.get("link") else f"`{name}`"
        when = f" · {slack_date(float(entry['at']), '{date_short_pretty} {time}')}" if entry.get("at") else ""
        lines.append(f"• {shown}{when}")
    if not lines:
        return []
    return [section("*Your latest charts and exports*\n" + "\n".join(lines))]


@router.every(lambda ctx: core_of(ctx).settings.directory_resync_seconds, name="directory-resync")
async def resync(ctx: Context) -> None:
    # Claimed per period like any job: one process of the deployment walks the lists. At start,
    # a directory walked within the last half period (before a restart) is not walked again.
    await ctx.directory.resync(max_age=core_of(ctx).settings.directory_resync_seconds / 2)


# In every process: each keeps its own note of whether the store saves (for its /healthz), and
# a second sweep of a shared SQLite file finds nothing left to delete.
@router.every(STORE_SWEEP_SECONDS, name="store-sweep", per_process=True)
async def sweep_store(ctx: Context) -> None:
    await core_of(ctx).store.sweep()


async def _on_user(ctx: Context, event: dict[str, Any]) -> None:
    ctx.directory.put_user(event["user"])


async def _on_created(ctx: Context, event: dict[str, Any]) -> None:
    channel = event["channel"]
    ctx.directory.put_channel(channel["id"], **channel)


async def _on_rename(ctx: Context, event: dict[str, Any]) -> None:
    ctx.directory.put_channel(event["channel"]["id"], name=event["channel"]["name"])


async def _on_archive(ctx: Context, event: dict[str, Any]) -> None:
    ctx.directory.put_channel(event["channel"], is_archived=True)


async def _on_unarchive(ctx: Context, event: dict[str, Any]) -> None:
    ctx.directory.put_channel(event["channel"], is_archived=False)


async def _on_deleted(ctx: Context, event: dict[str, Any]) -> None:
    ctx.directory.drop_channel(event["channel"])


async def _on_membership(ctx: Context, event: dict[str, Any]) -> None:
    # Who may see a conversation through Sloth follows its members at once, not a minute later.
    user, channel = event.get("user"), event.get("channel")
    ctx.access.forget(user if isinstance(user, str) else None, channel if isinstance(channel, str) else None)


# Private channels fire the group_* events instead of the channel_* ones.
DIRECTORY_EVENTS = {
    "team_join": _on_user, "user_change": _on_user,
    "channel_created": _on_created, "channel_rename": _on_rename, "group_rename": _on_rename,
    "channel_archive": _on_archive, "group_archive": _on_archive,
    "channel_unarchive": _on_unarchive, "group_unarchive": _on_unarchive,
    "channel_deleted": _on_deleted, "group_deleted": _on_deleted,
}
_EVENT_SCOPES = {"team": "users:read", "user": "users:read", "group": "groups:read", "channel": "channels:read"}
for _event, _handler in DIRECTORY_EVENTS.items():
    router.event(_event, _EVENT_SCOPES[_event.split("_")[0]])(_handler)
for _event in ("member_joined_channel", "member_left_channel"):
    router.event(_event, "channels:read", "groups:read")(_on_membership)
# bot.slack.access asks Slack which private channels, group DMs and DMs a member shares with Sloth.
router.scopes.update({"groups:read", "im:read", "mpim:read"})
for _action in PAGE_ACTIONS:
    router.action(_action)(turn_page)
router.action(JOIN_ACTION)(join_and_retry)
router.action(CONNECT_ACTION)(link_opened)
router.action(HOME_ACTIONS)(home_pressed)
router.include(token_command.router)  # `token`: a workspace's tokens for features' own routes
