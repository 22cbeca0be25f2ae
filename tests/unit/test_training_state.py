"""The training feature's pure parts: reading requests, applying events, drawing the card."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from handlers.training import render
from handlers.training.card import COLOURS, STALE_COLOUR, card_message
from handlers.training.state import (
    Run,
    add_curves_job,
    apply_batch,
    eta_seconds,
    lower_is_better,
    mark_stale,
    new_run,
    request_stop,
)
from handlers.training.wire import Batch, Malformed, parse_batch

T0 = 1_700_000_000.0  # event times are the job's clock: Unix seconds, after 2000


def read(body: dict[str, Any]) -> Batch:
    return parse_batch(body, now=T0 + 1000.0)


RUN = {"name": "mnist <!channel>", "channel": "#ml", "owner": "U0OWNER1", "total_epochs": 4,
       "config": {"lr": 0.001, "note": "<@U0SOMEONE> & co"}}


def body(*events: dict[str, Any], run: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"run": run or RUN, "events": list(events), "dropped": 0}


def epoch(seq: int, number: int, **metrics: float | None) -> dict[str, Any]:
    return {"type": "epoch", "seq": seq, "time": T0 + 100.0 + seq, "epoch": number, "metrics": metrics}


def fresh(*events: dict[str, Any]) -> Run:
    batch = read(body(*events))
    run = new_run("run-0001", batch.run, now=1000.0)
    apply_batch(run, batch, now=1000.0)
    return run


def names(user_id: str) -> str:
    return {"U0OWNER1": "Olivia Owner", "U0ADMIN1": "Adam <Admin>"}.get(user_id, user_id)


def test_events_are_sorted_and_applied_once() -> None:
    start = {"type": "start", "seq": 1, "time": T0 + 100.0}
    batch = read(body(epoch(3, 1, loss=0.5), start, epoch(2, 0, loss=0.9)))
    assert [e["seq"] for e in batch.events] == [1, 2, 3]
    run = new_run("run-0001", batch.run, now=1000.0)
    apply_batch(run, batch, now=1000.0)
    once = copy.deepcopy(run)
    apply_batch(run, batch, now=1001.0)  # the same request again
    assert run.history == once.history and run.version == once.version and run.last_seq == 3
    apply_batch(run, read(body(epoch(2, 5, loss=0.1))), now=1002.0)  # an old seq with new content
    assert run.epochs_done == 2 and run.latest == {"loss": 0.5}


def test_nothing_changes_a_finished_run() -> None:
    run = fresh(epoch(1, 0, loss=1.0), {"type": "finish", "seq": 2, "time": T0 + 5.0, "status": "completed",
                                        "error": None})
    apply_batch(run, read(body(epoch(3, 1, loss=0.1))), now=1.0)
    assert run.status == "completed" and run.epochs_done == 1 and run.last_seq == 3
    assert [job["kind"] for job in run.jobs] == ["curves"]


def test_best_values_and_a_line_on_the_card_when_the_watched_metric_improves() -> None:
    run = fresh(epoch(1, 0, loss=1.0, val_loss=1.2, val_accuracy=0.5), epoch(2, 1, loss=0.8, val_loss=1.3),
                epoch(3, 2, loss=0.7, val_loss=0.9, val_accuracy=0.7), epoch(4, 3, loss=0.6, val_loss=0.8))
    assert run.watch == "val_loss"
    assert run.best["val_loss"] == {"value": 0.8, "epoch": 3} and run.best["val_accuracy"]["value"] == 0.7
    assert run.jobs == []  # never a message in the thread for a new best
    assert run.improvements == 2
    assert "New best *val_loss*: 0.8000 at epoch 4 (was 0.9000) · 2 improvements" in json.dumps(
        card_message(run, names), ensure_ascii=False)
    assert lower_is_better("val_loss") and not lower_is_better("val_accuracy")


def test_stop_stale_curves_and_eta() -> None:
    run = fresh({"type": "start", "seq": 1, "time": T0 + 100.0}, epoch(2, 0, loss=1.0))
    run.last_event_at = T0 + 110.0  # one epoch of four took 10 s
    assert eta_seconds(run) == pytest.approx(30.0)
    assert request_stop(run, "U0ADMIN1") and not request_stop(run, "U0OWNER1")
    assert run.stop_by == "U0ADMIN1" and run.stop_epoch == 1
    assert not mark_stale(run, now=1000.0 + 60, after=300) and mark_stale(run, now=1000.0 + 301, after=300)
    assert run.stale and not mark_stale(run, now=5000.0, after=300)
    apply_batch(run, read(body()), now=5001.0)  # a heartbeat
    assert not run.stale
    assert add_curves_job(run) and add_curves_job(run)
    assert [job["kind"] for job in run.jobs] == ["alert", "curves"]  # the stale alert; curves asked twice, drawn once
    assert run.jobs[0]["alert"] == "stale" and run.alerted == ["stale"]
    assert not add_curves_job(fresh())


def test_the_card_escapes_what_the_job_sent_and_has_clean_metadata() -> None:
    run = fresh({"type": "start", "seq": 1, "time": T0 + 100.0}, epoch(2, 0, loss=1.0, val_loss=None))
    message = card_message(run, names)
    raw = json.dumps(message)
    assert "<!channel>" not in raw and "<@U0SOMEONE>" not in raw and "&lt;!channel&gt;" in raw
    payload = message["metadata"]["event_payload"]
    assert message["metadata"]["event_type"] == "sloth_training_run"
    assert payload == {"run_id": "run-0001", "status": "running", "epoch": 1, "total_epochs": 4,
                       "metrics": {"loss": 1.0}}  # metadata values cannot be null
    assert message["attachments"][0]["color"] == COLOURS["running"]
    actions = [e["action_id"] for b in message["attachments"][0]["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert actions == ["training:stop", "training:mute", "training:curves", "training:page"]
    assert "Olivia Owner" in raw and "epoch *1/4*" in raw


def test_the_cards_metadata_stays_small_however_many_metrics_a_run_logs() -> None:
    run = fresh({"type": "start", "seq": 1, "time": T0 + 100.0})
    run.history.append({"epoch": 0, "metrics": {f"metric_{n:03d}_{'x' * 80}": float(n) for n in range(500)}})
    payload = card_message(run, names)["metadata"]["event_payload"]
    assert len(json.dumps(payload)) < 2500 and 0 < len(payload["metrics"]) <= 20
    assert payload["metrics_left_out"] == 500 - len(payload["metrics"])
    assert all(len(name) <= 60 for name in payload["metrics"])


@pytest.mark.parametrize(("status", "words"), [("completed", "completed"), ("failed", "*failed*: KeyError"),
                                                ("stopped", "stopped by Adam &lt;Admin&gt; during epoch 2")])
def test_the_card_of_a_finished_run(status: str, words: str) -> None:
    run = fresh(epoch(1, 0, loss=1.0))
    if status == "stopped":
        request_stop(run, "U0ADMIN1")
    error = {"type": "KeyError", "message": "'<b>'"} if status == "failed" else None
    apply_batch(run, read(body({"type": "finish", "seq": 2, "time": T0 + 9.0, "status": status,
                                        "error": error})), now=2.0)
    message = card_message(run, names)
    raw = json.dumps(message)
    assert message["attachments"][0]["color"] == COLOURS[status] and words in raw
    assert "training:stop" not in raw and "training:curves" in raw
    if status == "failed":
        assert "*KeyError*: '&lt;b&gt;'" in raw


def test_a_stale_card_is_grey() -> None:
    run = fresh(epoch(1, 0, loss=1.0))
    mark_stale(run, now=10_000.0, after=300)
    message = card_message(run, names)
    assert message["attachments"][0]["color"] == STALE_COLOUR and "No report since" in json.dumps(message)


@pytest.mark.parametrize("bad", [
    {"run": RUN, "events": [], "dropped": -1},
    {"run": {**RUN, "config": {"x": "y" * 5000}}, "events": []},
    {"run": RUN, "events": [{"type": "batch", "seq": 1, "time": T0 + 1.0, "epoch": 0, "batch": 0,
                             "total_batches": 0, "metrics": {}}]},
    {"run": RUN, "events": [{"type": "finish", "seq": 1, "time": T0 + 1.0, "status": "failed",
                             "error": {"type": "", "message": "x"}}]},
    {"run": RUN, "events": [{"type": "start", "seq": 1, "time": -5.0}]},
    {"run": RUN, "events": [{"type": "start", "seq": 1, "time": T0 + 1.0, "extra": True}]},
])
def test_malformed_fields_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(Malformed):
        read(bad)


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(("bad", "reason"), [
    ({"run": RUN, "events": [{"type": "start", "seq": 2**53, "time": T0}]}, "events[0].seq is out of range"),
    ({"run": RUN, "events": [{"type": "start", "seq": 1, "time": 1.8e18}]}, "events[0].time must be Unix time"),
    ({"run": RUN, "events": [{"type": "start", "seq": 1, "time": 100.0}]}, "events[0].time must be Unix time"),
    ({"run": RUN, "events": [{"type": "start", "seq": 1, "time": T0 + 1000.0 + 86_401}]}, "a day ahead"),
    ({"run": {**RUN, "config": nested(11)}, "events": []}, "run.config is nested too deeply"),
    ({"run": RUN, "events": [], "problems": nested(40)}, "body is nested too deeply"),
    ({"protocol": 2, "run": RUN, "events": []}, "run.instance is required in protocol 2"),
    ({"run": RUN, "events": [], "dropped": 2**60}, "dropped is out of range"),
])
def test_out_of_bounds_values_are_refused_with_the_field_named(bad: dict[str, Any], reason: str) -> None:
    with pytest.raises(Malformed) as refused:
        read(bad)
    assert reason in str(refused.value)


def test_the_bounds_themselves_are_accepted() -> None:
    edge = [{"type": "start", "seq": 2**53 - 1, "time": T0 + 1000.0 + 86_400}]
    batch = read({"protocol": 2, "run": {**RUN, "instance": "a" * 32, "config": nested(10)}, "events": edge})
    assert batch.events[0]["seq"] == 2**53 - 1 and batch.run.instance == "a" * 32


def test_pictures_are_pngs() -> None:
    history = [{"epoch": e, "metrics": {"loss": 1 / (e + 1), "val_loss": None if e == 1 else 1.1 / (e + 1)},
                "time": float(e)} for e in range(4)]
    assert render.is_png(render.curves_png("curves", history))
    images = [[[float(r + c) for c in range(8)] for r in range(8)], []]
    grid = {"y_true": [1, "cat"], "y_pred": [2, "cat"], "class_names": ["zero", "one", "two"], "images": images}
    assert render.is_png(render.predictions_png("run", grid))
    tiny = render.curves_png("tiny", history[:1])
    as_png = {**grid, "images": None, "png_b64": [base64.b64encode(tiny).decode()] * 2}
    del as_png["images"]
    assert render.is_png(render.predictions_png("run", as_png))
    assert render.label_text(1, ["zero", "one"]) == "one" and render.label_text(7, []) == "7"


def finished_run(status: str, took: float, muted: bool = False, ping_after: float | None = 300.0,
                 **finish: Any) -> Run:
    run = fresh({"type": "start", "seq": 1, "time": T0 + 100.0})
    run.muted, run.ping_after = muted, ping_after
    end = {"type": "finish", "seq": 2, "time": T0 + 100.0 + took, "status": status, "error": None, **finish}
    apply_batch(run, read(body(end, run={**RUN, "ping_after": ping_after, "instance": "job-instance-1"})), now=2.0)
    return run


@pytest.mark.parametrize(("status", "took", "muted", "extra", "pinged"), [
    ("failed", 1.0, True, {}, True),  # a failure pings the owner, muted or not, however short
    ("preempted", 1.0, True, {}, True),
    ("completed", 299.0, False, {}, False),  # a short run that completes pings nobody
    ("completed", 301.0, False, {}, True),
    ("completed", 301.0, True, {}, False),  # Mute silences the completion ping
    ("stopped", 301.0, False, {"interrupted": True}, False),  # Ctrl-C: whoever pressed it knows
])
def test_the_owner_is_pinged_once_when_it_matters(status: str, took: float, muted: bool, extra: dict[str, Any],
                                                   pinged: bool) -> None:
    run = finished_run(status, took, muted, **extra)
    assert [job["kind"] for job in run.jobs if job["kind"] == "ping"] == (["ping"] if pinged else [])
    apply_batch(run, read(body({"type": "finish", "seq": 3, "time": T0 + 500.0, "status": status, "error": None})),
                now=3.0)
    assert sum(job["kind"] == "ping" for job in run.jobs) == int(pinged)  # said once


def test_ping_after_none_never_pings_a_completion() -> None:
    assert not [job for job in finished_run("completed", 10_000.0, ping_after=None).jobs if job["kind"] == "ping"]
