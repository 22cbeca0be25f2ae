"""The command registry: every command is declared once and reached from every entry point.

A feature module makes its own `Router`, declares commands, button actions and event listeners
on it, and `bot.app` lists the feature routers once. Slash commands, @mentions, DMs and buttons
all become one frozen `Invocation` that goes through one dispatch (`bot.dispatch`). Help, the
app manifest and permission checks are generated from the same declarations.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bot.errors import UsageError
from bot.text import parse_channel, parse_user, split_args

if TYPE_CHECKING:
    from bot.context import Context
    from bot.reply import Reply

Source = Literal["slash", "mention", "dm", "button"]
Kind = Literal["user", "channel", "int", "word", "text"]
Args = dict[str, Any]
CommandHandler = Callable[["Context", "Invocation", Args], Awaitable["Reply"]]
EventHandler = Callable[["Context", dict[str, Any]], Awaitable[None]]
StartHook = Callable[["Context"], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Invocation:
    """One request to run a command, whatever way it arrived."""

    name: str
    args: str
    user: str
    channel: str
    source: Source
    thread: str | None = None
    team: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None
    page: int = 0

    @property
    def line(self) -> str:
        return f"{self.name} {self.args}".strip()


@dataclass(frozen=True)
class Param:
    """One argument of a command's grammar."""

    name: str
    kind: Kind = "word"
    required: bool = True
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def usage(self) -> str:
        shown = {"user": f"@{self.name}", "channel": f"#{self.name}"}.get(self.kind, self.name)
        if self.kind == "text":
            shown += "…"
        return shown if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    handler: CommandHandler
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()
    admin_only: bool = False
    token: Literal["bot", "user"] = "bot"
    scopes: tuple[str, ...] = ()
    user_scopes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(p.usage for p in self.params)])


@dataclass
class Router:
    """Declarations of one feature: commands, button actions and Slack events."""

    commands: dict[str, Command] = field(default_factory=dict)
    actions: dict[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)
    events: dict[str, list[EventHandler]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=set)
    # (method, path) -> async handler(ctx, aiohttp request) -> aiohttp response, served on Sloth's HTTP side.
    routes: dict[tuple[str, str], Callable[..., Awaitable[Any]]] = field(default_factory=dict)
    # Run once the runtime is up, e.g. a sweeper loop; each is supervised like any background task.
    on_start: list[Callable[[Context], Coroutine[Any, Any, None]]] = field(default_factory=list)

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

    def action(self, action_id: str) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
        def register(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
            if action_id in self.actions:
                raise ValueError(f"action {action_id!r} is declared twice")
            self.actions[action_id] = handler
            return handler

        return register

    def event(self, event_type: str, *scopes: str) -> Callable[[EventHandler], EventHandler]:
        def register(handler: EventHandler) -> EventHandler:
            self.events.setdefault(event_type, []).append(handler)
            self.scopes.update(scopes)
            return handler

        return register

    def http(self, method: str, path: str) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
        def register(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
            if (method, path) in self.routes:
                raise ValueError(f"route {method} {path} is declared twice")
            self.routes[(method, path)] = handler
            return handler

        return register

    def started(self, hook: StartHook) -> StartHook:
        self.on_start.append(hook)
        return hook

    def include(self, other: Router) -> None:
        for command in dict.fromkeys(other.commands.values()):
            self.add(command)
        for action_id, handler in other.actions.items():
            self.action(action_id)(handler)
        for event_type, handlers in other.events.items():
            self.events.setdefault(event_type, []).extend(handlers)
        self.scopes.update(other.scopes)
        for (method, path), route in other.routes.items():
            self.http(method, path)(route)
        self.on_start.extend(other.on_start)

    # -- reading the registry -------------------------------------------------------------

    def listed(self) -> list[Command]:
        """Each command once, in declaration order."""
        return list(dict.fromkeys(self.commands.values()))

    def find(self, name: str) -> Command | None:
        return self.commands.get(name.lower())

    def closest(self, name: str) -> str | None:
        matches = difflib.get_close_matches(name.lower(), list(self.commands), n=1, cutoff=0.5)
        if matches:
            return self.commands[matches[0]].name
        prefixed = [c for c in self.commands if c.startswith(name.lower()[:3])] if name else []
        return self.commands[prefixed[0]].name if prefixed else None

    def bot_scopes(self) -> set[str]:
        found = set(self.scopes)
        for command in self.listed():
            found.update(command.scopes)
        return found

    def user_scopes(self) -> set[str]:
        return {s for c in self.listed() for s in c.user_scopes}


def combine(routers: Iterable[Router]) -> Router:
    registry = Router()
    for router in routers:
        registry.include(router)
    return registry


def parse_args(command: Command, text: str) -> Args:
    """Match `text` against the command's grammar; a mismatch raises UsageError."""
    tokens = split_args(text)
    values: Args = {}
    for index, param in enumerate(command.params):
        if param.kind == "text":
            rest = " ".join(tokens[index:]).strip() if index < len(tokens) else ""
            tokens = tokens[:index]
            if not rest and param.required:
                raise UsageError(command, f"{param.name} is missing.")
            values[param.name] = rest or param.default
            continue
        if index >= len(tokens):
            if param.required:
                raise UsageError(command, f"{param.name} is missing.")
            values[param.name] = param.default
            continue
        values[param.name] = _convert(command, param, tokens[index])
    if len(tokens) > len(command.params):
        extra = " ".join(tokens[len(command.params) :])
        raise UsageError(command, f"unexpected {extra!r}.")
    return values


def _convert(command: Command, param: Param, token: str) -> Any:
    if param.kind == "user":
        user = parse_user(token)
        if user is None:
            raise UsageError(command, f"{param.name} should be a member, like @name.")
        return user
    if param.kind == "channel":
        channel = parse_channel(token)
        if channel is None:
            raise UsageError(command, f"{param.name} should be a channel, like #general.")
        return channel
    if param.kind == "int":
        if not token.lstrip("-").isdigit():
            raise UsageError(command, f"{param.name} should be a whole number.")
        number = int(token)
        low, high = param.minimum, param.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise UsageError(command, f"{param.name} should be between {low} and {high}.")
        return number
    return token
