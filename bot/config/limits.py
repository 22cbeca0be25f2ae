"""Per-member limits on commands that make work: how many may run at once, per hour and per day.

    @router.command("plot", "Charts.", ..., limit=Limit(at_once=2, per_hour=15, per_day=60))

Slack's rate limits and Sloth's worker processes are shared by the whole workspace: without a
limit, one member asking for 150 reminders or 30 charts at once makes everyone else wait behind
them. Here is what a limit is and how `SLOTH_LIMITS` changes one; dispatch counts each member's
runs against it (`bot.handling.turns`).

`SLOTH_LIMITS` changes any command's limit, Sloth's own or a feature's:
`remind 5 at once, 50/hour; export 10/day; plot off`. What an entry leaves out keeps the
command's own value; `off` removes its limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace

_RULE = re.compile(r"^(\d+)\s*(?:(at once)|(?:/|per|an?)\s*(hour|h|day|d))$")


@dataclass(frozen=True)
class Limit:
    """How many runs of a command each member may have: at once, in any hour, in any day (None: no limit)."""

    at_once: int | None = None
    per_hour: int | None = None
    per_day: int | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"Limit {field.name} must be a whole number of at least 1, not {value!r}")

    @property
    def text(self) -> str:
        """"2 at once, 15 an hour, 60 a day"."""
        parts = [f"{self.at_once} at once" if self.at_once else "",
                 f"{self.per_hour} an hour" if self.per_hour else "",
                 f"{self.per_day} a day" if self.per_day else ""]
        return ", ".join(p for p in parts if p) or "no limit"

    def over(self, declared: Limit | None) -> Limit:
        """This override on top of a command's own limit: what it leaves out is kept."""
        if declared is None:
            return self
        return replace(declared, **{f.name: getattr(self, f.name) for f in fields(self)
                                    if getattr(self, f.name) is not None})


Overrides = Mapping[str, "Limit | None"]  # by command name; None removes the command's limit


def parse_limits(text: str) -> dict[str, Limit | None]:
    """`SLOTH_LIMITS`: `remind 5 at once, 50/hour; plot off` -> {command: override (None: off)}."""
    found: dict[str, Limit | None] = {}
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        name, _, rules = entry.partition(" ")
        name, rules = name.strip().lower(), rules.strip().lower()
        if not name or not rules:
            raise ValueError(f"'{entry}' should be a command and its limits, like 'remind 5 at once, 50/hour'")
        if name in found:
            raise ValueError(f"'{name}' is named twice")
        found[name] = None if rules == "off" else _limit(name, rules)
    return found


def _limit(name: str, rules: str) -> Limit:
    values: dict[str, int] = {}
    for rule in (r.strip() for r in rules.split(",")):
        match = _RULE.match(rule)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"'{rule}' (for {name}) is not a limit like '2 at once', '20/hour' or '100/day'")
        key = "at_once" if match.group(2) else ("per_hour" if match.group(3).startswith("h") else "per_day")
        if key in values:
            raise ValueError(f"{name} has two {key.replace('_', ' ')} limits")
        values[key] = int(match.group(1))
    return Limit(**values)


def limit_for(name: str, declared: Limit | None, overrides: Overrides) -> Limit | None:
    """The limit a command runs under: its own, changed by SLOTH_LIMITS."""
    if name not in overrides:
        return declared
    override = overrides[name]
    return None if override is None else override.over(declared)


def unknown_names(overrides: Overrides, known: Callable[[str], bool]) -> list[str]:
    """Problems for SLOTH_LIMITS entries that name no command (a typo would limit nothing)."""
    return [f"SLOTH_LIMITS names '{name}', which is not the name of a command or message shortcut of any loaded "
            "feature."
            for name in overrides if not known(name)]
