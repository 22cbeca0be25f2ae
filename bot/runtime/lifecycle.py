"""The runtime's lifecycle: `async with Runtime(settings, registry) as rt: await rt.wait()`.

Entering checks the bot token (and which of the loaded commands its scopes allow), opens the
store and its journal, gives every feature its context and runs their start hooks, starts the
HTTP side, connects Socket Mode (or, in HTTP mode, takes Slack's requests on the HTTP side) and
starts the features' jobs; leaving stops taking envelopes, lets in-flight work finish (bounded),
runs the stop hooks and closes everything in reverse order.
An envelope travels: socket thread or HTTP side (journal, ack: `bot.socket`, `bot.http.slack`,
`bot.handling.intake`) -> worker pool on the main loop, dedupe, Bolt (`bot.handling.envelopes`)
-> entry point -> dispatch -> handler -> respond (`bot.handling`) -> crossed out of the journal.
A thread of its own reads and acks Socket Mode (`bot.socket.thread`), so a handler that blocks
the main loop holds up no ack; another thread watches the main loop and names a handler that
holds it (`bot.runtime.loop_watch`). What a replica that died left in the journal is taken over
here (`_take_over`). With many workspaces the single core gives way to one per workspace
(`bot.runtime.many_workspaces`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any, Literal

import aiohttp
from slack_sdk.errors import SlackApiError

from bot import guard
from bot.config.settings import Settings
from bot.features.context import Identity
from bot.features.core import Core
from bot.features.jobs import Scheduled, Scheduler
from bot.features.loader import load_features
from bot.features.registry import Feature, Registry
from bot.features.router import Router
from bot.features.scopes import granted_scopes, missing_by_command
from bot.handling.ack_answer import ack_answer
from bot.handling.entry import bind_route, build_app
from bot.handling.envelopes import Envelopes
from bot.handling.forms import FormOpener
from bot.handling.home import HomeTabs
from bot.handling.intake import Intake
from bot.http.server import make_web_app, serve
from bot.http.slack import SlackRequests
from bot.runtime.contexts import fill_contexts, share_settings
from bot.runtime.errors import FatalError
from bot.runtime.loop_watch import LoopWatch
from bot.runtime.many_workspaces import ManyWorkspaces
from bot.slack.access import Access
from bot.slack.client import MeteredWebClient, make_client
from bot.slack.directory import Directory
from bot.slack.directory_store import Kept
from bot.slack.fallback import BlockSupport
from bot.slack.pacing import EditPacer
from bot.socket.thread import SocketThread
from bot.store import Namespaced, Store, StoreOpenError, open_journal, open_store
from bot.store.health import Watched
from bot.store.journal import JournalUnavailable
from bot.views.metadata import Sealer
from bot.views.submissions import Submissions
from bot.work.cpu import CpuPool, Work
from bot.work.metrics import Metrics
from bot.work.supervisor import Supervisor, WorkerPool

log = logging.getLogger(__name__)

LAG_PROBE_SECONDS = 0.05
HOOK_SECONDS = 30.0  # a feature's start or stop hook that takes longer is cut off
TAKEOVER_SECONDS = 1.0  # how often the journal is searched for what dead replicas left
TAKEOVER_BATCH = 100
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
AUTH_ERRORS = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")


class Runtime:
    def __init__(
        self, settings: Settings, registry: Registry | None = None, http: bool = True,
        clock: Callable[[], float] = time.time, jobs: Literal["auto", "manual"] = "auto",
    ) -> None:
        self.settings = settings
        # Without one, the built-in features with their default settings (tests, embedding).
        self.registry = registry if registry is not None else load_features({}, installed=False)
        self.clock = clock
        # "manual": features' jobs run only when `scheduler.tick()` is called, and Home tabs are redrawn
        # only when `home.flush()` is (tests)
        self.jobs = jobs
        self.metrics = Metrics()
        self.supervisor = Supervisor()
        self.with_http = http
        self.http_port: int | None = None
        self.fatal: str | None = None
        self.stopping = False
        self._stop = asyncio.Event()
        self._closers: list[Any] = []

    async def __aenter__(self) -> Runtime:
        try:
            await self._start()
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(self, *exc: object | TracebackType | None) -> None:
        await self._close()

    async def _start(self) -> None:
        settings = self.settings
        self.loop_watch = LoopWatch(asyncio.get_running_loop(), settings.loop_block_seconds, self.metrics)
        self.loop_watch.start()
        self._closers.append(self.loop_watch.stop)  # closed last: stopping can block the loop too
        self.session = aiohttp.ClientSession()
        self._closers.append(self.session.close)
        self.client = make_client(settings.bot_token or None, settings.api_url, self.session, self.metrics)
        self.client.blocks = BlockSupport(self.clock)  # what this workspace refuses, for every client of it
        many = settings.workspaces == "many"
        identity = None if many else await self._check_bot_token()
        if identity is not None:
            self.client.team = identity.team_id  # the label of its calls in /metrics
        try:
            self.store = Watched(await open_store(settings.store_url, self.clock))
        except StoreOpenError as e:
            raise FatalError(str(e)) from None
        self._closers.append(self.store.close)
        try:
            self.journal = await open_journal(settings.store_url, settings.journal_lease_seconds,
                                              on_skip=self.metrics.unjournaled.inc)
        except JournalUnavailable as e:
            raise FatalError(str(e)) from None
        self._closers.append(self.journal.close)  # closed before the store, after the work drained
        self._closers.append(self.supervisor.close)
        self.cpu = self._work()
        self._closers.append(self.cpu.close)
        # Sloth's forms: sealed with SLOTH_SECRET_KEY, else the bot token (both secret, both the same in
        # every replica), read by the thread that acks (the socket's, or the HTTP side) for the ack
        # and by the main loop for the work.
        self.forms = Submissions(self.registry, Sealer(settings.secret_key or settings.bot_token), self.clock,
                                 settings.command)
        if many:
            self.many = ManyWorkspaces(self)
            # Kept on the runtime too: the CLI counts the workspaces served, tests look into the stores.
            self.installations, self.route_tokens = self.many.installations, self.many.route_tokens
            self.workspaces = self.many.workspaces
            self._closers.append(self.workspaces.close)
            app: Any = self.many.app_for
        else:
            assert identity is not None
            self.directory = Directory(self.client, Kept(Namespaced(self.store, "directory"), self.clock), self.clock)
            self._closers.append(self.directory.close)
            self.access = Access(self.client, self.directory)
            self.client.access = self.access  # every call made for a member keeps to what they may see
            # The core, for Sloth's own machinery; a feature's context is `self.ctx.of(name)`.
            self.ctx = self.contexts(identity, self.cpu, self.store, self.client, self.directory, self.access)
            self.home = self.surfaces(self.ctx)
            await self.run_hooks("start", self.ctx)
            app = build_app(self.ctx, self.forms)
        self.pool = WorkerPool(self.supervisor, settings.workers, self.metrics.queue_depth.set)
        self.envelopes = Envelopes(app, self.pool, Namespaced(self.store, "event"), self.metrics, self.journal)
        self.intake = Intake(self.envelopes.take, self.journal, self.metrics, settings.max_unfinished)
        self.intake.open(asyncio.get_running_loop())
        if settings.transport == "http":
            if not (self.with_http and settings.signing_secret):
                raise FatalError("HTTP mode (SLOTH_TRANSPORT=http) takes Slack's requests on Sloth's HTTP side, "
                                 "checked with SLACK_SIGNING_SECRET: both are needed.")
            self.slack_requests = SlackRequests(settings.signing_secret, self.intake, self.metrics,
                                                ack_answer(self.forms))
        if self.with_http:
            await self._serve_http()
        if many:
            await self.workspaces.start_all()
        if settings.transport == "socket":
            await self._connect_socket()
        self._taking_over = self.supervisor.spawn(self._take_over(), name="journal-takeover")
        self.supervisor.spawn(self.cpu.prepare(), name="cpu-prepare")
        if not many:
            self.scheduler = self.scheduler_for(self.ctx, self.store)
            if self.jobs == "auto":
                self.supervisor.spawn(self.scheduler.run(), name="jobs")
                self.supervisor.spawn(self.home.keep(), name="home-tabs")
        self.supervisor.spawn(self._measure_loop_lag(), name="loop-lag")

    def surfaces(self, core: Core) -> HomeTabs:
        """A core's forms and Home tabs (each workspace's its own)."""
        core.forms = FormOpener(core, self.forms)
        core.home = HomeTabs(core, self.forms)
        if core.settings.model is not None:
            from bot.agent.conversation import Agent
            from bot.agent.model import make_model

            model = make_model(core.settings.model)
            self._closers.append(model.close)
            core.agent = Agent(core, model, core.settings.model)
        return core.home

    def scheduler_for(self, core: Core, store: Store) -> Scheduler:
        return Scheduler([Scheduled(job, feature, core.of(feature.name)) for job, feature in self.registry.jobs],
                         Namespaced(store, "job"), self.clock)

    def _work(self) -> Work:
        """This process's worker pool; with a Redis store, the job queue (which falls back on the pool).
        With many workspaces each job names the workspace that asked, and the worker uploads with its token."""
        pool = CpuPool(self.settings.render_workers or None, preload=self.registry.worker_modules())
        if self.settings.queue == "off" or not self.settings.store_url.startswith(REDIS_SCHEMES):
            return pool
        from bot.work.queue import QueuedWork

        work = QueuedWork(self.settings.store_url, self.metrics, pool)
        self.supervisor.spawn(work.watch(), name="queue-watch")
        return work

    def contexts(self, identity: Identity, cpu: Work, store: Store, client: MeteredWebClient, directory: Directory,
                  access: Access, settings: Settings | None = None) -> Core:
        """The core (for Sloth's own machinery) and, in it, one context per feature."""
        edits = EditPacer(Namespaced(store, "pace"), self.settings.edits_per_window,
                          self.settings.edit_window_seconds)
        core = Core(
            settings=settings or self.settings, identity=identity, client=client, session=self.session, store=store,
            directory=directory, access=access, registry=self.registry, supervisor=self.supervisor,
            metrics=self.metrics, cpu=cpu, edits=edits, clock=self.clock,
        )
        features = self.registry.features
        if not any(f.name == "core" for f in features):
            features = [Feature(Router("core"), core=True), *features]
        fill_contexts(core, features)
        return core

    async def run_hooks(self, which: str, core: Core) -> None:
        features = self.registry.features if which == "start" else list(reversed(self.registry.features))
        for feature in features:
            hooks = feature.router.on_start if which == "start" else feature.router.on_stop
            for hook in hooks:
                name = getattr(hook, "__name__", "hook")
                try:
                    with guard.handling(guard.Scope(name_of=core.directory.display_name)):
                        await asyncio.wait_for(hook(core.of(feature.name)), HOOK_SECONDS)
                except Exception as e:
                    if which == "start":
                        raise FatalError(f"The {feature.name} feature could not start ({name}): "
                                         f"{type(e).__name__}: {e}") from e
                    log.exception("the %s feature's stop hook %s failed", feature.name, name)

    async def _serve_http(self) -> None:
        settings = self.settings
        routes: dict[tuple[str, str], Any]
        if settings.workspaces == "many":
            routes = self.many.routes()
        else:
            routes = {key: bind_route(self.ctx.of(feature.name), handler)
                      for key, (handler, feature) in self.registry.routes.items()}
        slack = self.slack_requests.handle if settings.transport == "http" else None
        side, self.http_port = await serve(
            make_web_app(self.metrics, self.connected, routes, checks={"store": self.store.answers},
                         transport=settings.transport, slack=slack, alive=lambda: self.fatal),
            settings.http_host, settings.http_port, settings.http_limits, self.metrics)
        self._closers.append(side.cleanup)
        if settings.http_port == 0:
            # A port picked at start (tests, the sandbox): links Sloth hands out must name it.
            host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::", "") else settings.http_host
            self.settings = replace(settings, public_url=f"http://{host}:{self.http_port}")
            if settings.workspaces == "many":
                self.many.settings_changed()
            else:
                self.ctx.settings = self.settings
                share_settings(self.ctx)

    async def _check_bot_token(self) -> Identity:
        try:
            auth = await self.client.auth_test()
        except SlackApiError as e:
            code = e.response.get("error", "")
            if code in AUTH_ERRORS:
                raise FatalError(
                    f"Slack refused SLACK_BOT_TOKEN ({code}). Copy the Bot User OAuth Token (xoxb-…) "
                    "from your app's OAuth & Permissions page."
                ) from None
            raise FatalError(f"auth.test failed: {code}") from None
        except aiohttp.ClientError as e:
            raise FatalError(f"Cannot reach Slack at {self.settings.api_url}: {e}") from None
        self._switch_off_unscoped(auth.headers)
        return Identity(
            team_id=auth["team_id"], team_name=auth.get("team", ""), bot_user_id=auth["user_id"],
            bot_id=auth.get("bot_id", ""), url=auth.get("url", ""),
        )

    def _switch_off_unscoped(self, headers: Any) -> None:
        """Commands the bot token's scopes (Slack's x-oauth-scopes header) do not allow are
        switched off; help shows them as unavailable, with the scope to add."""
        granted = granted_scopes(headers)
        if granted is None:
            return  # this Slack (or stand-in) does not say; nothing can be judged
        for name, missing in missing_by_command(self.registry.listed(), granted).items():
            self.registry.unavailable[name] = missing
            log.warning("`%s` is switched off: the bot token lacks %s (add it to the app and reinstall)",
                        name, ", ".join(missing))

    async def _connect_socket(self) -> None:
        if not self.settings.app_token:
            raise FatalError("SLACK_APP_TOKEN is not set: Socket Mode connects with the app-level token (xapp-…).")
        self.socket = SocketThread(
            app_token=self.settings.app_token, api_url=self.settings.api_url, metrics=self.metrics,
            intake=self.intake, on_fatal=self._on_fatal, ack_answer=ack_answer(self.forms),
        )
        self._closers.append(self.socket.stop)
        try:
            await self.socket.start()
        except SlackApiError as e:
            code = e.response.get("error", "")
            raise FatalError(
                f"Slack refused SLACK_APP_TOKEN ({code}). Create an app-level token (xapp-…) with the "
                "connections:write scope and enable Socket Mode for the app."
            ) from None

    # -- running and stopping -----------------------------------------------------------------

    async def connected(self) -> bool:
        """Slack can reach Sloth: the socket is connected; in HTTP mode, Sloth is not stopping (so a
        load balancer's readiness probe sends requests elsewhere while this replica drains)."""
        if self.settings.transport == "http":
            return not self.stopping
        socket = getattr(self, "socket", None)
        return socket is not None and socket.connected()

    async def _take_over(self) -> None:
        """Handle what replicas that died (this process's earlier self included) acked and left
        unfinished in the journal, as soon as their leases run out."""
        while True:
            if not self.intake.full:
                for entry in await self.journal.take_over(TAKEOVER_BATCH):
                    self.intake.recover(entry)
            await asyncio.sleep(TAKEOVER_SECONDS)

    def _on_fatal(self, message: str) -> None:
        self.fatal = message
        self._stop.set()

    def request_stop(self) -> None:
        self._stop.set()

    async def wait(self) -> int:
        """Run until asked to stop; the process exit code."""
        await self._stop.wait()
        return 1 if self.fatal else 0

    async def _measure_loop_lag(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            self.metrics.loop_lag.observe(max(0.0, loop.time() - before - LAG_PROBE_SECONDS))

    async def _close(self) -> None:
        self.stopping = True
        taking_over = getattr(self, "_taking_over", None)
        if taking_over is not None:
            taking_over.cancel()  # nothing more is claimed: what is left goes to others, or the next start
        socket = getattr(self, "socket", None)
        if socket is not None:
            await socket.stop()  # no new envelopes; unacked events go to other connections
            self._closers.remove(socket.stop)
        pool = getattr(self, "pool", None)
        if pool is not None and not await pool.drain(self.settings.drain_seconds):
            log.warning("in-flight work did not finish within %.0fs", self.settings.drain_seconds)
        if getattr(self, "ctx", None) is not None:
            await self.run_hooks("stop", self.ctx)
        for close in reversed(self._closers):
            try:
                await close()
            except Exception:
                log.exception("error while closing")
        self._closers.clear()
