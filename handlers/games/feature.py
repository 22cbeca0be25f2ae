"""The games feature: its settings, and the commands, buttons and sweeper of `commands`."""

from __future__ import annotations

from bot.api import Router, Setting, positive
from handlers.games import commands, home

# Sloth's connect-four move is a quick task of `logic` (a worker runs it with the job queue).
router = Router("games", workers=("handlers.games.logic",), settings=[
    Setting("idle_hours", positive("hours"), default=24.0, env="SLOTH_GAME_IDLE_HOURS",
            help="a game nobody moves in for this long expires"),
    Setting("tick_seconds", positive("seconds"), default=1.0, env="SLOTH_GAME_TICK_SECONDS",
            help="how often timed rounds and idle games are looked at"),
])
router.include(commands.router)
router.include(home.router)
