"""A feature's own settings: declared beside its commands, read from the environment with the core ones.

    router = Router("standup", settings=[
        Setting("channel", str, default="#standup", help="where the stand-up is posted"),
        Setting("api_key", str, required=True, secret=True),
    ])

`ctx.config.channel` then holds the value. The variable is `<FEATURE>_<NAME>` unless `env=` says
otherwise (`STANDUP_CHANNEL`, `STANDUP_API_KEY`). Every problem is collected and reported
together with the core settings' problems; a secret's value never appears in a message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.pure.errors import Expected

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """One setting of a feature.

    `kind` is str, int, float, bool, Path, one of `bot.pure.kinds` (a channel, a time of day, a
    time zone, a positive number), or any function that turns the text into a value and raises
    ValueError (with a message saying what is expected) for text it refuses. Numbers must be
    finite and within `minimum`..`maximum` when those are given. A default given as text is read
    like the variable's text (`default="09:30"` with `kinds.time_of_day` is a `time`).
    """

    name: str
    kind: type | Callable[[str], Any] = str
    default: Any = None
    required: bool = False
    secret: bool = False
    help: str = ""
    env: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def variable(self, feature: str) -> str:
        return self.env or re.sub(r"[^A-Za-z0-9]+", "_", f"{feature}_{self.name}").upper()

    @property
    def kind_name(self) -> str:
        return getattr(self.kind, "__name__", "value")

    def __repr__(self) -> str:
        default = "***" if self.secret and self.default is not None else repr(self.default)
        return f"Setting({self.name!r}, {self.kind_name}, default={default}, secret={self.secret})"


class Config(Mapping[str, Any]):
    """A feature's settings, read-only: `config.channel` or `config["channel"]`."""

    def __init__(self, feature: str, values: Mapping[str, Any]) -> None:
        self._feature = feature
        self._values = dict(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"the {self._feature} feature declares no setting {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Config({self._feature!r}, {sorted(self._values)})"


def read_config(feature: str, settings: tuple[Setting, ...], env: Mapping[str, str],
                problems: list[str]) -> Config:
    """The feature's values from `env`; each problem is appended to `problems` as one sentence."""
    values: dict[str, Any] = {}
    for setting in settings:
        variable = setting.variable(feature)
        raw = env.get(variable, "").strip()
        if not raw:
            if setting.required:
                why = f" ({setting.help})" if setting.help else ""
                problems.append(f"{variable} is not set: the {feature} feature needs it{why}.")
            values[setting.name] = default_value(setting, variable, problems)
            continue
        try:
            values[setting.name] = convert(setting, raw)
        except Exception as e:  # whatever a feature's own conversion raises: a problem, never a traceback
            problems.append(refusal(variable, setting, raw, e))
            values[setting.name] = setting.default
    return Config(feature, values)


def default_value(setting: Setting, variable: str, problems: list[str]) -> Any:
    """The setting's default: as declared, or, given as text for a kind that reads text, read like it."""
    default = setting.default
    if not isinstance(default, str) or setting.kind is str:
        return default
    try:
        return convert(setting, default)
    except Exception as e:  # the feature's own default does not read: its author's mistake, said at start
        problems.append(f"The default of {variable}: " + refusal(variable, setting, default, e))
        return None


def refusal(variable: str, setting: Setting, raw: str, error: Exception) -> str:
    """The sentence for a value `setting` refused. A secret's value is never in it: a feature's
    own conversion may quote what it was given (in its message, or in any exception), so for a
    secret only Sloth's own wording of what is expected is shown."""
    if setting.secret:
        expected = str(error) if isinstance(error, Expected) else f"a valid {setting.kind_name}"
        return f"{variable} must be {expected} (the value is secret, so it is not shown)."
    if isinstance(error, ValueError):
        return f"{variable} must be {error}, not {raw[:60]!r}."
    return f"{variable} could not be read ({type(error).__name__}: {error}), not {raw[:60]!r}."


def convert(setting: Setting, raw: str) -> Any:
    kind = setting.kind
    if kind is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise Expected("true or false")
    if kind in (int, float):
        return _number(setting, raw)
    if kind is Path:
        return Path(raw).expanduser()
    if setting.choices and raw not in setting.choices:
        raise Expected("one of " + ", ".join(setting.choices))
    if kind is str:
        return raw
    try:
        return kind(raw)
    except Expected:
        raise
    except ValueError as e:
        raise ValueError(str(e) or f"a valid {setting.kind_name}") from None


def _number(setting: Setting, raw: str) -> float | int:
    what = "a whole number" if setting.kind is int else "a number"
    bounds = _bounds(setting)
    try:
        value: float | int = int(raw) if setting.kind is int else float(raw)
    except ValueError:
        raise Expected(what + bounds) from None
    if not math.isfinite(value):  # nan, inf: float() takes them, no setting wants them
        raise Expected(what + bounds)
    if (setting.minimum is not None and value < setting.minimum) or (
            setting.maximum is not None and value > setting.maximum):
        raise Expected(what + bounds)
    return value


def _bounds(setting: Setting) -> str:
    low, high = setting.minimum, setting.maximum
    if low is not None and high is not None:
        return f" from {_plain(low)} to {_plain(high)}"
    if low is not None:
        return " above 0" if low == 0 and setting.kind is float else f" of at least {_plain(low)}"
    if high is not None:
        return f" of at most {_plain(high)}"
    return ""


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
