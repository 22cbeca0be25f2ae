"""The list of Sloth's features: each contributes one router, listed here once."""

from __future__ import annotations

from bot.directory import directory_router
from bot.router import Router, combine
from handlers import (
    channel_admin,
    channels,
    connect,
    export,
    files,
    help,
    history,
    join,
    oauth_flow,
    plots,
    remind,
    say,
    search,
    share,
    status,
    team,
    training,
    uploads,
    users,
)
from handlers.games import commands as games


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
        connect.router,
        oauth_flow.router,
        status.router,
        search.router,
        remind.router,
        say.router,
        channel_admin.router,
        join.router,
        games.router,
        training.router,
        directory_router(),
    ]


def build_registry(routers: list[Router] | None = None) -> Router:
    return combine(feature_routers() if routers is None else routers)
