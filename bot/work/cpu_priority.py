"""Imported by the fork server before anything else (bot.work.cpu.PRIORITY_MODULE), and by nothing else.

Importing it lowers the priority of the process that imports it: the fork server, and so every
worker it forks, yields the CPU to Sloth's event loop. The server's one-off import of the
preloaded modules (matplotlib) then no longer competes with acks either.
"""

from __future__ import annotations

import contextlib
import os

with contextlib.suppress(OSError):
    os.nice(10)  # bot.work.cpu.NICENESS
