"""Watching model training from Slack: the Slack side of the `sloth_monitor` client.

A training job reports over HTTP (`ingest`, checked by `wire`, protocol 2 in `wire_v2`); each
run gets one card that is edited in place (`follow`, drawn by `card` and `card_parts`),
pictures and alerts in the card's thread (`render`, `reports`), buttons to stop, checkpoint,
halve the learning rate, mute and draw curves (`buttons`), a `runs` command with filters and
`runs compare` (`listing`, `compare`) and a sweeper that notices runs that went quiet
(`sweeper`). State is kept in the store (`runs`, `model`, `state`).

The feature itself (its router and settings) is `handlers.training.feature`, so that a worker
process importing the drawing module loads nothing of Slack.
"""
