"""What a feature's handlers are given: its own parts, and the services every feature shares.

Each feature gets its own `Context`:

- its own: settings (`config`), store namespace (`store`, keys `<feature>:…`), objects for this
  runtime (`state`), and for a command declared with `token="user"` the asking member's client
  (`member_client`, which acts as them and only ever as them);
- shared: the bot's Web API client, the directory, who may see what (`access`), the clock, the
  worker processes (`cpu`), chat.update's budget (`edits`), the metrics, background tasks
  (`spawn`), saying a reply (`say`), running the feature's own commands (`run`), redrawing members'
  Home tabs (`refresh_home`), the files Sloth uploaded (`uploads`), signed links into the
  feature's own web pages for one member (`links`), the list of every loaded command
  (`commands`, what help shows), who Sloth is (`identity`), and the few core settings a feature
  may read (`settings`: the slash command, the public URL, the admins).

It holds nothing that reaches another feature: not the whole store, not another feature's
context, settings or keys, not the registry, not Sloth's tokens, secret key or OAuth secret.
Sloth's own machinery works with `bot.features.core.Core`, which the runtime hands only to itself
and to its own features. This keeps features apart through the API; it is not a sandbox (code
in the same process can reach anything by introspection), so run code you do not trust elsewhere.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot.config.feature_settings import Config
from bot.slack.pacing import EditPacer
from bot.store import Namespaced
from bot.work.blocking import run_on_loop
from bot.work.cpu import Work
from bot.work.metrics import Metrics

if TYPE_CHECKING:
    import asyncio

    from bot.config.settings import Settings
    from bot.features.catalogue import Catalogue
    from bot.features.invocation import Invocation
    from bot.features.member_links import MemberLinks
    from bot.pure.blocks import Reply
    from bot.slack.access import Access
    from bot.slack.directory import Directory
    from bot.slack.uploads import Uploads


T = TypeVar("T")
Runner = Callable[["Invocation"], Awaitable["Reply"]]
Refresher = Callable[[tuple[str, ...]], None]
FormOpener = Callable[..., Awaitable[bool]]
Sayer = Callable[["Invocation", "Reply"], Awaitable[None]]
Spawner = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any]"]


@dataclass(frozen=True)
class Identity:
    """Who Sloth is in this workspace, from auth.test at start."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    url: str = ""


@dataclass(frozen=True)
class PublicSettings:
    """The core settings any feature may read: none of them secret."""

    command: str = "/sloth"
    public_url: str = "http://localhost:8080"
    admins: frozenset[str] = frozenset()
    # "single": one workspace, Sloth's settings hold its tokens; "many": installed into workspaces,
    # where what a workspace's admins set up (route tokens: `/sloth token <feature>`) is theirs.
    workspaces: Literal["single", "many"] = "single"

    @classmethod
    def of(cls, settings: Settings) -> PublicSettings:
        return cls(command=settings.command, public_url=settings.public_url, admins=settings.admins,
                   workspaces=settings.workspaces)


@dataclass(kw_only=True)
class Context:
    feature: str
    settings: PublicSettings
    identity: Identity
    client: AsyncWebClient
    directory: Directory
    access: Access  # who may see which conversation: `await ctx.access.may_see(user, channel)`
    metrics: Metrics
    # Injected so that timed features (expiry, trivia rounds) can be tested without sleeping.
    clock: Callable[[], float] = time.time
    # Worker processes for charts and exports, so heavy work never runs on the event loop: this
    # process's own, or with a Redis store the job queue that `sloth worker` processes run.
    cpu: Work
    edits: EditPacer = field(repr=False)  # chat.update's budget and redraw folding (bot.slack.pacing)
    commands: Catalogue = field(repr=False)
    uploads: Uploads = field(repr=False)
    config: Config
    store: Namespaced
    # The feature's own objects for this runtime (a cache, a client, a follower), set by its
    # start hook; they live and go with the runtime.
    state: SimpleNamespace = field(default_factory=SimpleNamespace)
    member_client: AsyncWebClient | None = None
    # Signed links into the feature's own web pages for one member (bot.features.member_links);
    # None while SLOTH_SECRET_KEY is unset.
    links: MemberLinks | None = None
    # How `run`, `say` and `spawn` reach dispatch and the supervisor, bound by the runtime to
    # this feature (bot.runtime.lifecycle); a feature calls the methods below.
    _run: Runner = field(repr=False)
    _say: Sayer = field(repr=False)
    _spawn: Spawner = field(repr=False)
    _refresh: Refresher = field(repr=False, default=lambda members: None)
    _open_form: FormOpener | None = field(repr=False, default=None)

    def slash(self, line: str = "") -> str:
        """How a user would type `line` as a slash command, for help texts."""
        return f"{self.settings.command} {line}".strip()

    async def run(self, inv: Invocation) -> Reply:
        """Run one of this feature's own commands as `inv` asks (its checks included: admins,
        channels, the member's token) and return the reply; PermissionError for any other
        feature's command. A member runs other features' commands by typing them."""
        return await self._run(inv)

    async def say(self, inv: Invocation, reply: Reply) -> None:
        """Say `reply` where `inv` came from, as dispatch would (e.g. "working on it…" before slow work)."""
        await self._say(inv, reply)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run `coro` in the background, supervised: kept referenced, failures logged, cancelled at stop."""
        return self._spawn(coro, name)

    async def open_form(self, trigger_id: str, command: str, *, user: str, values: dict[str, str] | None = None,
                        channel: str = "", response_url: str | None = None, thread: str | None = None) -> bool:
        """Open the form of one of this feature's own commands for `user` (a trigger from their click
        or shortcut, within Slack's 3 seconds), its inputs filled in with `values` by parameter name.
        Submitted, it runs as they typed it, answered in `channel` (through `response_url`, if any),
        else in their DM with Sloth. False when the trigger had expired; PermissionError for
        another feature's command."""
        if self._open_form is None:
            return False
        return await self._open_form(trigger_id, command, user=user, values=values, channel=channel,
                                     response_url=response_url, thread=thread)

    def refresh_home(self, *members: str) -> None:
        """What these members' Home tabs show has changed (every member's whose Home tab Sloth keeps,
        when none are named): each is redrawn shortly, once for changes that come together."""
        self._refresh(members)

    def sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """In a plain `def` handler (which runs in a thread): run `coro` on Sloth's event loop and
        return its result, e.g. `ctx.sync(ctx.client.chat_postMessage(...))`. The client, the
        store and everything else async belong to that loop: never call them from the thread."""
        return run_on_loop(coro)
