"""The training feature: its settings, and the parts that make it (see the package's docstring)."""

from __future__ import annotations

from bot.api import Router, Setting, positive
from handlers.training import buttons, controls, home, ingest, listing, resources, sweeper
from handlers.training.pages import links, routes

router = Router("training", workers=("handlers.training.render",), settings=[
    Setting("monitor_token", secret=True, env="SLOTH_MONITOR_TOKEN",
            help="the bearer token training jobs send; without it training ingest is off"),
    Setting("stale_minutes", positive("minutes"), default=5.0, env="SLOTH_TRAINING_STALE_MINUTES",
            help="a running job silent this long is shown as stale on its card"),
    Setting("edit_seconds", positive("seconds"), default=2.0, env="SLOTH_TRAINING_EDIT_SECONDS",
            help="at most one edit of a run card this often"),
    Setting("posts_per_second", positive("messages a second"), default=1.0,
            env="SLOTH_TRAINING_POSTS_PER_SECOND",
            help="at most this many new cards and thread messages a second in one channel (Slack allows "
                 "about one)"),
    Setting("sweep_seconds", positive("seconds"), default=15.0, env="SLOTH_TRAINING_SWEEP_SECONDS",
            help="how often quiet runs and unfinished card work are looked for"),
])
for part in (ingest.router, buttons.router, controls.router, listing.router, sweeper.router, home.router,
             links.router, routes.router, resources.router):
    router.include(part)
