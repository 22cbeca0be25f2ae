"""The list of Sloth's features: each contributes one router, listed here once."""

from __future__ import annotations

from bot.directory import directory_router
from bot.router import Router, combine
from handlers import channels, files, help, history, team, training, users


def feature_routers() -> list[Router]:
    return [
        help.router,
        team.router,
        channels.router,
        users.router,
        history.router,
        files.router,
        training.router,
        directory_router(),
    ]


def build_registry(routers: list[Router] | None = None) -> Router:
    return combine(feature_routers() if routers is None else routers)
