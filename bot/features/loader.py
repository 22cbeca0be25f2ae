"""Which features Sloth runs: the built-in ones, those named in SLOTH_FEATURES, and installed ones.

- Built-in features are listed once, below, the same way a team names its own.
- `SLOTH_FEATURES=standup,ops.deploys:router` adds features by module (its `router`) or
  `module:attribute`; the working directory is searched after everything installed.
- Installed distributions that declare an entry point in the group `sloth.features` are loaded.
- `SLOTH_DISABLE=games,share` switches features off by name.

Anything wrong (a module that cannot be imported, a command, button id, HTTP route or settings
variable that another feature or Sloth itself owns (`bot.features.ownership`), a missing required setting)
is collected with every other problem and reported at once; Sloth then exits with 2.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from importlib.metadata import entry_points
from pathlib import Path

from bot.config.feature_settings import read_config
from bot.config.problems import Problems
from bot.features.registry import Feature, Registry
from bot.features.router import Router

BUILTIN = (
    "handlers.help",
    "handlers.team",
    "handlers.channels",
    "handlers.users",
    "handlers.history",
    "handlers.files",
    "handlers.plots",
    "handlers.export",
    "handlers.share",
    "bot.connect.feature",
    "handlers.status",
    "handlers.search",
    "handlers.remind",
    "handlers.say",
    "handlers.channel_admin",
    "handlers.games.feature",
    "handlers.training.feature",
    "bot.agent.mcp_feature",
)
CORE = "bot.runtime.core_feature"  # the directory's events and the page and join buttons: always on
# Sloth's own machinery among the features, whose contexts reach the core (bot.features.core):
# the core feature, connect (the OAuth pages, members' tokens) and mcp (members' MCP tokens, tools run
# as them). Every other feature, built-in or a team's, keeps to its own context.
OWN_MACHINERY = (CORE, "bot.connect.feature", "bot.agent.mcp_feature")
ENTRY_POINT_GROUP = "sloth.features"


def named(env: Mapping[str, str], variable: str) -> list[str]:
    return [part.strip() for part in env.get(variable, "").split(",") if part.strip()]


def import_router(spec: str) -> Router:
    """The Router that `module` (its `router`) or `module:attribute` names."""
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    found = getattr(module, attribute or "router", None)
    if not isinstance(found, Router):
        what = f"{module_name}:{attribute or 'router'}"
        raise TypeError(f"{what} is {'missing' if found is None else type(found).__name__}, not a bot.api.Router")
    if not found.name:
        raise TypeError(f"the Router of {spec} has no name; give it one, e.g. Router('{module_name.split('.')[-1]}')")
    return found


def discover(env: Mapping[str, str], builtins: tuple[str, ...] = BUILTIN,
             installed: bool = True) -> list[tuple[str, str]]:
    """(spec, source) of every feature to load, in order: built-in, SLOTH_FEATURES, installed."""
    found = [(CORE, "core"), *((spec, "built-in") for spec in builtins)]
    found += [(spec, "SLOTH_FEATURES") for spec in named(env, "SLOTH_FEATURES")]
    if installed:
        for point in entry_points(group=ENTRY_POINT_GROUP):
            dist = point.dist
            where = f"{dist.name} {dist.version}" if dist is not None else "an installed distribution"
            found.append((point.value, f"entry point '{point.name}' of {where}"))
    return found


def load_features(env: Mapping[str, str] | None = None, *, builtins: tuple[str, ...] = BUILTIN,
                  installed: bool = True, check_settings: bool = True) -> Registry:
    """Import, configure and combine every enabled feature; Problems lists every problem."""
    env = os.environ if env is None else env
    problems: list[str] = []
    if named(env, "SLOTH_FEATURES") and os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())  # after everything installed: a team's own bot/ can't shadow Sloth's
    features: list[Feature] = []
    for spec, source in discover(env, builtins, installed):
        try:
            own = spec in OWN_MACHINERY and source in ("core", "built-in")
            features.append(Feature(import_router(spec), source, spec, core=own))
        except Exception as e:  # anything a feature's import raises: reported, never a traceback
            problems.append(f"Sloth cannot load the feature {spec} ({source}): {type(e).__name__}: {e}")
    disabled = set(named(env, "SLOTH_DISABLE"))
    unknown = disabled - {f.name for f in features}
    if unknown:
        problems.append(f"SLOTH_DISABLE names no loaded feature: {', '.join(sorted(unknown))} "
                        f"(features: {', '.join(f.name for f in features if f.name != 'core')}).")
    if "core" in disabled:
        problems.append("SLOTH_DISABLE cannot switch off 'core'.")
    features = [f for f in features if f.name not in disabled or f.name == "core"]
    configured = []
    for feature in features:
        config = read_config(feature.name, feature.settings, env, problems if check_settings else [])
        configured.append(replace(feature, config=config))
    try:
        registry = Registry(configured)
    except Problems as e:
        problems += e.problems
        registry = Registry([])
    if problems:
        raise Problems(problems)
    return registry


def feature_table(registry: Registry, env: Mapping[str, str]) -> str:
    """What `sloth features` prints: each feature, where it comes from, its commands, scopes and
    settings (whether each is set, never a secret's value)."""
    lines: list[str] = []
    for entry in registry.describe():
        if entry["name"] == "core":
            continue
        lines.append(f"{entry['name']}  ({entry['source']}: {entry['spec']})")
        lines.append("  commands: " + (", ".join(entry["commands"]) or "none"))
        lines.append("  scopes:   " + (", ".join(entry["scopes"]) or "none"))
        for setting, variable in entry["settings"]:
            raw = env.get(variable, "").strip()
            if setting.secret:
                value = "set" if raw else "not set"
            else:
                default = str(setting.default) if isinstance(setting.default, Path) else repr(setting.default)
                value = repr(raw) if raw else f"default {default}"
            need = ", required" if setting.required else ""
            lines.append(f"  setting:  {variable} ({setting.kind_name}{need}): {value}"
                         + (f"  — {setting.help}" if setting.help else ""))
    return "\n".join(lines) + "\n"
