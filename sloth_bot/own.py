"""Imported first by the fork server of the worker processes (`bot.work.cpu.PRELOAD`).

The fork server is a fresh interpreter started with `python -c`, so the working directory comes
first on its import path: in a team's folder with a `bot/` or `handlers/` package of its own,
the workers would otherwise import those instead of Sloth's (see `sloth_bot`).
"""

from __future__ import annotations

from sloth_bot import use_own_packages

use_own_packages()
