"""What handlers are given: the runtime's services, built once and injected."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.cpu import CpuPool
from bot.metrics import Metrics
from bot.settings import Settings
from bot.store import Store
from bot.supervisor import Supervisor

if TYPE_CHECKING:
    from bot.directory import Directory
    from bot.router import Router


@dataclass(frozen=True)
class Identity:
    """Who Sloth is in this workspace, from auth.test at start."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    url: str = ""


@dataclass
class Context:
    settings: Settings
    identity: Identity
    client: AsyncWebClient
    session: aiohttp.ClientSession
    store: Store
    directory: Directory
    registry: Router
    supervisor: Supervisor
    metrics: Metrics
    # Injected so that timed features (expiry, trivia rounds) can be tested without sleeping.
    clock: Callable[[], float] = time.time
    # Worker processes for charts and exports, so heavy work never runs on the event loop.
    cpu: CpuPool = field(default_factory=CpuPool)

    def slash(self, line: str = "") -> str:
        """How a user would type `line` as a slash command, for help texts."""
        return f"{self.settings.command} {line}".strip()
