"""What training ingest refuses, said where Sloth's operator looks: the log and /metrics.

A refused request cannot say so on any card (a wrong token proves nothing about which run it
is), and the job only logs it on its own machine. So each refusal is counted in
`sloth_training_ingest_refused_total{reason}` and logged once per source address and reason, with
the answer the job got; later ones from there are only counted, so a job retrying with a wrong
token all night costs a counter, not a log line per request.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from bot.api import Metrics

log = logging.getLogger("handlers.training.ingest")

REASONS = ("off", "token", "too_large", "malformed", "protocol", "taken")
MAX_SOURCES = 1000  # (source, reason) pairs remembered; the oldest is forgotten first


class Refusals:
    def __init__(self, metrics: Metrics) -> None:
        # One counter per process: every workspace's start hook gets the same one (Metrics.counter).
        self.counter = metrics.counter(
            "sloth_training_ingest_refused_total",
            "Training ingest requests refused, by reason: off (no SLOTH_MONITOR_TOKEN on Sloth), token "
            "(missing or wrong), too_large, malformed, protocol (a version this Sloth does not read), "
            "taken (the run id is another job's).",
            ["reason"])
        for reason in REASONS:
            self.counter.labels(reason)  # shown as 0 before the first one
        self._said: OrderedDict[tuple[str, str], None] = OrderedDict()

    def refused(self, source: str, reason: str, status: int, detail: str) -> None:
        self.counter.labels(reason).inc()
        key = (source, reason)
        if key in self._said:
            return
        self._said[key] = None
        if len(self._said) > MAX_SOURCES:
            self._said.popitem(last=False)
        log.warning("training ingest refused a request from %s with %s: %s (further refusals from there for "
                    "this reason are only counted: sloth_training_ingest_refused_total{reason=\"%s\"})",
                    source, status, detail, reason)


def reason_of(status: int, error: str) -> str:
    """The metric's reason for an answer Sloth gave."""
    if status == 400:
        return "protocol" if error.startswith("protocol ") else "malformed"
    return {403: "off", 401: "token", 413: "too_large", 409: "taken"}.get(status, "malformed")
