"""Every loaded command, as help shows them to any member: what a feature's `ctx.commands` holds."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, Protocol


class CommandInfo(Protocol):
    """What help shows of a command (`bot.features.router.Command` has all of it, and its handler)."""

    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def usage(self) -> str: ...
    @property
    def examples(self) -> tuple[str, ...]: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def admin_only(self) -> bool: ...
    @property
    def token(self) -> Literal["bot", "user"]: ...


def closest(commands: Mapping[str, CommandInfo], name: str) -> str | None:
    """The command a mistyped `name` most likely meant, if any is close."""
    matches = difflib.get_close_matches(name.lower(), list(commands), n=1, cutoff=0.5)
    if matches:
        return commands[matches[0]].name
    prefixed = [c for c in commands if c.startswith(name.lower()[:3])] if name else []
    return commands[prefixed[0]].name if prefixed else None


class Catalogue:
    """Every loaded command, read-only, as help shows them to any member: a feature's
    `ctx.commands`. It holds the commands alone, not the features or their settings."""

    def __init__(self, commands: Mapping[str, CommandInfo], unavailable: Mapping[str, tuple[str, ...]]) -> None:
        """Views of the registry's `commands` and `unavailable` (filled at start with the commands
        the bot token's scopes leave out, bot.runtime.lifecycle): they follow it, read-only."""
        self._commands: Mapping[str, CommandInfo] = MappingProxyType(commands)
        self.unavailable: Mapping[str, tuple[str, ...]] = MappingProxyType(unavailable)

    def listed(self) -> list[CommandInfo]:
        """Each command once, in the order features were loaded and declared them."""
        return list(dict.fromkeys(self._commands.values()))

    def find(self, name: str) -> CommandInfo | None:
        """The command called `name` (or with `name` as an alias), whichever feature declares it."""
        return self._commands.get(name.lower())

    def closest(self, name: str) -> str | None:
        return closest(self._commands, name)
