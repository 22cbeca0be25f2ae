"""Pictures for the card's thread, drawn with matplotlib's Agg canvas into PNG bytes.

Blocking and CPU-bound: only worker processes import this module. Callers name these
functions with a `Task` (`ctx.cpu.run`), so the process that holds the socket never imports
matplotlib. One lock keeps two drawings from sharing matplotlib's global state (font cache,
rcParams) at once, should a caller ever run them in threads.
"""

from __future__ import annotations

import base64
import io
import math
import threading
from typing import Any

from matplotlib import image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from handlers.training.metric_names import direction, split
from handlers.training.state import shared_metrics

_draw_lock = threading.Lock()
MAX_PANELS = 6
TRAIN_COLOUR, VAL_COLOUR, WRONG_COLOUR, RIGHT_COLOUR = "#1D9BD1", "#E8912D", "#E01E5A", "#2EB67D"


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def curve_groups(history: list[dict[str, Any]]) -> dict[str, tuple[str | None, str | None]]:
    """What is measured -> (training metric, validation metric), in first-seen order: `loss` and
    `val_loss`, `train_loss` and `val_loss`, `train/acc` and `val/acc` share a panel."""
    groups: dict[str, list[str | None]] = {}
    for record in history:
        for name in record["metrics"]:
            base, role = split(name)
            pair = groups.setdefault(base, [None, None])
            slot = 1 if role == "val" else 0
            if pair[slot] is None:
                pair[slot] = name
    return {base: (pair[0], pair[1]) for base, pair in list(groups.items())[:MAX_PANELS]}


def curves_png(title: str, history: list[dict[str, Any]]) -> bytes:
    """Every metric over epochs, training and validation on one panel per metric."""
    groups = curve_groups(history)
    columns = min(3, max(1, len(groups)))
    rows = max(1, math.ceil(len(groups) / columns))
    with _draw_lock:
        figure = _figure(4.2 * columns, 3.2 * rows + 0.5)
        figure.suptitle(title[:80])
        epochs = [record["epoch"] + 1 for record in history]
        for index, (base, (train, val)) in enumerate(groups.items()):
            axes = figure.add_subplot(rows, columns, index + 1)
            lines = [(label, colour, list(zip(epochs, [r["metrics"].get(name) for r in history], strict=True)))
                     for name, colour, label in ((train, TRAIN_COLOUR, "train"), (val, VAL_COLOUR, "validation"))
                     if name is not None]
            _panel(axes, base, lines)
        if not groups:
            figure.text(0.5, 0.5, "no metrics reported", ha="center")
        figure.tight_layout()
        return _png(figure)


def _panel(axes: Any, metric: str, lines: list[tuple[str, str, list[tuple[int, Any]]]]) -> None:
    """One metric's panel: each (label, colour, [(epoch, value)]) as a line; missing values skipped."""
    for label, colour, points in lines:
        shown = [(e, v) for e, v in points if isinstance(v, float)]
        axes.plot([e for e, _ in shown], [v for _, v in shown], marker="o", markersize=3, color=colour, label=label)
    better = {"min": " (lower is better)", "max": " (higher is better)", None: ""}[direction(metric)]
    axes.set_title(f"{metric}{better}", fontsize=10)
    axes.set_xlabel("epoch")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)


def label_text(label: int | str, class_names: list[str]) -> str:
    if isinstance(label, int) and 0 <= label < len(class_names):
        return class_names[label]
    return str(label)


def predictions_png(title: str, event: dict[str, Any]) -> bytes:
    """A grid of samples, each titled with its predicted and true label; wrong ones in red."""
    y_true, y_pred, names = event["y_true"], event["y_pred"], event["class_names"]
    count = len(y_true)
    columns = min(4, max(1, count))
    rows = max(1, math.ceil(count / columns))
    with _draw_lock:
        figure = _figure(2.3 * columns, 2.5 * rows + 0.6)
        wrong = sum(1 for t, p in zip(y_true, y_pred, strict=True) if t != p)
        figure.suptitle(f"{title[:60]}: {count - wrong}/{count} right")
        for index in range(count):
            axes = figure.add_subplot(rows, columns, index + 1)
            right = y_true[index] == y_pred[index]
            _show_sample(axes, event, index)
            mark = "✓" if right else "✗"
            axes.set_title(f"{mark} pred {label_text(y_pred[index], names)[:14]}\n"
                           f"true {label_text(y_true[index], names)[:14]}", fontsize=9,
                           color=RIGHT_COLOUR if right else WRONG_COLOUR)
            axes.set_xticks([])
            axes.set_yticks([])
            for spine in axes.spines.values():
                spine.set_color(RIGHT_COLOUR if right else WRONG_COLOUR)
                spine.set_linewidth(1 if right else 3)
        figure.tight_layout()
        return _png(figure)


def _show_sample(axes: Any, event: dict[str, Any], index: int) -> None:
    if "png_b64" in event:
        try:
            axes.imshow(image.imread(io.BytesIO(base64.b64decode(event["png_b64"][index])), format="png"))
        except (ValueError, OSError, SyntaxError):
            axes.text(0.5, 0.5, "unreadable PNG", ha="center", va="center", fontsize=8)
        return
    pixels = event["images"][index]
    if not pixels:
        axes.text(0.5, 0.5, "no image", ha="center", va="center", fontsize=8)
        return
    low = min(min(row) for row in pixels)
    high = max(max(row) for row in pixels)
    # Each image's own min..max as black..white, as the protocol says.
    axes.imshow(pixels, cmap="gray", vmin=low, vmax=high if high > low else low + 1, interpolation="nearest")


def is_png(data: bytes) -> bool:
    return data.startswith(b"\x89PNG\r\n\x1a\n")


def compare_png(title: str, runs: list[tuple[str, list[dict[str, Any]]]]) -> bytes:
    """The shared metrics of two runs overlaid, one panel per metric, one colour per run."""
    (name_a, history_a), (name_b, history_b) = runs
    metrics = shared_metrics(history_a, history_b)
    columns = min(3, max(1, len(metrics)))
    rows = max(1, math.ceil(len(metrics) / columns))
    with _draw_lock:
        figure = _figure(4.2 * columns, 3.2 * rows + 0.6)
        figure.suptitle(title[:90])
        for index, metric in enumerate(metrics):
            axes = figure.add_subplot(rows, columns, index + 1)
            lines = [(label[:30], colour, [(r["epoch"] + 1, r["metrics"].get(metric)) for r in history])
                     for (label, history), colour in (((name_a, history_a), TRAIN_COLOUR),
                                                      ((name_b, history_b), VAL_COLOUR))]
            _panel(axes, metric, lines)
        if not metrics:
            figure.text(0.5, 0.5, "the two runs share no metric", ha="center")
        figure.tight_layout()
        return _png(figure)
