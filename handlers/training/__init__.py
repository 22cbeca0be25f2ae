"""Watching model training from Slack: the Slack side of the `sloth_monitor` client.

A training job reports over HTTP (`ingest`, checked by `wire`, protocols 2 and 3 in `wire_v2`;
what it refuses is logged and counted by `refusals`); each run gets one card that is edited in
place (`follow`, drawn by `card` and `card_parts`), pictures and alerts in the card's thread
(`render`, `reports`), one mention of its owner when it ends (`pings`), buttons to stop,
checkpoint, halve the learning rate, mute and draw curves (`buttons`), a `runs` command with
filters and `runs compare` (`listing`, `compare`) and a sweeper that notices runs that went
quiet (`sweeper`). A job restarted after preemption continues its run (`resume`). State is kept
in the store (`runs`, `model`, `state`; every step and machine sample in `series`); what a
metric's name says (better lower or higher, train or validation) is `metric_names`.

The feature itself (its router and settings) is `handlers.training.feature`, so that a worker
process importing the drawing module loads nothing of Slack.
"""
