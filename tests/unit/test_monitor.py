"""The training-side monitor client: pure pieces (queue, wire values, replies, rank)."""

from __future__ import annotations

import base64
import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from sloth_monitor import KerasCallback, TrainingRun
from sloth_monitor import keras as monitor_keras
from sloth_monitor._delivery import Outbox
from sloth_monitor._http import reply_for_body, reply_for_status
from sloth_monitor._info import git_info
from sloth_monitor._wire import (
    MAX_IMAGE_SIDE,
    MetricCleaner,
    Problems,
    clean_metrics,
    grayscale_2d,
    head,
    is_primary_process,
    jsonable,
    label,
    wire_predictions,
)
from sloth_monitor.huggingface import renamed
from sloth_monitor.lightning import epoch_metrics as lightning_epoch_metrics


class ArrayLike:
    """The two things the client uses from numpy / torch arrays: slicing and tolist()."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def __getitem__(self, index: slice) -> ArrayLike:
        return ArrayLike(self.values[index])

    def tolist(self) -> list[Any]:
        return self.values


class Scalar:
    def __init__(self, value: float) -> None:
        self.value = value

    def __float__(self) -> float:
        return self.value


def event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **fields}


# ---- the queue ---------------------------------------------------------------------------

def test_outbox_numbers_events_from_one_in_order() -> None:
    box = Outbox()
    for kind in ("start", "epoch", "batch", "epoch"):
        box.put(event(kind))
    taken = box.take(10)
    assert [e["seq"] for e in taken] == [1, 2, 3, 4]
    assert [e["type"] for e in taken] == ["start", "epoch", "batch", "epoch"]
    assert len(box) == 0


def test_outbox_keeps_only_the_latest_batch_update() -> None:
    box = Outbox()
    box.put(event("start"))
    for batch in range(50):
        box.put(event("batch", batch=batch))
    box.put(event("epoch", epoch=0))
    taken = box.take(10)
    assert [(e["type"], e.get("batch")) for e in taken] == [("start", None), ("batch", 49), ("epoch", None)]
    assert [e["seq"] for e in taken] == [1, 51, 52]
    assert box.dropped == 0  # superseded progress is not a loss


def test_outbox_take_respects_the_limit_and_seq_order() -> None:
    box = Outbox()
    for epoch in range(5):
        box.put(event("epoch", epoch=epoch))
    box.put(event("batch", batch=7))
    assert [e["seq"] for e in box.take(2)] == [1, 2]
    assert [e["seq"] for e in box.take(10)] == [3, 4, 5, 6]


def test_outbox_sends_predictions_in_a_request_of_their_own() -> None:
    box = Outbox()
    for kind in ("start", "epoch", "predictions", "epoch", "finish"):
        box.put({"type": kind})
    assert [[e["type"] for e in box.take(10)] for _ in range(3)] == [
        ["start", "epoch"], ["predictions"], ["epoch", "finish"]]


def test_outbox_put_back_restores_order_and_prefers_a_newer_batch() -> None:
    box = Outbox()
    box.put(event("epoch", epoch=0))
    box.put(event("batch", batch=1))
    failed = box.take(10)
    box.put(event("batch", batch=2))
    box.put(event("epoch", epoch=1))
    box.put_back(failed)
    again = box.take(10)
    assert [e["seq"] for e in again] == [1, 3, 4]
    assert [e.get("batch") for e in again if e["type"] == "batch"] == [2]


def test_outbox_put_back_keeps_a_returned_batch_when_nothing_newer_came() -> None:
    box = Outbox()
    box.put(event("batch", batch=1))
    box.put_back(box.take(10))
    assert [e["seq"] for e in box.take(10)] == [1]


def test_outbox_bound_drops_oldest_epochs_but_never_start_or_finish() -> None:
    box = Outbox(max_events=5)
    box.put(event("start"))
    for epoch in range(10):
        box.put(event("epoch", epoch=epoch))
    box.put(event("finish"))
    assert len(box) == 5
    assert box.dropped == 7
    kept = box.take(10)
    assert [e["type"] for e in kept] == ["start", "epoch", "epoch", "epoch", "finish"]
    assert [e["epoch"] for e in kept if e["type"] == "epoch"] == [7, 8, 9]


# ---- replies -----------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "outcome"), [
    (400, "drop"), (404, "drop"), (413, "drop"), (401, "fatal"), (403, "fatal"),
    (408, "retry"), (429, "retry"), (500, "retry"), (502, "retry"), (503, "retry"),
])
def test_http_status_decides_retry_drop_or_give_up(status: int, outcome: str) -> None:
    assert reply_for_status(status).outcome == outcome


def test_answer_body_carries_the_stop_request() -> None:
    reply = reply_for_body(b'{"ok": true, "stop": true, "stopped_by": "U42"}')
    assert (reply.outcome, reply.stop, reply.stopped_by) == ("ok", True, "U42")
    calm = reply_for_body(b'{"ok": true, "stop": false, "stopped_by": null}')
    assert (calm.outcome, calm.stop, calm.stopped_by) == ("ok", False, None)


def test_an_answer_that_is_not_json_drops_the_request() -> None:
    assert reply_for_body(b"<html>proxy login</html>").outcome == "drop"
    assert reply_for_body(b"[1, 2]").outcome == "drop"


# ---- wire values -------------------------------------------------------------------------

def test_metrics_become_floats_and_non_finite_values_become_null() -> None:
    metrics = clean_metrics({"loss": Scalar(0.25), "acc": 1, "nan": float("nan"),
                             "inf": float("-inf"), "text": "x"})
    assert metrics == {"loss": 0.25, "acc": 1.0, "nan": None, "inf": None, "text": None}


def test_config_becomes_json_values() -> None:
    config = {"lr": 1e-3, "layers": (32, 64), "bad": float("nan"), "shape": ArrayLike([1, 2]),
              "fn": print, 3: None}
    assert jsonable(config) == {"lr": 1e-3, "layers": [32, 64], "bad": None, "shape": [1, 2],
                                "fn": str(print), "3": None}


def test_head_takes_the_first_items_of_lists_arrays_and_iterables() -> None:
    assert head(list(range(40))) == list(range(16))
    assert head(ArrayLike([[1], [2], [3]]), 2) == [[1], [2]]
    assert head(iter(range(40)), 3) == [0, 1, 2]


@pytest.mark.parametrize(("value", "expected"), [
    (3, 3), (3.0, 3), ("cat", "cat"), ([0.1, 0.7, 0.2], 1), ([0, 0, 1], 2), ([0.8], 1), ([0.2], 0),
])
def test_labels_are_indices_argmax_or_strings(value: Any, expected: int | str) -> None:
    assert label(value) == expected


def test_images_in_common_layouts_become_2d_rows() -> None:
    plain = [[0.0, 1.0], [0.5, 0.25]]
    assert grayscale_2d(plain) == plain
    assert grayscale_2d([[[0.0], [1.0]], [[0.5], [0.25]]]) == plain  # height x width x 1
    assert grayscale_2d([[[0, 0, 0], [3, 3, 3]], [[1, 2, 3], [0, 0, 0]]]) == [[0, 3], [2, 0]]
    assert grayscale_2d([[[0.0, 1.0], [0.5, 0.25]]]) == plain  # 1 x height x width
    assert grayscale_2d([0.0, 1.0, 0.5, 0.25]) == plain  # flattened square


def test_images_are_shrunk_and_non_finite_pixels_zeroed() -> None:
    big = [[float(x) for x in range(200)] for _ in range(200)]
    small = grayscale_2d(big)
    assert len(small) <= MAX_IMAGE_SIDE and len(small[0]) <= MAX_IMAGE_SIDE
    assert grayscale_2d([[float("nan"), 1.0]]) == [[0.0, 1.0]]


def test_unreadable_images_become_empty() -> None:
    assert grayscale_2d([1.0, 2.0, 3.0]) == []  # not square
    assert grayscale_2d("picture") == []
    event = wire_predictions({"type": "predictions", "samples": [[[1.0]], [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]})
    assert event["images"] == [[[1.0]], []]
    assert "samples" not in event


def test_png_samples_are_sent_as_base64() -> None:
    png = b"\x89PNG\r\n\x1a\nrest"
    event = wire_predictions({"type": "predictions", "samples": [png]})
    assert [base64.b64decode(s) for s in event["png_b64"]] == [png]
    assert "images" not in event


# ---- rank and disabled runs --------------------------------------------------------------

@pytest.mark.parametrize(("environ", "primary"), [
    ({}, True), ({"RANK": "0", "LOCAL_RANK": "0"}, True), ({"RANK": "3"}, False),
    ({"LOCAL_RANK": "1"}, False), ({"OMPI_COMM_WORLD_RANK": "2"}, False), ({"PMI_RANK": "1"}, False),
    ({"SLURM_PROCID": "5"}, False), ({"SLURM_PROCID": "0"}, True), ({"RANK": "not-a-number"}, True),
])
def test_only_rank_zero_reports(environ: dict[str, str], primary: bool) -> None:
    assert is_primary_process(environ) is primary


def test_a_non_zero_rank_makes_every_call_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RANK", "1")
    threads = threading.active_count()
    with TrainingRun("mnist", channel="#ml", url="http://192.0.2.1:1") as run:
        run.log_batch(0, 1, 10, loss=1.0)
        run.log_epoch(0, loss=1.0)
        run.log_predictions([[[0.0]]], [1], [1])
        assert threading.active_count() == threads
    assert not run.enabled
    assert not run.should_stop
    assert run.finish() is True


def test_run_ids_are_uuid4_hex_and_unique() -> None:
    ids = {TrainingRun("a", channel="#c").run_id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(run_id) == 32 and int(run_id, 16) >= 0 for run_id in ids)


def test_keras_callback_needs_keras_only_when_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a machine without keras, whether or not this one has it.
    monkeypatch.setitem(sys.modules, "keras", None)
    monkeypatch.setattr(monitor_keras, "_keras_class", None)
    with pytest.raises(ImportError):
        KerasCallback("mnist", channel="#ml")


# ---- protocol 2 pieces ---------------------------------------------------------------------

def test_outbox_keeps_only_the_latest_machine_sample_beside_the_latest_batch() -> None:
    box = Outbox()
    box.put(event("start"))
    for n in range(3):
        box.put(event("system", n=n))
        box.put(event("batch", batch=n))
    box.put(event("epoch", epoch=0))
    assert [(e["type"], e.get("n"), e.get("batch")) for e in box.take(10)] == [
        ("start", None, None), ("system", 2, None), ("batch", None, 2), ("epoch", None, None)]


def test_answers_carry_controls_and_notices_and_skip_what_they_cannot_read() -> None:
    reply = reply_for_body(json.dumps({"ok": True, "stop": False, "notices": ["owner is not a member", 3],
                                       "controls": [{"id": "c1", "kind": "lr", "factor": 0.5, "by": "Will"},
                                                    {"id": "c2", "kind": "lr", "factor": -1},
                                                    {"id": "c3", "kind": "reboot"}, "junk",
                                                    {"id": "c4", "kind": "checkpoint"}]}).encode())
    assert [c["id"] for c in reply.controls] == ["c1", "c4"]
    assert reply.controls[0] == {"id": "c1", "kind": "lr", "factor": 0.5, "by": "Will"}
    assert reply.notices == ("owner is not a member",)


def test_a_409_is_final_and_says_sloths_reason() -> None:
    reply = reply_for_status(409, b'{"ok": false, "error": "run id already used by another job"}')
    assert (reply.outcome, reply.problem) == ("fatal", "HTTP 409: run id already used by another job")
    assert reply_for_status(400, b"<html>").problem == "HTTP 400"


def test_git_commit_and_branch_are_read_without_git(tmp_path: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "repo"
    (repo / ".git" / "refs" / "heads").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / ".git" / "packed-refs").write_text(f"# pack-refs\n{sha} refs/heads/main\n")
    (repo / "src" / "deep").mkdir(parents=True)
    assert git_info(repo / "src" / "deep") == {"commit": sha, "branch": "main"}
    (repo / ".git" / "refs" / "heads" / "main").write_text(sha.replace("0", "f") + "\n")
    assert git_info(repo)["commit"] == sha.replace("0", "f")  # type: ignore[index]
    (repo / ".git" / "HEAD").write_text(sha + "\n")  # detached
    assert git_info(repo) == {"commit": sha, "branch": None}
    assert git_info(tmp_path) is None


def test_framework_metric_names_become_the_cards() -> None:
    assert lightning_epoch_metrics({"loss_step": 1, "loss_epoch": 2, "val_loss": 3}) == {"loss": 2, "val_loss": 3}
    assert renamed({"eval_loss": 1, "eval_runtime": 2, "train_loss": 3, "epoch": 1.0, "eval_accuracy": 4}) == {
        "val_loss": 1, "loss": 3, "val_accuracy": 4}


def test_non_finite_numbers_travel_as_strings_and_non_numbers_are_counted() -> None:
    problems = Problems()
    cleaner = MetricCleaner(problems)
    assert cleaner.clean({"a": float("nan"), "b": float("inf"), "c": Scalar(2.0), "d": "x", "e": None}) == {
        "a": "nan", "b": "inf", "c": 2.0, "e": None}
    assert problems.wire()["not_numbers"]["count"] == 1
