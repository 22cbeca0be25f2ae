"""What the card and the curves make of the names and numbers frameworks report: pure functions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.training import render, reports
from handlers.training.card import card_message, config_text
from handlers.training.compare import config_diff
from handlers.training.metric_names import direction, is_neutral, split
from handlers.training.state import apply_batch, new_run
from handlers.training.wire import parse_batch
from sloth_monitor.huggingface import renamed
from sloth_monitor.lightning import batch_metrics

T0 = 1_700_000_000.0
RUN = {"name": "bert", "channel": "#ml", "owner": "U0OWNER1", "total_epochs": 3, "config": {"lr": 0.001}}


def run_with(*epochs: dict[str, Any], config: dict[str, Any] | None = None) -> Any:
    events = [{"type": "epoch", "seq": n + 1, "time": T0 + n, "epoch": n, "metrics": m} for n, m in enumerate(epochs)]
    batch = parse_batch({"run": {**RUN, "config": config or RUN["config"]}, "events": events}, now=T0 + 100)
    run = new_run("run-0001", batch.run, now=T0)
    apply_batch(run, batch, now=T0)
    return run


@pytest.mark.parametrize(("name", "measured", "role"), [
    ("val_loss", "loss", "val"), ("loss", "loss", "train"), ("train_loss", "loss", "train"),
    ("train/acc", "acc", "train"), ("val/acc", "acc", "val"), ("eval_f1", "f1", "val"), ("loss/val", "loss", "val"),
    ("valid_accuracy", "accuracy", "val"), ("validity", "validity", "train")])
def test_training_and_validation_names_pair_up(name: str, measured: str, role: str) -> None:
    assert split(name) == (measured, role)


def test_lightnings_train_loss_and_val_loss_share_a_panel() -> None:
    history = [{"epoch": 0, "metrics": {"train_loss": 1.0, "val_loss": 1.1, "train/acc": 0.5, "val/acc": 0.4}}]
    assert render.curve_groups(history) == {"loss": ("train_loss", "val_loss"), "acc": ("train/acc", "val/acc")}
    assert render.curves_png("bert", history).startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["lr", "learning_rate", "grad_norm", "lr-Adam", "lr-SGD/pg1", "train/lr", "momentum"])
def test_settings_and_diagnostics_have_no_better_direction(name: str) -> None:
    assert is_neutral(name) and direction(name) is None


def test_scores_keep_their_direction() -> None:
    assert direction("val_loss") == "min" and direction("accuracy") == "max" and direction("loss_step") == "min"
    assert not is_neutral("val_accuracy") and not is_neutral("eval_loss")


def test_hugging_faces_learning_rate_and_grad_norm_get_no_best_and_no_arrow() -> None:
    logs = renamed({"loss": 0.9, "learning_rate": 0.0013750000000000001, "grad_norm": 4.2, "epoch": 1.0,
                    "eval_loss": 0.8, "train_runtime": 3.0})
    assert logs == {"loss": 0.9, "learning_rate": 0.0013750000000000001, "grad_norm": 4.2, "val_loss": 0.8}
    run = run_with(logs, {**logs, "learning_rate": 0.0009, "grad_norm": 9.0, "val_loss": 0.7})
    assert set(run.best) == {"loss", "val_loss"}  # a falling learning rate is no "best"
    table = json.dumps(card_message(run, str), ensure_ascii=False)
    assert "learning_rate ·" in table and "grad_norm ·" in table and "val_loss ↓" in table
    assert "grad_norm ↑" not in table and "learning_rate ↑" not in table


def test_config_numbers_are_shown_as_a_person_writes_them() -> None:
    shown = config_text({"lr": 0.0013750000000000001, "betas": [0.9, 0.9990000000000001], "layers": 4,
                         "optimizer": {"eps": 1.0000000000000001e-08}})
    assert shown == "`lr=0.001375` `betas=[0.9, 0.999]` `layers=4` `optimizer={eps: 1e-08}`"


def test_compare_diffs_the_settings_the_runs_started_with() -> None:
    first, second = run_with(config={"lr": 0.001, "layers": 4}), run_with(config={"lr": 0.0005, "layers": 4})
    reports.change_config(first, {"lr": 0.0005}, None, T0 + 50)  # LR × 0.5 during the run
    assert first.config["lr"] == second.config["lr"]
    assert config_diff(first, second) == ["lr: 0.001 → 0.0005"]


@pytest.mark.parametrize(("minutes", "words"), [(1.0, "for 1 minute:"), (5.0, "for 5 minutes:"),
                                                  (0.5, "for 30 seconds:")])
def test_the_stale_alert_says_its_minutes_in_good_english(minutes: float, words: str) -> None:
    run = run_with()
    reports.stale_alert(run, minutes)
    assert words in run.jobs[-1]["text"]


def test_lightning_adds_the_returned_loss_only_when_the_module_logs_no_training_loss_of_its_own() -> None:
    assert batch_metrics(0.5, {}) == {"loss": 0.5}
    assert batch_metrics(0.5, {"train_loss": 0.5, "val_loss": 0.7}) == {}
    assert batch_metrics({"loss": 0.5}, {"loss_step": 0.4, "val_loss": 0.7}) == {"loss": 0.4}
