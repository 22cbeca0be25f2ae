"""What handlers are given: the runtime's services, built once, and the feature's own parts.

Each feature gets its own `Context`: the same client, directory and clock as every other, plus
its own settings (`config`), its own store namespace (`store`) and its own objects for this
runtime (`state`). A command declared with `token="user"` also gets `member_client`, which
acts as the member who asked (and only ever as them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocking import labelled, run_on_loop
from bot.config import Config
from bot.cpu import CpuPool
from bot.metrics import Metrics
from bot.pacing import EditPacer
from bot.settings import Settings
from bot.store import Namespaced, Store
from bot.supervisor import Supervisor

if TYPE_CHECKING:
    import asyncio

    from bot.access import Access
    from bot.directory import Directory
    from bot.invocation import Invocation
    from bot.registry import Registry
    from bot.reply import Reply


T = TypeVar("T")


@dataclass(frozen=True)
class Identity:
    """Who Sloth is in this workspace, from auth.test at start."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    url: str = ""


@dataclass
class Context:
    settings: Settings
    identity: Identity
    client: AsyncWebClient
    session: aiohttp.ClientSession
    backend: Store  # the whole store, for Sloth's core; a feature keeps to `store`
    directory: Directory
    registry: Registry
    supervisor: Supervisor
    metrics: Metrics
    # Injected so that timed features (expiry, trivia rounds) can be tested without sleeping.
    clock: Callable[[], float] = time.time
    # Worker processes for charts and exports, so heavy work never runs on the event loop.
    cpu: CpuPool = field(default_factory=CpuPool)
    feature: str = "core"
    config: Config = field(default_factory=lambda: Config("core", {}))
    store: Namespaced = field(init=False)
    # The feature's own objects for this runtime (a cache, a client, a follower), set by its
    # start hook; they live and go with the runtime.
    state: SimpleNamespace = field(default_factory=SimpleNamespace)
    member_client: AsyncWebClient | None = None
    # Every feature's context by feature name: the same dict in each, filled by the runtime.
    contexts: dict[str, Context] = field(default_factory=dict, repr=False)
    # chat.update's budget and redraw folding, one for the runtime (bot.pacing).
    edits: EditPacer = field(default=None, repr=False)  # type: ignore[assignment]
    # Who may see which conversation (bot.access): `await ctx.access.may_see(user, channel)`.
    access: Access = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.store = Namespaced(self.backend, self.feature)
        if self.edits is None:
            self.edits = EditPacer(Namespaced(self.backend, "pace"))

    def of(self, feature: str) -> Context:
        """The context of another feature (or this one), e.g. to run one of its commands."""
        return self.contexts.get(feature, self)

    def slash(self, line: str = "") -> str:
        """How a user would type `line` as a slash command, for help texts."""
        return f"{self.settings.command} {line}".strip()

    async def run(self, inv: Invocation) -> Reply:
        """Run a command (any feature's) as `inv` asks, with its checks, and return its reply."""
        from bot.dispatch import run_command  # dispatch builds on contexts, not the other way round

        return await run_command(self, inv)

    async def say(self, inv: Invocation, reply: Reply) -> None:
        """Say `reply` where `inv` came from, as dispatch would (e.g. "working on it…" before slow work)."""
        from bot.respond import deliver

        await deliver(self, inv, reply)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run `coro` in the background, supervised: kept referenced, failures logged, cancelled at stop."""
        return self.supervisor.spawn(labelled(self.feature, f"task {name}", coro), name=f"{self.feature}:{name}")

    def sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """In a plain `def` handler (which runs in a thread): run `coro` on Sloth's event loop and
        return its result, e.g. `ctx.sync(ctx.client.chat_postMessage(...))`. The client, the
        store and everything else async belong to that loop: never call them from the thread."""
        return run_on_loop(coro)
