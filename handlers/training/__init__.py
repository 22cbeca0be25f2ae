"""Watching model training from Slack: the Slack side of `sloth_monitor`.

A training job reports over HTTP (`ingest`); each run gets one card that is edited in place
(`follow`, drawn by `card`), pictures in the card's thread (`render`), buttons to stop, mute
and draw curves (`buttons`), a `runs` command (`listing`) and a sweeper that notices runs
that went quiet (`sweeper`). State is kept in the store (`runs`, `state`).
"""

from __future__ import annotations

from bot.router import combine
from handlers.training import buttons, ingest, listing, sweeper

router = combine([ingest.router, buttons.router, listing.router, sweeper.router])
