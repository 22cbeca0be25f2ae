"""What `sloth run` starts from, read once: Sloth's settings and the loaded features, every problem at once.

The command line (`sloth run`) and the doctor (`sloth doctor`) both begin here, so the doctor
checks a workspace with exactly the settings and features that running Sloth would use.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.limits import unknown_names
from bot.config.problems import Problems
from bot.config.settings import Settings, read_settings
from bot.features.loader import load_features
from bot.features.registry import Registry


def configure(env: Mapping[str, str]) -> tuple[Settings, Registry]:
    """The core settings and the loaded features, or Problems listing every problem of both."""
    problems: list[str] = []
    settings = read_settings(env, problems)
    try:
        registry = load_features(env)
    except Problems as e:
        problems += e.problems
    else:
        if settings is not None:
            problems += unknown_names(settings.limit_overrides,
                                      lambda name: getattr(registry.find(name), "name", "") == name
                                      or name in registry.shortcuts)
    if problems or settings is None:
        raise Problems(problems)
    return settings, registry
