"""The monitor client's protocol 2 against a recording stand-in Sloth: controls from the answer,
notices, refusals with a reason, and what it does with input it cannot send as given."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest

from sloth_monitor import TrainingRun
from tests.e2e.training.monitor_server import OK, RecordingServer, monitor_warnings

CHECKPOINT = {"id": "c-1", "kind": "checkpoint", "by": "Will Koehrsen"}
HALVE = {"id": "c-2", "kind": "lr", "factor": 0.5, "by": "Priya Nair"}


def quick_run(server: RecordingServer, **options: Any) -> TrainingRun:
    return TrainingRun("ctl", channel="#ml", url=server.url, poll_interval=0.05, send_interval=0,
                       system_interval=None, **options)


def of_type(server: RecordingServer, kind: str) -> list[dict[str, Any]]:
    return [e for e in server.events() if e["type"] == kind]


def test_controls_are_handed_out_once_and_acknowledged(server: RecordingServer) -> None:
    # Sloth lists a press until it is acknowledged: every answer repeats both controls.
    server.answer = lambda srv, request: (200, {**OK, "controls": [CHECKPOINT, HALVE]})
    with quick_run(server, controls=("checkpoint", "lr"), config={"lr": 0.01}) as run:
        server.wait_for(lambda requests: len(requests) >= 3)
        assert run.should_checkpoint
        run.log_checkpoint("/ckpt/epoch-3.pt", 0.25, best=True, monitor="val_loss", epoch=3)
        assert not run.should_checkpoint
        [halve] = run.take_controls("lr")
        assert (halve.factor, halve.by) == (0.5, "Priya Nair")
        halve.done("lr 0.01 -> 0.005", {"lr": 0.005})
        server.wait_for(lambda requests: len(requests) >= 8)
        assert run.take_controls() == [] and not run.should_checkpoint  # repeated in answers, handed out once
    assert server.received[0].body["run"]["controls"] == ["stop", "checkpoint", "lr"]
    [checkpoint] = of_type(server, "checkpoint")
    assert checkpoint | {"time": 0, "seq": 0} == {
        "type": "checkpoint", "time": 0, "seq": 0, "path": "/ckpt/epoch-3.pt", "score": 0.25, "monitor": "val_loss",
        "best": True, "best_path": None, "best_score": None, "epoch": 3, "step": None, "controls": ["c-1"]}
    acks = [(e["id"], e["status"], e["detail"]) for e in of_type(server, "control")]
    assert acks == [("c-1", "applied", "saved /ckpt/epoch-3.pt"), ("c-2", "applied", "lr 0.01 -> 0.005")]
    [change] = of_type(server, "config")
    assert (change["changes"], change["control"]) == ({"lr": 0.005}, "c-2")
    assert server.received[-1].body["run"]["config"] == {"lr": 0.005}


def test_handle_controls_saves_and_scales_through_the_given_functions(server: RecordingServer) -> None:
    server.answer = lambda srv, request: (200, {**OK, "controls": [CHECKPOINT, HALVE]})
    saved: list[str] = []
    rates = [0.02]
    with quick_run(server, controls=("checkpoint", "lr")) as run:
        server.wait_for(lambda requests: len(requests) >= 2)
        for _ in range(3):  # three steps: each press is applied once
            run.handle_controls(lambda: saved.append(f"/ckpt/{len(saved)}") or saved[-1],
                                lambda factor: {"lr": rates.append(rates[-1] * factor) or rates[-1]})
    assert saved == ["/ckpt/0"] and rates == [0.02, 0.01]
    assert [e["status"] for e in of_type(server, "control")] == ["applied", "applied"]


def test_a_failing_save_is_reported_as_failed_and_training_goes_on(server: RecordingServer) -> None:
    server.answer = lambda srv, request: (200, {**OK, "controls": [CHECKPOINT]})

    def broken() -> str:
        raise OSError("disk full")

    with quick_run(server, controls=("checkpoint",)) as run:
        server.wait_for(lambda requests: len(requests) >= 2)
        run.handle_controls(broken)
    [ack] = of_type(server, "control")
    assert ack["status"] == "failed" and "disk full" in ack["detail"]


def test_notices_from_sloth_are_logged_once_each(server: RecordingServer, caplog: pytest.LogCaptureFixture) -> None:
    notice = "owner U0NOBODY is not a member of this workspace"
    server.answer = lambda srv, request: (200, {**OK, "notices": [notice]})
    with quick_run(server) as run:
        server.wait_for(lambda requests: len(requests) >= 4)
        run.log_epoch(0, loss=1.0)
    [warning] = monitor_warnings(caplog)
    assert notice in warning.getMessage()


@pytest.mark.parametrize(("status", "error", "requests_after"), [
    (409, "run id already used by another job (host gpu-7, pid 4242)", 0),
    (400, "run.channel must be a channel name like #ml or an ID like C0123ABC", None),
])
def test_a_refusal_is_logged_once_with_sloths_reason(server: RecordingServer, caplog: pytest.LogCaptureFixture,
                                                     status: int, error: str, requests_after: int | None) -> None:
    server.answer = lambda srv, request: (status, {"ok": False, "error": error})
    with quick_run(server, run_id="shared-run-id", flush_timeout=2) as run:
        server.wait_for(lambda requests: len(requests) >= 1)
        for epoch in range(5):
            run.log_epoch(epoch, loss=1.0)
    assert run.finish() is False
    if requests_after is not None:  # 409 is final: nothing more is sent
        assert len(server.received) == 1
    [warning] = monitor_warnings(caplog)
    assert f"HTTP {status}: {error}" in warning.getMessage()


def test_bad_input_never_interrupts_the_job_and_each_kind_is_said_once(
        server: RecordingServer, caplog: pytest.LogCaptureFixture) -> None:
    with quick_run(server, owner="@will", config={"blob": "x" * 5000, "lr": 0.1}) as run:
        run.log_epoch(0, **{f"m{i}": float(i) for i in range(10_000)})
        run.log_epoch(1, m1="low", m2=[1, 2], m3=0.5)  # names among the 50 kept
        run.log_epoch(2, m4=object())
        run.log_predictions([[[0.0]]] * 3, [1, 2], [1, 2, 3])
    body = server.received[-1].body
    assert body["run"]["owner"] is None and body["run"]["config"] == {}
    epochs = of_type(server, "epoch")
    assert len(epochs[0]["metrics"]) == 50 and epochs[1]["metrics"] == {"m3": 0.5}
    assert of_type(server, "predictions") == []
    counts = {kind: entry["count"] for kind, entry in body["problems"].items()}
    assert counts == {"bad_owner": 1, "config_too_big": 1, "too_many_metrics": 9950, "not_numbers": 3,
                      "predictions_mismatch": 1}
    messages = [r.getMessage() for r in monitor_warnings(caplog)]
    assert len(messages) == 5, messages
    assert any("3 images, 2 true and 3 predicted labels" in m for m in messages)
    assert any("'@will' is not a Slack user ID" in m for m in messages)


def test_non_finite_values_stay_distinct_from_missing_ones(server: RecordingServer) -> None:
    with quick_run(server) as run:
        run.log_epoch(0, loss=float("nan"), grad=float("inf"), low=float("-inf"), val_loss=None)
    [epoch] = of_type(server, "epoch")
    assert epoch["metrics"] == {"loss": "nan", "grad": "inf", "low": "-inf", "val_loss": None}


def test_a_re_created_run_of_the_same_name_ends_the_earlier_one(server: RecordingServer) -> None:
    first = quick_run(server)
    first.log_epoch(0, loss=1.0)
    second = quick_run(server)
    second.log_epoch(0, loss=0.9)
    second.finish()
    # The earlier run is closed without waiting: wait here for its finish to arrive.
    server.wait_for(lambda requests: sum(e["type"] == "finish" for r in requests for e in r.events) == 2)
    finishes = {r.path.split("/")[-2]: e for r in server.received for e in r.events if e["type"] == "finish"}
    assert finishes[first.run_id]["status"] == "stopped"
    assert finishes[first.run_id]["error"]["type"] == "Replaced"
    assert finishes[second.run_id]["status"] == "completed"
    [thread] = [t for t in threading.enumerate() if t.name == f"sloth-monitor-{first.run_id[:8]}"] or [None]
    if thread is not None:  # it may still be returning from its last request
        thread.join(5)
        assert not thread.is_alive()


def test_requests_are_spaced_by_send_interval(server: RecordingServer) -> None:
    run = TrainingRun("paced", channel="#ml", url=server.url, send_interval=0.3, system_interval=None)
    with run:
        for epoch in range(30):
            run.log_epoch(epoch, loss=1.0)
            run.wait_for_stop(0.02)  # a 20 ms step
        server.wait_for(lambda requests: sum(len(r.events) for r in requests) >= 20)
    times = [r.received_at for r in server.received]
    gaps = [b - a for a, b in itertools.pairwise(times[:-1])]  # the finish goes at once
    assert all(gap >= 0.25 for gap in gaps), gaps
    assert [e["epoch"] for e in of_type(server, "epoch")] == list(range(30))

