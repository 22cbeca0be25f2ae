"""Every loaded feature's declarations in one place, each remembered with the feature it came from.

Dispatch, help, the app manifest, `sloth features` and the HTTP side all read this. Two
features declaring the same command, alias or button, or HTTP routes that would answer the same
request (or one Sloth answers itself, like /healthz), are refused here, naming both.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.config import Config, Setting
from bot.http_paths import own_route, route_problem, routes_overlap
from bot.router import ActionHandler, Command, EventHandler, Job, RouteHandler, Router


class DuplicateError(ValueError):
    """Features declare the same things: one sentence per clash, every clash found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Feature:
    """A loaded feature: its router, its settings' values, and where it came from."""

    router: Router
    source: str = "built-in"  # "built-in", "SLOTH_FEATURES", "entry point … (distribution …)"
    spec: str = ""  # how it was named: "handlers.games" or "standup_feature:router"
    config: Config = field(default_factory=lambda: Config("", {}))
    # Sloth's own machinery (bot.core, connect): its context reaches the core (bot.core_context).
    # Only the loader sets it, for its own list; a team's feature never has it.
    core: bool = False

    @property
    def name(self) -> str:
        return self.router.name or "core"

    @property
    def settings(self) -> tuple[Setting, ...]:
        return tuple(self.router.settings)

    def label(self) -> str:
        return f"'{self.name}' ({self.source}{': ' + self.spec if self.spec else ''})"


class Registry:
    def __init__(self, features: Iterable[Feature]) -> None:
        self.features: list[Feature] = []
        self.commands: dict[str, Command] = {}
        self.owners: dict[str, Feature] = {}  # command name or alias -> feature
        self.actions: dict[str, tuple[ActionHandler, Feature]] = {}
        self.events: dict[str, list[tuple[EventHandler, Feature]]] = {}
        self.routes: dict[tuple[str, str], tuple[RouteHandler, Feature]] = {}
        self.jobs: list[tuple[Job, Feature]] = []
        # Commands switched off at start because the bot token lacks a scope they need.
        self.unavailable: dict[str, tuple[str, ...]] = {}
        clashes: list[str] = []
        for feature in features:
            self._add(feature, clashes)
        if clashes:
            raise DuplicateError(clashes)

    def _add(self, feature: Feature, clashes: list[str]) -> None:
        taken = next((f for f in self.features if f.name == feature.name), None)
        if taken is not None:
            clashes.append(f"Two features are called '{feature.name}': {taken.label()} and {feature.label()}.")
            return
        router = feature.router
        for key, command in router.commands.items():
            if self._free(f"The command '{key}'", self.owners.get(key), feature, clashes):
                self.commands[key], self.owners[key] = command, feature
        for action_id, handler in router.actions.items():
            held = self.actions.get(action_id)
            if self._free(f"The button action '{action_id}'", held[1] if held else None, feature, clashes):
                self.actions[action_id] = (handler, feature)
        for route, route_handler in router.routes.items():
            if self._route_free(route, feature, clashes):
                self.routes[route] = (route_handler, feature)
        for event_type, handlers in router.events.items():
            self.events.setdefault(event_type, []).extend((h, feature) for h in handlers)
        self.jobs.extend((job, feature) for job in router.jobs)
        self.features.append(feature)

    @staticmethod
    def _free(what: str, owner: Feature | None, feature: Feature, clashes: list[str]) -> bool:
        """True when nobody declared `what` yet; otherwise the clash is noted, naming both features."""
        if owner is None:
            return True
        clashes.append(f"{what} is declared by two features: {owner.label()} and {feature.label()}.")
        return False

    def _route_free(self, route: tuple[str, str], feature: Feature, clashes: list[str]) -> bool:
        """True when `route` is valid and answers no request that Sloth itself or another feature's
        route answers (aiohttp would serve only the first of the two); otherwise the clash is noted."""
        method, path = route
        what = f"The HTTP route {method} {path} of {feature.label()}"
        problem = route_problem(method, path)
        if problem is not None:
            clashes.append(f"{what} {problem}.")
            return False
        own = own_route(method, path)
        if own is not None:
            clashes.append(f"{what} would answer requests for Sloth's own {own[2]} ({own[0]} {own[1]}): "
                           "choose another path.")
            return False
        for taken, (_, owner) in self.routes.items():
            if owner.name == feature.name or not routes_overlap(taken, route):
                continue
            if taken == route:
                return self._free(f"The HTTP route {method} {path}", owner, feature, clashes)
            clashes.append(f"The HTTP routes {taken[0]} {taken[1]} of {owner.label()} and {method} {path} of "
                           f"{feature.label()} answer the same requests (only the first would be served): "
                           "give one of them another path.")
            return False
        return True

    # -- reading ------------------------------------------------------------------------------

    def listed(self) -> list[Command]:
        """Each command once, in the order features were loaded and declared them."""
        return list(dict.fromkeys(self.commands.values()))

    def find(self, name: str) -> Command | None:
        return self.commands.get(name.lower())

    def feature_of(self, command: Command) -> Feature:
        return self.owners[command.name]

    def feature(self, name: str) -> Feature | None:
        return next((f for f in self.features if f.name == name), None)

    def action(self, action_id: str) -> tuple[ActionHandler, Feature] | None:
        return self.actions.get(action_id) or self.actions.get(action_id.split(":")[0])

    def closest(self, name: str) -> str | None:
        return closest(self.commands, name)

    def bot_scopes(self) -> set[str]:
        found: set[str] = set()
        for feature in self.features:
            found.update(feature.router.scopes)
        for command in self.listed():
            found.update(command.scopes)
        return found

    def user_scopes(self) -> set[str]:
        return {s for c in self.listed() for s in c.user_scopes}

    def worker_modules(self) -> list[str]:
        return list(dict.fromkeys(m for f in self.features for m in f.router.workers))

    def event_types(self) -> set[str]:
        return set(self.events)

    def describe(self) -> list[dict[str, Any]]:
        """What `sloth features` prints: one entry per feature."""
        return [{
            "name": f.name, "source": f.source, "spec": f.spec,
            "commands": [c.name for c in dict.fromkeys(f.router.commands.values())],
            "scopes": sorted(f.router.scopes | {s for c in f.router.commands.values() for s in c.scopes}),
            "settings": [(s, s.variable(f.name)) for s in f.settings],
        } for f in self.features]


def closest(commands: Mapping[str, Command], name: str) -> str | None:
    """The command a mistyped `name` most likely meant, if any is close."""
    matches = difflib.get_close_matches(name.lower(), list(commands), n=1, cutoff=0.5)
    if matches:
        return commands[matches[0]].name
    prefixed = [c for c in commands if c.startswith(name.lower()[:3])] if name else []
    return commands[prefixed[0]].name if prefixed else None


class Catalogue:
    """Every loaded command, read-only, as help shows them to any member: a feature's
    `ctx.commands`. It holds the commands alone, not the features or their settings."""

    def __init__(self, registry: Registry) -> None:
        self._commands: Mapping[str, Command] = MappingProxyType(registry.commands)
        # Filled at start with the commands the bot token's scopes leave out (bot.runtime).
        self.unavailable: Mapping[str, tuple[str, ...]] = MappingProxyType(registry.unavailable)

    def listed(self) -> list[Command]:
        """Each command once, in the order features were loaded and declared them."""
        return list(dict.fromkeys(self._commands.values()))

    def find(self, name: str) -> Command | None:
        """The command called `name` (or with `name` as an alias), whichever feature declares it."""
        return self._commands.get(name.lower())

    def closest(self, name: str) -> str | None:
        return closest(self._commands, name)
