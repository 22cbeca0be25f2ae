"""Every loaded feature's declarations in one place, each remembered with the feature it came from.

Dispatch, help, the app manifest, `sloth features` and the HTTP side all read this. What one
feature declares is its own (`bot.features.ownership`): two features declaring the same command or alias,
button ids of which one would answer the other's clicks (`game` and `game:join`), settings
reading the same environment variable (or one of Sloth's own), or HTTP routes that would answer
the same request (or one Sloth answers itself, like /healthz) are refused here, naming both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.config.feature_settings import Config, Setting
from bot.config.problems import Problems
from bot.features.catalogue import closest
from bot.features.functions import step_problem
from bot.features.ownership import CORE_VARIABLES, action_family, action_problem, actions_overlap, name_problem
from bot.features.resources import ResourceDeclaration, resource_problem
from bot.features.router import ActionHandler, Command, EventHandler, Job, RouteHandler, Router, Step
from bot.features.routes import own_route, route_problem, routes_overlap
from bot.features.surfaces import HomeSection, ShortcutDeclaration, callback_problem, step_callback_id


@dataclass(frozen=True)
class Feature:
    """A loaded feature: its router, its settings' values, and where it came from."""

    router: Router
    source: str = "built-in"  # "built-in", "SLOTH_FEATURES", "entry point … (distribution …)"
    spec: str = ""  # how it was named: "handlers.games" or "standup_feature:router"
    config: Config = field(default_factory=lambda: Config("", {}))
    # Sloth's own machinery (bot.runtime.core_feature, connect): its context reaches the core (bot.features.core).
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
        self.variables: dict[str, tuple[Setting, Feature]] = {}  # environment variable -> its reader
        self.jobs: list[tuple[Job, Feature]] = []
        self.homes: list[tuple[HomeSection, Feature]] = []  # each feature's part of the Home tab, in order
        self.shortcuts: dict[str, tuple[ShortcutDeclaration, Feature]] = {}  # message shortcuts by callback_id
        self.resources: dict[str, tuple[ResourceDeclaration, Feature]] = {}  # MCP resources by URI (template)
        # Commands switched off at start because the bot token lacks a scope they need.
        self.unavailable: dict[str, tuple[str, ...]] = {}
        clashes: list[str] = []
        for feature in features:
            self._add(feature, clashes)
        if clashes:
            raise Problems(clashes)

    def _add(self, feature: Feature, clashes: list[str]) -> None:
        taken = next((f for f in self.features if f.name == feature.name), None)
        if taken is not None:
            clashes.append(f"Two features are called '{feature.name}': {taken.label()} and {feature.label()}.")
            return
        problem = name_problem(feature.name) if feature.name != "core" else None
        if problem is not None:
            clashes.append(f"The feature name '{feature.name}' of {feature.label()} {problem}.")
            return
        router = feature.router
        for key, command in router.commands.items():
            if self._free(f"The command '{key}'", self.owners.get(key), feature, clashes):
                self.commands[key], self.owners[key] = command, feature
        for action_id, handler in router.actions.items():
            if self._action_free(action_id, feature, clashes):
                self.actions[action_id] = (handler, feature)
        for setting in feature.settings:
            self._variable_free(setting, feature, clashes)
        for route, route_handler in router.routes.items():
            if self._route_free(route, feature, clashes):
                self.routes[route] = (route_handler, feature)
        for event_type, handlers in router.events.items():
            self.events.setdefault(event_type, []).extend((h, feature) for h in handlers)
        self.jobs.extend((job, feature) for job in router.jobs)
        self.homes.extend((section, feature) for section in router.homes)
        for callback_id, declaration in router.shortcuts.items():
            problem = callback_problem(callback_id)
            if problem is not None:
                clashes.append(f"The message shortcut '{callback_id}' of {feature.label()} {problem}.")
            else:
                held = self.shortcuts.get(callback_id)
                if self._free(f"The message shortcut '{callback_id}'", held[1] if held else None, feature, clashes):
                    self.shortcuts[callback_id] = (declaration, feature)
        for uri, resource in router.resources.items():
            problem = resource_problem(uri)
            if problem is not None:
                clashes.append(f"The resource '{uri}' of {feature.label()} {problem}.")
            else:
                held_resource = self.resources.get(uri)
                if self._free(f"The resource '{uri}'", held_resource[1] if held_resource else None, feature, clashes):
                    self.resources[uri] = (resource, feature)
        self._steps_free(feature, clashes)
        self.features.append(feature)

    def _steps_free(self, feature: Feature, clashes: list[str]) -> None:
        """Two commands whose steps would have one callback_id (`run-report` and `run_report`)."""
        taken = {step_callback_id(c.name): c.name for c, _ in self.steps()}
        for command in dict.fromkeys(feature.router.commands.values()):
            callback_id, step = step_callback_id(command.name), command.as_step
            problem = step_problem(command, step) if step is not None else None
            if problem is not None:
                clashes.append(f"The command '{command.name}' of {feature.label()} {problem}.")
            elif step is not None and taken.get(callback_id, command.name) != command.name:
                clashes.append(f"The steps of the commands '{taken[callback_id]}' and '{command.name}' of "
                               f"{feature.label()} would both be the function '{callback_id}': rename one.")

    def _action_free(self, action_id: str, feature: Feature, clashes: list[str]) -> bool:
        """True when `action_id` is well formed and no other feature's id answers its clicks or
        has its clicks answered by it; otherwise the clash is noted."""
        problem = action_problem(action_id)
        if problem is not None:
            clashes.append(f"The button action '{action_id}' of {feature.label()} {problem}.")
            return False
        for taken, (_, owner) in self.actions.items():
            if owner.name == feature.name or not actions_overlap(taken, action_id):
                continue
            if taken == action_id:
                return self._free(f"The button action '{action_id}'", owner, feature, clashes)
            family, member = (taken, action_id) if action_id.startswith(taken + ":") else (action_id, taken)
            clashes.append(f"The button actions '{taken}' of {owner.label()} and '{action_id}' of {feature.label()} "
                           f"overlap: '{family}' also answers '{family}:…', so it would take the clicks of "
                           f"'{member}': give one of them another id.")
            return False
        return True

    def _variable_free(self, setting: Setting, feature: Feature, clashes: list[str]) -> None:
        """Note `setting`'s variable as read by `feature`, or the clash when Sloth or another
        setting reads it already."""
        variable = setting.variable(feature.name)
        what = f"The setting '{setting.name}' of {feature.label()}"
        if variable in CORE_VARIABLES:
            clashes.append(f"{what} would read {variable}, one of Sloth's own settings: "
                           "give it another name (or env=).")
            return
        held = self.variables.get(variable)
        if held is None:
            self.variables[variable] = (setting, feature)
        elif held[1].name == feature.name:
            clashes.append(f"{what} and its setting '{held[0].name}' both read {variable}: give one another name "
                           "(or env=).")
        else:
            clashes.append(f"The environment variable {variable} is read by two features: {held[1].label()} "
                           f"(setting '{held[0].name}') and {feature.label()} (setting '{setting.name}').")

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

    def declared_action(self, action_id: str) -> str | None:
        """The declared id that answers a click on `action_id`: itself, else the longest
        declared id it is in the family of (`game` for `game:move:4`)."""
        return next((a for a in action_family(action_id) if a in self.actions), None)

    def action(self, action_id: str) -> tuple[ActionHandler, Feature] | None:
        declared = self.declared_action(action_id)
        return self.actions[declared] if declared is not None else None

    def closest(self, name: str) -> str | None:
        return closest(self.commands, name)

    def steps(self) -> list[tuple[Command, Step]]:
        """Every command that is also a Workflow Builder step, with its step."""
        found = [(c, c.as_step) for c in self.listed()]
        return [(c, step) for c, step in found if step is not None]

    def step(self, callback_id: str) -> tuple[Command, Step] | None:
        return next(((c, s) for c, s in self.steps() if step_callback_id(c.name) == callback_id), None)

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
