"""The list of Sloth's features: each contributes one router, listed here once."""

from __future__ import annotations

from bot.directory import directory_router
from bot.router import Router, combine
from handlers import channels, export, files, help, history, plots, share, team, uploads, users


def feature_routers() -> list[Router]:
    return [
        help.router,
        team.router,
        channels.router,
        users.router,
        history.router,
        files.router,
        plots.router,
        export.router,
        share.router,
        uploads.router,
        directory_router(),
    ]


def build_registry(routers: list[Router] | None = None) -> Router:
    return combine(feature_routers() if routers is None else routers)
