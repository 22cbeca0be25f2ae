"""Members let Sloth act as them: `connect`, `disconnect` and the two OAuth pages."""

from __future__ import annotations

from bot.connect import commands, home, pages
from bot.features.router import Router

router = Router("connect")
router.include(commands.router)
router.include(pages.router)
router.include(home.router)
