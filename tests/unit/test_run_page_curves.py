"""What a run page draws: steps placed on a global step axis, validation at each epoch's end in the
same chart as its training curve, gaps for figures that are not numbers, the machine over time."""

from __future__ import annotations

from handlers.training.model import Run
from handlers.training.pages.curves import compared_charts, machine_charts, metric_charts, step_of
from handlers.training.pages.view import config_rows, run_view


def run(history: list[dict[str, object]] | None = None, **fields: object) -> Run:
    made = Run(run_id="run-unit-0001", name="unit", channel="#ml", owner="U1", total_epochs=2,
               config={"lr": 0.05}, created=0.0, start_config={"lr": 0.1}, **fields)  # type: ignore[arg-type]
    made.history = history or []
    return made


def step(epoch: int, batch: int, loss: object, total: int | None = 4) -> dict[str, object]:
    return {"time": 100.0 + epoch * 10 + batch, "epoch": epoch, "batch": batch, "total_batches": total,
            "metrics": {"train_loss": loss}}


def test_steps_count_across_epochs_and_an_unknown_length_is_as_far_as_reached() -> None:
    assert step_of({0: 4, 1: 4}, 1, 0) == 5
    assert step_of({0: 4, 1: 4}, 0, None) == 4
    assert step_of({0: 3}, 2, None) == 9  # epochs without batches count as long as the last known one
    drawn = metric_charts(run(), [step(0, 0, 1.0, None), step(0, 2, 0.8, None), step(1, 0, 0.7, None)])
    assert drawn["charts"][0]["data"][0] == [1.0, 3.0, 4.0]


def test_validation_shares_the_training_chart_at_each_epochs_end() -> None:
    history = [{"epoch": 0, "metrics": {"train_loss": 0.9, "val_loss": 1.0}, "time": 110.0},
               {"epoch": 1, "metrics": {"train_loss": 0.6, "val_loss": "nan"}, "time": 120.0}]
    steps = [step(0, 1, 1.2), step(0, 3, "inf"), step(1, 1, 0.7)]
    drawn = metric_charts(run(history), steps)
    assert drawn["x"] == "step"
    [chart] = drawn["charts"]
    assert chart["title"] == "loss" and chart["labels"] == ["train_loss", "val_loss"]
    assert chart["roles"] == ["train", "val"]
    xs, train, val = chart["data"]
    assert xs == [2.0, 4.0, 6.0, 8.0]
    assert train == [1.2, None, 0.7, None]  # per step (not the epoch averages), inf a gap
    assert val == [None, 1.0, None, None]  # at steps 4 and 8; NaN a gap


def test_a_run_without_batches_is_drawn_per_epoch() -> None:
    history = [{"epoch": e, "metrics": {"loss": 1.0 / (e + 1), "val_acc": 0.5 + e / 10}, "time": 0.0} for e in range(3)]
    drawn = metric_charts(run(history), [])
    assert drawn["x"] == "epoch" and [c["title"] for c in drawn["charts"]] == ["loss", "acc"]
    assert drawn["charts"][0]["data"][0] == [1.0, 2.0, 3.0]


def test_the_machine_over_time_in_two_charts() -> None:
    samples = [{"time": 10.0 * i, "cpu_percent": 50.0, "process_cpu_percent": 90.0, "ram_used_mb": 1000.0,
                "ram_total_mb": 4000.0, "process_rss_mb": 300.0,
                "gpus": [{"index": 0, "util_percent": 80.0, "mem_used_mb": 7000.0, "mem_total_mb": 8000.0}]}
               for i in range(3)]
    use, memory = machine_charts(samples)
    assert use["labels"] == ["machine CPU %", "process CPU %", "GPU 0 %"] and use["data"][0] == [0.0, 10.0, 20.0]
    assert "GPU 0 memory" in memory["labels"]
    assert machine_charts([{"time": 1.0, "gpus": []}]) == []  # nothing measured, nothing drawn


def test_runs_compared_get_a_line_each_per_metric() -> None:
    first = run([{"epoch": 0, "metrics": {"val_loss": 1.0}, "time": 0.0}])
    second = run([{"epoch": 0, "metrics": {"val_loss": 2.0}, "time": 0.0},
                  {"epoch": 1, "metrics": {"val_loss": 1.5}, "time": 0.0}])
    second.name = "other"
    [chart] = compared_charts([first, second])
    assert chart["labels"] == ["unit", "other"] and chart["data"] == [[1.0, 2.0], [1.0, None], [2.0, 1.5]]


def test_the_settings_it_started_with_and_as_the_buttons_changed_them() -> None:
    assert config_rows(run()) == [["lr", "0.1", "0.05"]]


def test_the_view_names_members_and_lists_presses_and_alerts_in_order() -> None:
    made = run(presses=[{"id": "lr-1", "kind": "lr", "by": "U2", "at": 50.0, "status": "applied", "detail": "lr 0.05"}],
               alerts_said=[{"kind": "plateau", "text": "No improvement in val_loss for 3 epochs.", "time": 40.0}],
               tags=["baseline"])
    view = run_view(made, [], [], {"U1": "Will", "U2": "Amelia"})
    assert ["owner", "Will"] in view["summary"]["rows"] and ["tags", "baseline"] in view["summary"]["rows"]
    assert [e["kind"] for e in view["events"]] == ["alert", "press"]
    assert view["events"][1]["text"] == "Amelia pressed LR × 0.5 (applied: lr 0.05)"
