"""A feature's declarations: its commands, buttons, events, HTTP routes, settings, jobs and hooks,
its part of each member's Home tab and its message shortcuts (`bot.features.surfaces`), and what
an MCP client may read (`bot.features.resources`).

    router = Router("standup", settings=[Setting("channel", default="#standup")])

    @router.command("standup", "Post your stand-up.", Param("text", "text"), limit=Limit(per_hour=5))
    async def standup(ctx: Context, inv: Invocation, args: Args) -> Reply: ...

A handler is an `async def` (it runs on Sloth's event loop: await, never block) or a plain
`def` (commands, buttons, events and jobs: it runs in a thread, so blocking work holds up no one;
it returns its Reply as usual, and reaches Slack or the store through `ctx.sync(...)`, see
`bot.work.blocking`).

A feature module declares on its own router and exposes it; loading (`bot.features.loader`) collects
the routers of every enabled feature into one registry (`bot.features.registry`). Slash commands,
@mentions, DMs and buttons all reach the same declarations through one dispatch; help, the app
manifest and permission checks are generated from them. A router without a name is a part of a
feature, included into the named router of its package with `include`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import time as time_of_day
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Literal

from bot.config.feature_settings import Setting
from bot.config.limits import Limit
from bot.features.invocation import Click, Invocation
from bot.features.resources import Listed, ResourceDeclaration, ResourceHandler
from bot.features.surfaces import HomeSection, ShortcutDeclaration, ShortcutHandler
from bot.pure import kinds

if TYPE_CHECKING:
    from aiohttp import web

    from bot.features.context import Context
    from bot.pure.blocks import Reply

Kind = Literal["user", "channel", "int", "word", "text"]
# Who a command's answers may notify: "none" (nobody its input named, no @here), "users" (the
# members its input names, e.g. a challenge), "all" (also @here/@channel/@everyone, for admins).
Mentions = Literal["none", "users", "all"]
Args = dict[str, Any]
# Handlers may be `async def` or plain `def` (run in a thread); routes and hooks are `async def`.
CommandHandler = Callable[["Context", Invocation, Args], "Awaitable[Reply] | Reply"]
ActionHandler = Callable[["Context", Click], "Awaitable[Reply | None] | Reply | None"]
EventHandler = Callable[["Context", dict[str, Any]], Awaitable[None] | None]
RouteHandler = Callable[["Context", "web.Request"], Awaitable["web.StreamResponse"]]
Hook = Callable[["Context"], Coroutine[Any, Any, None]]
JobHandler = Callable[["Context"], Awaitable[None] | None]
Period = float | Callable[["Context"], float]
# A command's form of its own (`bot.views.forms`): the blocks of the modal for `command`, pure. Each
# input block's `block_id` is a parameter's name; the submitted values go through the command's parser.
FormBlocks = Callable[["Command"], list[dict[str, Any]]]
# A time of day ("09:30") and a time zone ("Europe/London"), or functions of the context that
# give them, e.g. of the feature's settings.
TimeOfDay = time_of_day | Callable[["Context"], "str | time_of_day"]
Zone = str | tzinfo | Callable[["Context"], "str | tzinfo"]


def declared(kind: Callable[[Any], Any], value: Any) -> Any:
    """A time or zone a feature declares, read as its setting would be; ValueError naming it if not."""
    if not isinstance(value, str):
        return value
    try:
        return kind(value)
    except ValueError as e:
        raise ValueError(f"{value!r} is not {e}") from None


@dataclass(frozen=True)
class Param:
    """One argument of a command's grammar.

    `help` is shown under the parameter's field in the command's form; `choices` are the words a
    `word` parameter takes, offered as a menu in the form (a name written `activity|members`
    declares them too). The parser leaves checking a word to the handler, which may take more
    spellings than the form offers.
    """

    name: str
    kind: Kind = "word"
    required: bool = True
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""
    choices: tuple[str, ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        """The words the form offers for this parameter: its choices, or those of its name."""
        if self.choices:
            return self.choices
        return tuple(self.name.split("|")) if self.kind == "word" and "|" in self.name else ()

    @property
    def usage(self) -> str:
        shown = {"user": f"@{self.name}", "channel": f"#{self.name}"}.get(self.kind, self.name)
        if self.kind == "text":
            shown += "…"
        return shown if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Step:
    """A command that is also a Workflow Builder step (`step=Step(...)`, or `step=True` for the
    defaults). Its inputs are the command's parameters, plus who runs the workflow, whom it acts
    for; its outputs are `text` (Sloth's answer, as plain text) and `outputs`, which the handler
    fills in with `Reply(outputs={...})`."""

    title: str = ""  # the command's name, capitalised, by default
    description: str = ""  # the command's summary by default
    outputs: tuple[Param, ...] = ()


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: CommandHandler
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()
    admin_only: bool = False
    # "user": the handler acts as the member with `ctx.member_client` (their own token); a member
    # who has not connected is answered with the connect button and the handler does not run.
    token: Literal["bot", "user"] = "bot"
    scopes: tuple[str, ...] = ()
    user_scopes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    mentions: Mentions = "none"
    # Per-member limit for a command that makes work (charts, files, scheduled messages): how
    # many each member may run at once, per hour and per day; dispatch applies it (bot.config.limits).
    limit: Limit | None = None
    # The blocks of the command's form (`bot.views.forms`); None: generated from its parameters.
    form: FormBlocks | None = None
    # A Workflow Builder step too (`Step`, above; True: the defaults).
    step: bool | Step = False
    # As a tool for a model or an MCP client (`bot.agent.tools`): True (described by its summary,
    # usage and examples), a better description for a model, or False to leave it out.
    tool: bool | str = True
    # Running it changes the workspace or a run (posts, archives, sets a status, stops a run): what
    # acts on a model's word asks the member to confirm it first.
    changes: bool = False

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"command {self.name!r} declares the parameter {twice[0]!r} twice")

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(p.usage for p in self.params)])

    @property
    def as_step(self) -> Step | None:
        """The command's Workflow Builder step, if it is one."""
        return Step() if self.step is True else self.step if isinstance(self.step, Step) else None


@dataclass(frozen=True)
class Job:
    """Work on a schedule: every `period` seconds, or daily at `at` (in `tz`); a function of the
    context stands for a value read when the runtime starts (a setting).

    With a store shared by several Sloth processes, a job runs once per period for the whole
    deployment; `per_process` jobs (refreshing a process's own cache) run in every process.
    """

    name: str
    handler: JobHandler
    period: Period | None = None
    at: TimeOfDay | None = None
    tz: Zone = "UTC"
    per_process: bool = False


@dataclass
class Router:
    """Declarations of one feature (or, without a name, of a part of one)."""

    name: str | None = None
    settings: Iterable[Setting] = ()
    # Modules the worker processes import once at start (e.g. the feature's chart drawing).
    workers: Iterable[str] = ()
    scopes: set[str] = field(default_factory=set)
    commands: dict[str, Command] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    events: dict[str, list[EventHandler]] = field(default_factory=dict)
    routes: dict[tuple[str, str], RouteHandler] = field(default_factory=dict)
    # Routes that take a bearer token, and the setting holding it with one workspace (`http(bearer=)`).
    bearers: dict[tuple[str, str], str] = field(default_factory=dict)
    jobs: list[Job] = field(default_factory=list)
    on_start: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    homes: list[HomeSection] = field(default_factory=list)
    shortcuts: dict[str, ShortcutDeclaration] = field(default_factory=dict)
    resources: dict[str, ResourceDeclaration] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings = tuple(self.settings)
        self.workers = tuple(self.workers)

    # -- declaring ------------------------------------------------------------------------

    def command(
        self, name: str, summary: str, *params: Param, **options: Any
    ) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            self.add(Command(name=name, summary=summary, handler=handler, params=params, **options))
            return handler

        return register

    def add(self, command: Command) -> None:
        for key in (command.name, *command.aliases):
            if key in self.commands:
                raise ValueError(f"command {key!r} is declared twice")
            self.commands[key] = command

    def action(self, action_id: str) -> Callable[[ActionHandler], ActionHandler]:
        """A button handler. `action_id` owns itself and its family `action_id:…`: a click goes
        to the longest declared id its own id starts with (`game` handles `game:move:4` unless
        `game:move` is declared too). Another feature's id in the same family is refused at start
        (`bot.features.ownership`)."""

        def register(handler: ActionHandler) -> ActionHandler:
            if action_id in self.actions:
                raise ValueError(f"action {action_id!r} is declared twice")
            self.actions[action_id] = handler
            return handler

        return register

    def event(self, event_type: str, *scopes: str) -> Callable[[EventHandler], EventHandler]:
        """A listener for a Slack event (`team_join`, `channel_rename`, … or `app_mention`, and
        `message` for messages in the channels Sloth is in); `scopes` are the bot scopes it needs."""

        def register(handler: EventHandler) -> EventHandler:
            self.events.setdefault(event_type, []).append(handler)
            self.scopes.update(scopes)
            return handler

        return register

    def http(self, method: str, path: str, *, bearer: str | None = None) -> Callable[[RouteHandler], RouteHandler]:
        """An HTTP route of the feature's own. `bearer` names the feature's setting that holds the
        token its callers send (`Authorization: Bearer …`), which the handler checks against
        `ctx.config.<bearer>`. With many workspaces (`SLOTH_WORKSPACES=many`) only such a route is
        served: each workspace's admins issue it a token of its own (`/sloth token <feature>`), and
        the runtime finds the workspace from the token and calls the handler with that workspace's
        context, whose setting then holds the token the request proved."""

        def register(handler: RouteHandler) -> RouteHandler:
            if (method, path) in self.routes:
                raise ValueError(f"route {method} {path} is declared twice")
            self.routes[(method, path)] = handler
            if bearer is not None:
                self.bearers[(method, path)] = bearer
            return handler

        return register

    def every(self, seconds: Period, *, name: str | None = None,
              per_process: bool = False) -> Callable[[JobHandler], JobHandler]:
        """Run the function every `seconds` (a number, or a function of the context, e.g. of a setting)."""

        def register(handler: JobHandler) -> JobHandler:
            self.jobs.append(Job(name or handler.__name__, handler, period=seconds, per_process=per_process))
            return handler

        return register

    def daily(self, at: str | time_of_day | Callable[[Context], str | time_of_day], *, tz: Zone = "UTC",
              name: str | None = None) -> Callable[[JobHandler], JobHandler]:
        """Run the function once a day at `at` ("09:30", "5pm"), in the time zone `tz`
        ("Europe/London"); either may be a function of the context, e.g. of a setting declared with
        `kinds.time_of_day` or `kinds.time_zone` (`lambda ctx: ctx.config.at`). A time or zone
        given as text is read when the feature loads, so a misspelt one stops it loading."""
        when = at if callable(at) else declared(kinds.time_of_day, at)
        if not callable(tz):
            declared(kinds.time_zone, tz)

        def register(handler: JobHandler) -> JobHandler:
            self.jobs.append(Job(name or handler.__name__, handler, at=when, tz=tz))
            return handler

        return register

    def home(self, section: HomeSection) -> HomeSection:
        """The feature's part of each member's Home tab: `section(ctx, member)` returns its blocks
        for that member (only what they may see), or [] to show nothing."""
        self.homes.append(section)
        return section

    def message_shortcut(self, callback_id: str, name: str, description: str = "",
                         limit: Limit | None = None) -> Callable[[ShortcutHandler], ShortcutHandler]:
        """A shortcut in every message's menu, called `name`: the handler gets a `MessageShortcut`
        and returns a Reply for the member who used it (or None)."""

        def register(handler: ShortcutHandler) -> ShortcutHandler:
            if callback_id in self.shortcuts:
                raise ValueError(f"message shortcut {callback_id!r} is declared twice")
            self.shortcuts[callback_id] = ShortcutDeclaration(callback_id, name, handler, description, limit)
            return handler

        return register

    def resource(self, uri: str, name: str, *, mime_type: str = "text/plain", description: str = "",
                 listed: Listed | None = None) -> Callable[[ResourceHandler], ResourceHandler]:
        """Something an MCP client may read (`bot.features.resources`): `uri` or a template of URIs
        (`sloth://runs/{run}`); the handler gets (ctx, member, params) and returns the text, the bytes,
        or None for one the member may not see, which reads as one that does not exist."""

        def register(handler: ResourceHandler) -> ResourceHandler:
            if uri in self.resources:
                raise ValueError(f"resource {uri!r} is declared twice")
            self.resources[uri] = ResourceDeclaration(uri, name, handler, mime_type, description, listed)
            return handler

        return register

    def started(self, hook: Hook) -> Hook:
        """Run once the runtime is up, before envelopes are taken (open the feature's resources)."""
        self.on_start.append(hook)
        return hook

    def stopping(self, hook: Hook) -> Hook:
        """Run when the runtime stops, after in-flight work has finished (close them)."""
        self.on_stop.append(hook)
        return hook

    def include(self, part: Router) -> None:
        """Add the declarations of a part of this feature (a router of a submodule)."""
        for command in dict.fromkeys(part.commands.values()):
            self.add(command)
        for action_id, handler in part.actions.items():
            self.action(action_id)(handler)
        for event_type, handlers in part.events.items():
            self.events.setdefault(event_type, []).extend(handlers)
        self.scopes.update(part.scopes)
        for (method, path), route in part.routes.items():
            self.http(method, path, bearer=part.bearers.get((method, path)))(route)
        self.jobs.extend(part.jobs)
        self.on_start.extend(part.on_start)
        self.on_stop.extend(part.on_stop)
        self.homes.extend(part.homes)
        for declaration in part.shortcuts.values():
            self.message_shortcut(declaration.callback_id, declaration.name, declaration.description,
                                  declaration.limit)(declaration.handler)
        for resource in part.resources.values():
            self.resource(resource.uri, resource.name, mime_type=resource.mime_type,
                          description=resource.description, listed=resource.listed)(resource.handler)
        self.settings = (*self.settings, *part.settings)
        self.workers = (*self.workers, *part.workers)

    # -- reading --------------------------------------------------------------------------

    def listed(self) -> list[Command]:
        """Each command once, in declaration order."""
        return list(dict.fromkeys(self.commands.values()))
