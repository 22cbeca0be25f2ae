"""What Sloth's own machinery works with: every setting, the whole store, the registry, every context.

The runtime builds one `Core` and gives it explicitly to what is Sloth itself: the entry points,
dispatch, saying replies, the jobs, members' tokens (`bot.connect.tokens`, `bot.connect.members`) and
Sloth's own features that need more than a feature's `Context` (`bot.runtime.core_feature`: page and join
buttons, the store's sweep; `connect`: the OAuth pages and members' tokens). Those features'
contexts are `CoreContext`s, and `core_of(ctx)` reaches the core from them; every other feature's
context refuses (see `bot.features.context` for what a feature gets).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.settings import Settings
from bot.features.context import Context, Identity
from bot.slack.pacing import EditPacer
from bot.store import Store
from bot.work.cpu import Work
from bot.work.metrics import Metrics
from bot.work.supervisor import Supervisor

if TYPE_CHECKING:
    from bot.features.invocation import Click, Invocation
    from bot.features.registry import Registry
    from bot.slack.access import Access
    from bot.slack.directory import Directory


class HomeKeeper(Protocol):
    """Members' Home tabs (`bot.handling.home`): redrawn when what they show changes."""

    async def opened(self, member: str) -> None:
        """The member opened their Home tab: draw it."""

    def changed(self, members: tuple[str, ...]) -> None:
        """These members' Home tabs (every one Sloth keeps, when none are named) are out of date."""

    async def pressed(self, click: Click) -> None:
        """A button of the Home tab's (`sloth_home:run:<command>`) was pressed."""


class NoHome:
    """Before the runtime has its Home tabs (and in tests of the parts): nothing to redraw."""

    async def opened(self, member: str) -> None:
        return None

    def changed(self, members: tuple[str, ...]) -> None:
        return None

    async def pressed(self, click: Click) -> None:
        return None


class CommandForms(Protocol):
    """Opening a command's form for a member (`bot.handling.forms.FormOpener`)."""

    async def open(self, trigger_id: str, command: str, *, user: str, channel: str = "",
                   response_url: str | None = None, thread: str | None = None,
                   values: dict[str, str] | None = None) -> bool:
        """Open it (filled in with `values`); False when Slack's 3 seconds for the trigger had passed."""


class NoForms:
    async def open(self, trigger_id: str, command: str, *, user: str, channel: str = "",
                   response_url: str | None = None, thread: str | None = None,
                   values: dict[str, str] | None = None) -> bool:
        return False


class AgentDesk(Protocol):
    """Sloth's agent (`bot.agent.conversation`): a model answering what is not a command."""

    ready: bool

    def ask(self, inv: Invocation, text: str) -> None:
        """Answer `text`, which the member wrote where `inv` came from, off the ack path."""

    async def started(self, event: dict[str, Any]) -> None:
        """`assistant_thread_started`: a member opened a conversation with Sloth."""

    async def pressed(self, click: Click) -> bool:
        """One of the agent's buttons (feedback, Confirm, Cancel); False for any other."""


class NoAgent:
    """No model configured: nothing is answered by one, and the agent's buttons are not Sloth's."""

    ready = False

    def ask(self, inv: Invocation, text: str) -> None:
        return None

    async def started(self, event: dict[str, Any]) -> None:
        return None

    async def pressed(self, click: Click) -> bool:
        return False


class RouteTokenIssuer(Protocol):
    """Tokens of features' own routes, one per workspace and feature (bot.workspaces.route_tokens)."""

    async def issue(self, team: str, feature: str, by: str) -> str: ...

    async def revoke(self, team: str, feature: str) -> bool: ...


@dataclass
class Core:
    settings: Settings  # all of them: tokens, the secret key, the OAuth secret
    identity: Identity
    client: AsyncWebClient
    session: aiohttp.ClientSession
    store: Store  # the whole store: every feature's namespace and Sloth's own records
    directory: Directory
    access: Access
    registry: Registry
    supervisor: Supervisor
    metrics: Metrics
    cpu: Work
    edits: EditPacer
    clock: Callable[[], float] = time.time
    # Every feature's context by feature name, filled by the runtime.
    contexts: dict[str, Context] = field(default_factory=dict, repr=False)
    home: HomeKeeper = field(default_factory=NoHome, repr=False)
    forms: CommandForms = field(default_factory=NoForms, repr=False)
    agent: AgentDesk = field(default_factory=NoAgent, repr=False)
    # With many workspaces, the tokens of features' own routes (bot.workspaces.route_tokens); None with one.
    route_tokens: RouteTokenIssuer | None = field(default=None, repr=False)

    def of(self, feature: str) -> Context:
        """The context of the feature called `feature` (KeyError if none is loaded)."""
        return self.contexts[feature]

    def slash(self, line: str = "") -> str:
        return f"{self.settings.command} {line}".strip()


@dataclass(kw_only=True)
class CoreContext(Context):
    """The context of one of Sloth's own features: a feature's, and the core beside it."""

    core: Core = field(repr=False)


def core_of(ctx: Context) -> Core:
    """The core, from the context of one of Sloth's own features; PermissionError for any other."""
    if isinstance(ctx, CoreContext):
        return ctx.core
    raise PermissionError(f"the {ctx.feature} feature's context does not reach Sloth's core; "
                          "a feature keeps to what its context offers (bot.features.context)")
