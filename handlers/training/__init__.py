"""Watching model training from Slack: the Slack side of the `sloth_monitor` client.

A training job reports over HTTP (`ingest`); each run gets one card that is edited in place
(`follow`, drawn by `card`), pictures in the card's thread (`render`), buttons to stop, mute
and draw curves (`buttons`), a `runs` command (`listing`) and a sweeper that notices runs
that went quiet (`sweeper`). State is kept in the store (`runs`, `state`).

The feature itself (its router and settings) is `handlers.training.feature`, so that a worker
process importing the drawing module loads nothing of Slack.
"""
