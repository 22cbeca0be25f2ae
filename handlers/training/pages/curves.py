"""A run's curves as the page draws them (uPlot's aligned columns). Pure: no Slack, no I/O.

Per-step curves pair training with validation on one x axis, the step: every batch the job
reported sits at its global step (the batches of the epochs before it, plus its own), and each
validation figure, reported once an epoch, sits at the step that ended its epoch. A run that
reported no batch is drawn per epoch. One chart per quantity (`loss` with `val_loss`, `train/acc`
with `val/acc`); a figure reported per batch is not drawn again from the epoch averages.
The machine's figures are drawn over time (Unix seconds).
"""

from __future__ import annotations

import math
from typing import Any

from handlers.training.metric_names import measured, split
from handlers.training.model import Run

MAX_CHARTS = 16
MAX_LINES = 6  # per chart
Column = list[float | None]


def number(value: Any) -> float | None:
    """A figure to draw, or None for a gap (null, "nan", an infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def epoch_lengths(steps: list[dict[str, Any]]) -> dict[int, int]:
    """Batches in each epoch: as the job said (`total_batches`), else as many as it reached."""
    lengths: dict[int, int] = {}
    for point in steps:
        reached = point["total_batches"] or point["batch"] + 1
        lengths[point["epoch"]] = max(lengths.get(point["epoch"], 0), reached)
    return lengths


def step_of(lengths: dict[int, int], epoch: int, batch: int | None) -> int:
    """The global step at `batch` of `epoch` (0-based), or at its end when batch is None. An epoch
    with no batch reported counts as long as the last one before it that has."""
    known = 0
    total = 0
    for e in range(epoch + (batch is None)):
        known = lengths.get(e, known)
        total += known
    return total + (0 if batch is None else batch + 1)


def aligned(lines: list[dict[float, float | None]]) -> list[Column]:
    """[xs, ys of each line] on the union of their xs, None where a line has no point."""
    xs = sorted({x for line in lines for x in line})
    return [list(map(float, xs)), *[[line.get(x) for x in xs] for line in lines]]


def metric_charts(run: Run, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """{"x": "step" | "epoch", "charts": [{"title", "labels", "roles", "data"}]}."""
    lengths = epoch_lengths(steps)
    by_step = bool(steps)
    lines: dict[str, dict[float, float | None]] = {}
    for point in steps:
        x = float(step_of(lengths, point["epoch"], point["batch"]))
        for name, value in point["metrics"].items():
            lines.setdefault(name, {})[x] = number(value)
    stepped = set(lines)
    for record in run.history:
        x = float(step_of(lengths, record["epoch"], None) if by_step else record["epoch"] + 1)
        for name, value in record["metrics"].items():
            if name not in stepped:
                lines.setdefault(name, {})[x] = number(value)
    groups: dict[str, list[str]] = {}
    for name in lines:
        groups.setdefault(measured(name), []).append(name)
    charts = []
    for quantity, names in list(groups.items())[:MAX_CHARTS]:
        names = sorted(names, key=lambda n: (split(n)[1] == "val", n))[:MAX_LINES]
        charts.append({"title": quantity, "labels": names, "roles": [split(n)[1] for n in names],
                       "data": aligned([lines[n] for n in names])})
    return {"x": "step" if by_step else "epoch", "charts": charts}


def machine_charts(machine: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Use in percent and memory in MB over time, each a chart, when the job sampled its machine."""
    use: dict[str, dict[float, float | None]] = {}
    memory: dict[str, dict[float, float | None]] = {}
    for sample in machine:
        t = float(sample["time"])
        use.setdefault("machine CPU %", {})[t] = number(sample.get("cpu_percent"))
        use.setdefault("process CPU %", {})[t] = number(sample.get("process_cpu_percent"))
        memory.setdefault("RAM used", {})[t] = number(sample.get("ram_used_mb"))
        memory.setdefault("process RSS", {})[t] = number(sample.get("process_rss_mb"))
        for gpu in sample.get("gpus") or []:
            use.setdefault(f"GPU {gpu.get('index', 0)} %", {})[t] = number(gpu.get("util_percent"))
            memory.setdefault(f"GPU {gpu.get('index', 0)} memory", {})[t] = number(gpu.get("mem_used_mb"))
    charts = []
    for title, lines in (("use, %", use), ("memory, MB", memory)):
        drawn = {label: line for label, line in lines.items() if any(v is not None for v in line.values())}
        if drawn:
            labels = list(drawn)[:MAX_LINES * 2]
            charts.append({"title": title, "labels": labels, "roles": ["machine"] * len(labels),
                           "data": aligned([drawn[label] for label in labels])})
    return charts


def compared_charts(runs: list[Run]) -> list[dict[str, Any]]:
    """Per epoch, one chart per metric that any of `runs` reported, one line per run."""
    names: list[str] = []
    for run in runs:
        for record in run.history:
            names += [n for n in record["metrics"] if n not in names]
    charts = []
    for name in names[:MAX_CHARTS]:
        lines = [{float(r["epoch"] + 1): number(r["metrics"].get(name)) for r in run.history if name in r["metrics"]}
                 for run in runs]
        charts.append({"title": name, "labels": [run.name for run in runs], "roles": ["run"] * len(runs),
                       "data": aligned(lines)})
    return charts
