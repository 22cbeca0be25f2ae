"""The stand-up feature: `standup <what you did…>`, Done / Blocked / I can help, a daily reminder.

A feature of its own distribution, written against `bot.api` only. Sloth finds it through the
entry point `standup = "sloth_standup:router"` in the group `sloth.features` (see
pyproject.toml), or through `SLOTH_FEATURES=sloth_standup` from a folder that holds it.

Settings (checked when Sloth starts; a bad value stops it with exit code 2):

- `STANDUP_CHANNEL` (default `#standup`): where stand-ups and the reminder are posted;
- `STANDUP_REMINDER` (default `09:30`): when the reminder is posted each day;
- `STANDUP_TIMEZONE` (default `UTC`): the team's time zone, for the reminder and for what
  "today" means.
"""

from __future__ import annotations

from bot.api import Router, Setting, kinds
from sloth_standup import commands

# Each setting is read with one of the API's kinds: a channel, a time of day ("09:30", "9am") and a
# time zone, checked with Sloth's own settings at start (a bad one stops Sloth with exit code 2).
router = Router("standup", settings=[
    Setting("channel", kinds.channel, default="#standup", help="where stand-ups and the daily reminder are posted"),
    Setting("reminder", kinds.time_of_day, default="09:30", help="when the daily reminder is posted"),
    Setting("timezone", kinds.time_zone, default="UTC", help="the team's time zone: for the reminder and for 'today'"),
])
router.include(commands.router)

__all__ = ["router"]
