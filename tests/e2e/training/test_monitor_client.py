"""The monitor client against a real HTTP server on 127.0.0.1:0 that records what it receives."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from sloth_monitor import TrainingRun
from sloth_monitor.keras import KerasBridge
from tests.e2e.training.monitor_server import OK, STOP, Received, RecordingServer, monitor_warnings

# ---- the protocol ------------------------------------------------------------------------

def test_a_run_reports_start_progress_epochs_predictions_and_finish(server: RecordingServer) -> None:
    with TrainingRun("mnist-cnn", channel="#ml", total_epochs=2, owner="U123", config={"lr": 1e-3},
                     url=server.url, token="s3cret", progress_interval=0, send_interval=0, system_interval=None) as run:
        run.log_batch(1, 9, 10, loss=0.5)
        server.wait_for(lambda requests: any(e["type"] == "batch" for r in requests for e in r.events))
        for epoch in range(2):
            run.log_epoch(epoch, loss=0.31, val_loss=float("nan"), accuracy=0.91)
        run.log_predictions([[[0.0, 1.0], [1.0, 0.0]]], [3], [[0.1, 0.2, 0.0, 0.7]], class_names=range(4))

    assert run.finish() is True
    first = server.received[0]
    assert first.path == f"/monitor/v1/runs/{run.run_id}/events"
    assert first.headers["Authorization"] == "Bearer s3cret"
    assert first.headers["Content-Type"] == "application/json"
    assert first.body["protocol"] == 3 and first.body["problems"] == {}
    assert first.body["run"] | {"instance": "", "host": "", "pid": 0, "git": None, "process": ""} == {
        "name": "mnist-cnn", "channel": "#ml", "owner": "U123", "total_epochs": 2, "config": {"lr": 1e-3},
        "kind": "training", "framework": None, "watch": None, "mode": None, "patience": None, "controls": ["stop"],
        "ping_after": 300.0, "resume": None, "instance": "", "host": "", "pid": 0, "git": None, "process": ""}
    assert first.body["run"]["host"] == socket.gethostname() and first.body["run"]["pid"] == os.getpid()
    assert len(first.body["run"]["instance"]) == 32
    events = server.events()
    assert [e["type"] for e in events] == ["start", "batch", "epoch", "epoch", "predictions", "finish"]
    assert [e["seq"] for e in events] == list(range(1, 7))
    assert all(isinstance(e["time"], float) for e in events)
    assert events[1] | {"time": 0} == {"type": "batch", "seq": 2, "epoch": 1, "batch": 9, "total_batches": 10,
                                      "metrics": {"loss": 0.5}, "time": 0}
    assert events[3] | {"time": 0} == {"type": "epoch", "seq": 4, "epoch": 1, "time": 0,
                                      "metrics": {"loss": 0.31, "val_loss": "nan", "accuracy": 0.91}}
    assert events[4]["images"] == [[[0.0, 1.0], [1.0, 0.0]]]
    assert (events[4]["y_true"], events[4]["y_pred"], events[4]["class_names"]) == ([3], [3], ["0", "1", "2", "3"])
    assert events[5]["status"] == "completed" and events[5]["error"] is None and events[5]["interrupted"] is False
    assert all(r.body["dropped"] == 0 for r in server.received)


def test_url_and_token_default_to_the_environment(server: RecordingServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTH_URL", server.url + "/")
    monkeypatch.setenv("SLOTH_MONITOR_TOKEN", "from-env")
    with TrainingRun("env", channel="#ml") as run:
        run.log_epoch(0, loss=1.0)
    assert run.finish() is True
    assert server.received[0].headers["Authorization"] == "Bearer from-env"


def test_png_predictions_travel_as_base64(server: RecordingServer) -> None:
    with TrainingRun("png", channel="#ml", url=server.url) as run:
        run.log_predictions([b"\x89PNG-one", b"\x89PNG-two"], ["cat", "dog"], ["cat", "cat"])
    [predictions] = [e for e in server.events() if e["type"] == "predictions"]
    assert predictions["png_b64"] == ["iVBORy1vbmU=", "iVBORy10d28="]
    assert predictions["y_pred"] == ["cat", "cat"]


def hold_first_request(server: RecordingServer) -> threading.Event:
    """The server holds its first request until `server.release`; the event says it arrived."""
    arrived = threading.Event()

    def hold_first(srv: RecordingServer, request: Received) -> tuple[int, dict[str, Any]]:
        if request.index == 0:
            arrived.set()
            srv.release.wait(5)
        return 200, OK

    server.answer = hold_first
    return arrived


def test_batch_updates_coalesce_while_a_request_is_in_flight(server: RecordingServer) -> None:
    arrived = hold_first_request(server)
    with TrainingRun("busy", channel="#ml", url=server.url, progress_interval=0) as run:
        assert arrived.wait(5)
        for epoch in range(3):
            for batch in range(50):
                run.log_batch(epoch, batch, 50, loss=batch)
            run.log_epoch(epoch, loss=1.0)
        run.log_batch(3, 7, 50, loss=7)
        server.release.set()
    second = server.received[1].events
    assert [(e["type"], e.get("epoch"), e.get("batch")) for e in second] == [
        ("epoch", 0, None), ("epoch", 1, None), ("epoch", 2, None), ("batch", 3, 7), ("finish", None, None)]
    seqs = [e["seq"] for e in second]
    assert seqs == sorted(seqs) and seqs[0] > server.received[0].events[-1]["seq"]


def test_overflow_drops_the_oldest_epochs_and_counts_them(server: RecordingServer) -> None:
    arrived = hold_first_request(server)
    with TrainingRun("long", channel="#ml", url=server.url) as run:
        assert arrived.wait(5)
        for epoch in range(1100):
            run.log_epoch(epoch, loss=1.0)
        server.release.set()
    epochs = [e["epoch"] for e in server.events() if e["type"] == "epoch"]
    assert epochs == list(range(101, 1100))  # 1,000 pending: 999 epochs + the finish event
    assert server.received[-1].body["dropped"] == 101
    assert max(len(r.events) for r in server.received) <= 100


# ---- failures ----------------------------------------------------------------------------

def test_a_failed_request_is_resent_with_the_same_seq(server: RecordingServer,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    server.answer = lambda srv, request: (503, {"ok": False}) if request.index == 0 else (200, OK)
    with TrainingRun("flaky", channel="#ml", url=server.url, flush_timeout=5) as run:
        run.log_epoch(0, loss=1.0)
        server.wait_for(lambda requests: len(requests) >= 2)
    assert run.finish() is True
    first, second = server.received[0].events, server.received[1].events
    assert [e["seq"] for e in second[:len(first)]] == [e["seq"] for e in first]
    assert [e["type"] for e in server.events()] == ["start", "epoch", "finish"]
    assert len(monitor_warnings(caplog)) == 1


def test_401_is_not_retried_and_warned_about_once(server: RecordingServer,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    server.answer = lambda srv, request: (401, {"ok": False, "error": "invalid_auth"})
    started = time.monotonic()
    with TrainingRun("denied", channel="#ml", url=server.url, token="wrong", flush_timeout=5,
                     poll_interval=0.05) as run:
        server.wait_for(lambda requests: len(requests) == 1)
        for epoch in range(20):
            run.log_epoch(epoch, loss=1.0)
    assert time.monotonic() - started < 2  # nothing left to flush once the token is refused
    assert run.finish() is False
    assert len(server.received) == 1
    [warning] = monitor_warnings(caplog)
    assert "401" in warning.getMessage() and "wrong" not in warning.getMessage()


def test_413_drops_that_request_and_later_events_still_arrive(server: RecordingServer,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    def too_big_once(srv: RecordingServer, request: Received) -> tuple[int, dict[str, Any]]:
        return (413, {"ok": False}) if any(e["type"] == "predictions" for e in request.events) else (200, OK)

    server.answer = too_big_once
    with TrainingRun("big", channel="#ml", url=server.url) as run:
        run.log_predictions([[[1.0]]], [0], [0])
        server.wait_for(lambda requests: any(e["type"] == "predictions" for r in requests for e in r.events))
        run.log_epoch(0, loss=1.0)
    assert sum(e["type"] == "predictions" for r in server.received for e in r.events) == 1
    assert [e["type"] for e in server.received[-1].events][-2:] == ["epoch", "finish"]
    assert len(monitor_warnings(caplog)) == 1


def test_an_exception_in_the_block_is_reported_as_failed_and_re_raised(server: RecordingServer) -> None:
    with pytest.raises(ValueError, match="loss exploded"):
        with TrainingRun("crash", channel="#ml", url=server.url):
            raise ValueError("loss exploded")
    [finish] = [e for e in server.events() if e["type"] == "finish"]
    assert finish["status"] == "failed"
    assert (finish["error"]["type"], finish["error"]["message"]) == ("ValueError", "loss exploded")
    assert finish["error"]["traceback"][-1] == "ValueError: loss exploded"
    assert any('raise ValueError("loss exploded")' in line for line in finish["error"]["traceback"])


def test_a_broken_metric_is_left_out_counted_and_warned_about_once(server: RecordingServer,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    class Exploding:
        def __float__(self) -> float:
            raise RuntimeError("device lost")

    with TrainingRun("odd", channel="#ml", url=server.url) as run:
        run.log_epoch(0, loss=Exploding(), acc=0.5)
        run.log_epoch(1, loss=Exploding(), acc=0.6)
        run.log_epoch(2, loss="low", acc=0.7)
    assert [e["metrics"] for e in server.events() if e["type"] == "epoch"] == [{"acc": 0.5}, {"acc": 0.6}, {"acc": 0.7}]
    assert server.received[-1].body["problems"]["not_numbers"]["count"] == 3
    [warning] = monitor_warnings(caplog)
    assert "metric 'loss' is not a number (Exploding)" in warning.getMessage()


def test_a_run_left_open_is_reported_failed_when_the_process_exits(server: RecordingServer) -> None:
    script = ("from sloth_monitor import TrainingRun\n"
              f"run = TrainingRun('forgotten', channel='#ml', url={server.url!r}, flush_timeout=5)\n"
              "run.log_epoch(0, loss=1.0)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30)
    assert [e["type"] for e in server.events()] == ["start", "epoch", "finish"]
    assert server.events()[-1]["status"] == "failed"
    assert server.events()[-1]["error"]["type"] == "ProcessExit"


# ---- stop from Slack ---------------------------------------------------------------------

def test_should_stop_follows_the_server_answer(server: RecordingServer) -> None:
    server.answer = lambda srv, request: (200, STOP if request.index >= 1 else OK)
    with TrainingRun("stoppable", channel="#ml", url=server.url) as run:
        server.wait_for(lambda requests: len(requests) == 1)
        assert not run.should_stop
        run.log_epoch(0, loss=1.0)
        assert run.wait_for_stop(5)
        assert run.should_stop and run.stopped_by == "U999"
    [finish] = [e for e in server.events() if e["type"] == "finish"]
    assert finish["status"] == "stopped"


def test_heartbeats_notice_a_stop_between_epochs(server: RecordingServer) -> None:
    server.answer = lambda srv, request: (200, STOP if request.index >= 3 else OK)
    with TrainingRun("idle", channel="#ml", url=server.url, poll_interval=0.05) as run:
        assert run.wait_for_stop(5)
    heartbeats = server.received[1:4]
    assert all(r.events == [] and r.body["run"]["name"] == "idle" for r in heartbeats)


# ---- the training loop is never slowed down ------------------------------------------------

def timed_calls(run: TrainingRun, count: int = 200) -> list[float]:
    costs = []
    for step in range(count):
        started = time.perf_counter()
        run.log_epoch(step, loss=1.0 / (step + 1), accuracy=0.5)
        middle = time.perf_counter()
        run.log_batch(step, 3, 10, loss=0.25)
        costs += [middle - started, time.perf_counter() - middle]
    return costs


def assert_cheap(costs: list[float]) -> None:
    p99 = statistics.quantiles(costs, n=100)[98]
    assert p99 <= 0.001, f"p99 {p99 * 1e3:.3f} ms"
    assert max(costs) <= 0.020, f"max {max(costs) * 1e3:.3f} ms"


def test_calls_stay_cheap_and_exit_is_bounded_when_sloth_is_down(closed_port: int,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    run = TrainingRun("offline", channel="#ml", url=f"http://127.0.0.1:{closed_port}", flush_timeout=1.0,
                      progress_interval=0)
    with run:
        costs = timed_calls(run)
        leaving = time.monotonic()
    assert time.monotonic() - leaving <= 1.5
    assert_cheap(costs)
    assert run.finish() is False
    [warning] = monitor_warnings(caplog)
    assert "Connection refused" in warning.getMessage() and not warning.exc_info


def test_calls_stay_cheap_and_exit_is_bounded_when_sloth_is_slow(server: RecordingServer) -> None:
    server.answer = lambda srv, request: (srv.release.wait(5), (200, OK))[1]
    run = TrainingRun("slow", channel="#ml", url=server.url, flush_timeout=1.0, progress_interval=0)
    with run:
        server.wait_for(lambda requests: len(requests) == 1)
        costs = timed_calls(run)
        leaving = time.monotonic()
    assert time.monotonic() - leaving <= 1.5
    assert_cheap(costs)
    assert run.finish() is False


# ---- the Keras callback's logic, without Keras -----------------------------------------------

class StandInModel:
    """The one model method the bridge calls at train end."""

    def __init__(self) -> None:
        self.predicted: list[Any] = []

    def predict(self, x: list[Any], verbose: int = 0) -> list[list[float]]:
        self.predicted = x
        return [[0.9, 0.1] if i % 2 else [0.2, 0.8] for i in range(len(x))]


def test_keras_hooks_become_run_events(server: RecordingServer) -> None:
    server.answer = lambda srv, request: (200, STOP if any(e["type"] == "epoch" for e in request.events) else OK)
    runs: list[TrainingRun] = []

    def new_run() -> TrainingRun:
        runs.append(TrainingRun("keras", channel="#ml", url=server.url, progress_interval=0))
        return runs[-1]

    images = [[[float(i)]] for i in range(20)]
    bridge = KerasBridge(new_run, validation_samples=(images, [[1, 0]] * 20), class_names=["a", "b"])
    model = StandInModel()
    bridge.train_begin({"epochs": 3, "steps": 10, "verbose": 1})
    bridge.epoch_begin(0)
    assert bridge.batch_end(4, {"loss": 0.7}, {"epochs": 3, "steps": 10}) is False
    bridge.epoch_end(0, {"loss": 0.6, "val_loss": 0.65})
    assert runs[0].wait_for_stop(5)
    assert bridge.batch_end(5, {"loss": 0.5}, {"epochs": 3, "steps": 10}) is True
    bridge.train_end(model)

    assert len(model.predicted) == 16
    events = server.events()
    assert server.received[-1].body["run"]["total_epochs"] == 3
    assert [e["type"] for e in events] == ["start", "batch", "epoch", "batch", "predictions", "finish"]
    assert (events[1]["epoch"], events[1]["batch"], events[1]["total_batches"]) == (0, 4, 10)
    assert events[2]["metrics"] == {"loss": 0.6, "val_loss": 0.65}
    assert events[4]["y_true"] == [0] * 16 and events[4]["y_pred"] == [1, 0] * 8
    assert events[4]["class_names"] == ["a", "b"] and len(events[4]["images"]) == 16
    assert events[5]["status"] == "stopped"

    bridge.train_begin({"epochs": 1})  # the same callback in a second fit(): a second run card
    assert len(runs) == 2 and runs[1].run_id != runs[0].run_id and runs[1].total_epochs == 1
    runs[1].finish()
