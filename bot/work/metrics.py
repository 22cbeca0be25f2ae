"""Prometheus metrics, one registry per runtime so several runtimes can share a process.

prometheus_client is thread-safe: the socket thread (acks, reconnects) and the loop watch's
thread update these as well as the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

M = TypeVar("M", Counter, Gauge, Histogram)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # features' own metrics (`counter`), by name: the metric and its labels
        self._features: dict[str, tuple[Counter | Gauge | Histogram, tuple[str, ...]]] = {}
        self.envelopes = Counter(
            "sloth_envelopes_total", "Envelopes (Socket Mode) and requests (HTTP mode) from Slack acked, by type.",
            ["type"], registry=self.registry
        )
        self.ack_latency = Histogram(
            "sloth_ack_latency_seconds",
            "Time from reading an envelope (or a request's body) to sending its ack.",
            buckets=(0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0),
            registry=self.registry,
        )
        self.duplicates = Counter(
            "sloth_duplicate_events_total", "Redelivered events skipped as already handled.", registry=self.registry
        )
        self.handler_errors = Counter(
            "sloth_handler_errors_total", "Handlers that failed, by kind.", ["kind"], registry=self.registry
        )
        self.api_calls = Counter(
            "sloth_web_api_calls_total",
            "Slack Web API calls, by method and outcome (ok, an error code, or an exception name).",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.team_calls = Counter(
            "sloth_team_web_api_calls_total",
            "Slack Web API calls by workspace (team id) and outcome (ok, ratelimited, error): which workspace "
            "spends the rate budget.",
            ["team", "outcome"], registry=self.registry,
        )
        self.reconnects = Counter(
            "sloth_socket_reconnects_total", "Socket Mode reconnections, by reason.", ["reason"], registry=self.registry
        )
        self.retiring_envelopes = Counter(
            "sloth_socket_retiring_envelopes_total",
            "Envelopes read and acked on an old connection after Slack asked Sloth to move off it.",
            registry=self.registry,
        )
        self.connected = Gauge("sloth_socket_connected", "1 while the socket is connected.", registry=self.registry)
        self.loop_lag = Histogram(
            "sloth_event_loop_lag_seconds",
            "How late a timer on the event loop fires, sampled every 50 ms: time the loop (and acks) were held up.",
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0),
            registry=self.registry,
        )
        self.unfinished = Gauge(
            "sloth_socket_unfinished_envelopes",
            "Envelopes acked and not yet handled to the end; at the limit Sloth stops taking new ones.",
            registry=self.registry,
        )
        self.refused = Counter(
            "sloth_socket_refused_envelopes_total",
            "Envelopes not taken because too many were unfinished, by type (events are left for Slack to "
            "redeliver, slash commands answered that Sloth is busy).",
            ["type"], registry=self.registry,
        )
        self.loop_blocked = Counter(
            "sloth_loop_blocked_total",
            "Times a handler held the event loop past SLOTH_LOOP_BLOCK_SECONDS, by feature and what it ran "
            "(command, button, event, job, route, task); unknown: no feature's handler.",
            ["feature", "what"], registry=self.registry,
        )
        self.loop_blocked_seconds = Counter(
            "sloth_loop_blocked_seconds_total",
            "Seconds those handlers held the event loop (at least), by feature and what it ran.",
            ["feature", "what"], registry=self.registry,
        )
        self.taken_over = Counter(
            "sloth_journal_taken_over_total",
            "Envelopes a replica that died had acked and not finished, taken over and handled here, by type.",
            ["type"], registry=self.registry,
        )
        self.journal_append = Histogram(
            "sloth_journal_append_seconds",
            "Time each envelope took to be written to the journal, before its ack (part of the ack's time).",
            buckets=(0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1.0),
            registry=self.registry,
        )
        self.unjournaled = Counter(
            "sloth_journal_skipped_total",
            "Envelopes acked without being written to the journal first because it was failing.",
            registry=self.registry,
        )
        self.refused_requests = Counter(
            "sloth_slack_requests_refused_total",
            "HTTP requests to /slack/events refused before anything ran, by why (signature, stale, replayed, "
            "malformed).",
            ["why"], registry=self.registry,
        )
        self.forms = Counter(
            "sloth_forms_total",
            "Command forms and the menu of commands, by what happened: opened, expired (Slack's 3 s to open "
            "one had passed), invalid (errors shown under fields), submitted (the command ran), refused "
            "(not the member's or expired), closed (cancelled).",
            ["event"], registry=self.registry,
        )
        self.queue_depth = Gauge(
            "sloth_pending_work", "Envelopes acked and waiting for a worker.", registry=self.registry
        )
        # The job queue (bot.work.queue): charts, exports, pictures and moves run by `sloth worker`.
        self.jobs_waiting = Gauge(
            "sloth_queue_depth",
            "Jobs on the queue shared by every replica, by lane and state (queued: waiting for a worker; "
            "active: being made; scheduled: waiting to be retried). Read from Redis every few seconds.",
            ["lane", "state"], registry=self.registry,
        )
        self.queue_workers = Gauge(
            "sloth_queue_workers", "`sloth worker` processes alive, as the queue last said.", registry=self.registry
        )
        self.job_wait = Histogram(
            "sloth_queue_wait_seconds", "Time a job of this replica's waited on the queue before a worker took it.",
            ["lane"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
            registry=self.registry,
        )
        self.job_run = Histogram(
            "sloth_queue_run_seconds", "Time a worker spent on a job of this replica's (its last attempt).",
            ["lane"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
            registry=self.registry,
        )
        self.jobs_done = Counter(
            "sloth_queue_jobs_total",
            "Jobs this replica handed out, by lane and outcome: done, refused (the member was told why), "
            "failed (after every retry; the member was told), local (no worker was alive: done in this process).",
            ["lane", "outcome"], registry=self.registry,
        )
        self.job_retries = Counter(
            "sloth_queue_retries_total",
            "Attempts beyond the first of this replica's jobs (a worker died or failed mid-job).",
            ["lane"], registry=self.registry,
        )
        self.agent_answers = Counter(
            "sloth_agent_answers_total", "Questions the agent answered, by outcome: answered, model_error.",
            ["outcome"], registry=self.registry,
        )
        self.agent_tool_calls = Counter(
            "sloth_agent_tool_calls_total",
            "Tools the model called, by outcome: ran, failed, refused (not the member's, or another member "
            "pressed Confirm), awaiting_confirmation (a changing one, sent to the member to confirm).",
            ["outcome"], registry=self.registry,
        )
        self.agent_feedback = Counter(
            "sloth_agent_feedback_total", "Feedback buttons pressed under the agent's answers.", ["kind"],
            registry=self.registry,
        )

        # In `sloth worker`: each job it ran, whoever asked for it.
        self.worker_jobs = Histogram(
            "sloth_worker_job_seconds",
            "Time this worker spent on each attempt at a job, by task and outcome: value, file (made and "
            "uploaded), refused, slack_error (the member was told), failed (an exception: retried, or failed "
            "for good after the last attempt).",
            ["task", "outcome"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # A feature's own metrics. Its start hook runs once per workspace served (with many workspaces,
    # once for each), and the registry takes a name once: these make the metric on the first call
    # and give the same one to every later call, so each workspace's hook may ask for it.
    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        return self._feature_metric(Counter, name, documentation, labels)

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        return self._feature_metric(Gauge, name, documentation, labels)

    def histogram(self, name: str, documentation: str, labels: Sequence[str] = (), **options: Any) -> Histogram:
        return self._feature_metric(Histogram, name, documentation, labels, **options)

    def _feature_metric(self, kind: type[M], name: str, documentation: str, labels: Sequence[str],
                        **options: Any) -> M:
        if name not in self._features:
            made = kind(name, documentation, list(labels), registry=self.registry, **options)
            self._features[name] = (made, tuple(labels))
            return made
        found, found_labels = self._features[name]
        if not isinstance(found, kind) or found_labels != tuple(labels):
            raise ValueError(f"the metric {name} was already made as a {type(found).__name__} with labels "
                             f"{list(found_labels)}")
        return found
