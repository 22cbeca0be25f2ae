"""Sloth's feature API: the one module a feature imports, Sloth's built-in features included.

    from bot.api import Args, Context, Invocation, Param, Reply, Router, Setting, UserError, escape

    router = Router("weather", settings=[Setting("api_key", secret=True, required=True)])

    @router.command("weather", "Today's weather in a city.", Param("city", "text"))
    async def weather(ctx: Context, inv: Invocation, args: Args) -> Reply:
        return Reply(text=f"Sunny in {escape(args['city'])}")

What a feature gets through its router: commands (every entry point: slash, @mention, DM),
buttons (`action`), Slack events (`event`), HTTP routes (`http`; `require_bearer` and
`require_signature` check their callers; `ctx.links` signs a link to a page for one member),
its own settings (checked with Sloth's at start), its own store namespace (`ctx.store`:
get/set/delete/compare_and_set/update), scheduled jobs (`every`, `daily`), start and stop hooks, a
section of each member's Home tab (`home`; `home_button` runs a command from it; `ctx.refresh_home`
redraws it), message shortcuts (`message_shortcut`), Workflow Builder steps (`step=` on a command), a
form for every command (generated from
its parameters, or its own with `form=`: `field_block(param)` builds one parameter's input;
`open_view` and `update_view` open and change a modal as Slack requires), a member's own client for commands
declared with `token="user"`, per-member limits for commands that make work (`limit=Limit(at_once=1,
per_hour=10)`), and heavy work in the worker processes (`await ctx.cpu.run(Task(
"mymodule:draw"), data)`, the module declared in `Router(workers=...)`). Whatever it says passes
Sloth's guard (`bot.guard`): no mass mention, and no mention or disguised link that came from
input (what the member typed, unless the command declares `mentions=`; a route's request, an
event, what it reads from its store, and what it marks with `untrusted(text)` itself). Whatever
it reads or posts while answering a member keeps to what that member may see (`bot.slack.access`,
`ctx.access`): a private conversation's content, name or purpose only for its members, and only
where no one else sees it. Its context holds its own settings and store keys and the shared
services, never another feature's, nor Sloth's tokens or secret key (`bot.features.context`); what it
declares (commands, button ids and their `id:…` family, routes, settings variables) is its own,
and a clash with another feature is refused at start (`bot.features.ownership`).

`classic_blocks(blocks)` says the newer blocks (table, markdown, alert, card, carousel) with older
ones, as Sloth does by itself when a workspace refuses them (`bot.slack.fallback`).

Everything here that talks to nobody (Block Kit builders, text and name helpers, durations, times
of day, zones, `slack_date`, setting `kinds`, `Task`) comes from `bot.pure`, which a renderer in
a worker process imports on its own, without aiohttp or the Slack SDK.
"""

from __future__ import annotations

from bot.config.feature_settings import Config, Setting
from bot.config.limits import Limit
from bot.features.catalogue import CommandInfo
from bot.features.context import Context, Identity
from bot.features.invocation import Click, Invocation, Source
from bot.features.member_links import LinkRefused, MemberLinks
from bot.features.places import (
    Place,
    asker_name,
    file_link,
    forget_upload,
    open_dm,
    readable_channel,
    reply_place,
    upload,
    uploader,
    working,
)
from bot.features.rerun import NotInChannel, nav_blocks, page_of, raise_if_not_in, read_rerun, rerun_value
from bot.features.router import Args, Command, Job, Param, Router, Step
from bot.features.surfaces import MessageShortcut
from bot.guard import record as untrusted
from bot.http.route_auth import Signature, require_bearer, require_signature
from bot.pure import *  # noqa: F403 (the pure layer, whole: its __all__ is part of this API)
from bot.pure import __all__ as _pure
from bot.slack.access import NotVisible
from bot.slack.admins import is_admin
from bot.slack.asking import Conversation, reveal
from bot.slack.classic import classic_blocks
from bot.slack.views import open_view, update_view
from bot.store import Contention, Namespaced
from bot.views.forms import field_block
from bot.views.home import home_button
from bot.work.metrics import Metrics

__all__ = [
    *_pure,
    "Args", "Click", "Command", "CommandInfo", "Config", "Contention", "Context", "Conversation", "Identity",
    "Invocation", "Job", "Limit", "LinkRefused", "MemberLinks", "MessageShortcut", "Namespaced", "NotInChannel",
    "NotVisible", "Param", "Place", "Router", "Setting", "Signature", "Source", "Step", "asker_name", "classic_blocks",
    "field_block", "file_link", "forget_upload", "home_button", "is_admin",
    "nav_blocks", "open_dm", "open_view", "page_of", "raise_if_not_in", "read_rerun", "readable_channel",
    "reply_place", "require_bearer", "require_signature", "rerun_value", "reveal", "untrusted", "update_view",
    "upload", "uploader", "working",
    "Metrics",
]
