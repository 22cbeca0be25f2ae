"""The run card: one message per run, drawn from its state. Pure functions, no Slack calls.

Everything the training side named (run name, metric names, config, the error) is escaped
before it is drawn, so nothing in it can ping anyone or turn into a link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.pure import actions, button, context_block, escape, section, truncate
from handlers.training import card_parts as parts
from handlers.training.card_parts import duration, number, run_date
from handlers.training.metric_names import direction
from handlers.training.state import Run, eta_seconds

EVENT_TYPE = "sloth_training_run"
COLOURS = {"running": "#1D9BD1", "completed": "#2EB67D", "stopped": "#ECB22E", "failed": "#E01E5A",
           "preempted": "#E8912D"}
STALE_COLOUR = "#9E9E9E"
ICONS = {"running": "⏳", "completed": "✅", "stopped": "⏹️", "failed": "❌", "preempted": "⏸️"}
ARROWS = {"min": "↓", "max": "↑", None: "·"}
BAR_WIDTH = 20
MAX_METRIC_ROWS = 12

Names = Callable[[str], str]


def card_message(run: Run, names: Names) -> dict[str, Any]:
    """text, attachments and metadata for chat.postMessage / chat.update."""
    colour = COLOURS["failed"] if run.diverged else STALE_COLOUR if run.stale else COLOURS[run.status]
    blocks = [section(f"{ICONS[run.status]} *{escape(truncate(run.name, 150))}* · {status_words(run, names)}")]
    blocks.append(context_block(*who_and_when(run, names)))
    blocks += [context_block(text) for text in (parts.where_text(run), parts.machine_text(run)) if text]
    if run.kind != "task" or run.history:
        blocks.append(section(progress_text(run)))
    if run.history or run.batch_metrics:
        blocks.append(section(metrics_table(run)))
    if run.last_best:
        blocks.append(context_block(parts.best_text(run)))
    if run.error:
        blocks.append(section(f"*{escape(truncate(run.error['type'], 100))}*: "
                              f"{escape(truncate(run.error['message'], 1500)) or '(no message)'}"))
    blocks += [section(text) for text in (parts.traceback_text(run), parts.task_text(run)) if text]
    blocks += [context_block(text) for text in (parts.checkpoints_text(run), parts.changes_text(run, names),
                                          parts.presses_text(run, names), parts.trouble_text(run)) if text]
    if run.config:
        blocks.append(context_block("Config: " + config_text(run.config)))
    if run.stale:
        blocks.append(context_block(f"⚠️ No report since {run_date(run.seen)}: the job may have died or lost "
                              "its connection to Sloth."))
    if run.dropped:
        blocks.append(context_block(f"The training side skipped {run.dropped} updates it could not send in time."))
    buttons = card_buttons(run)
    if buttons:
        blocks.append(actions(*buttons, block_id=f"training-{run.run_id}"))
    summary = f"{'Task' if run.kind == 'task' else 'Training run'} {run.name}: {plain_status(run)}"
    attachment = {"color": colour, "fallback": truncate(escape(summary), 300), "blocks": blocks}
    return {"text": truncate(escape(summary), 300), "attachments": [attachment], "metadata": metadata(run)}


# Slack refuses metadata past a size it does not publish (metadata_too_large): a run may log
# any number of metrics, so the card's record keeps the first few, each name and value short.
MAX_METADATA_METRICS = 20
MAX_METADATA_BYTES = 2000


def metadata(run: Run) -> dict[str, Any]:
    metrics: dict[str, float] = {}
    size = 0
    known = [(name[:60], value) for name, value in run.latest.items() if isinstance(value, float)]
    for name, value in known[:MAX_METADATA_METRICS]:
        size += len(name) + 24  # the name, a float's text and JSON's quotes, colon and comma
        if size > MAX_METADATA_BYTES:
            break
        metrics[name] = value
    payload: dict[str, Any] = {
        "run_id": run.run_id, "status": run.status, "epoch": run.epochs_done,
        # Metadata values cannot be null, so an unknown total is 0.
        "total_epochs": run.total_epochs or 0, "metrics": metrics,
    }
    if len(metrics) < len(known):
        payload["metrics_left_out"] = len(known) - len(metrics)
    return {"event_type": EVENT_TYPE, "event_payload": payload}


def status_words(run: Run, names: Names) -> str:
    diverged = parts.diverged_words(run)
    return f"{diverged} · {plain_words(run, names)}" if diverged else plain_words(run, names)


def plain_words(run: Run, names: Names) -> str:
    if run.status == "running":
        words = "running" + (" · _stale_" if run.stale else "")
        if run.stop_by:
            words += f" · stop requested by {escape(names(run.stop_by))}{during(run, run.stop_epoch or 0)}"
        return words
    if run.status == "stopped":
        if run.stop_by:  # pressed while epoch stop_epoch + 1 was running; the job ends it as it can
            return f"stopped by {escape(names(run.stop_by))}{during(run, run.stop_epoch or 0)}"
        if run.interrupted:
            return f"stopped with Ctrl-C at the job{during(run, run.epochs_done)}"
        return "stopped by the training code" + (f" after epoch {run.epochs_done}" if run.kind != "task" else "")
    if run.status == "failed":
        return "*failed*" + (f": {escape(truncate(run.error['type'], 100))}" if run.error else "")
    if run.status == "preempted":
        return f"*preempted* (the job got SIGTERM){during(run, run.epochs_done)}"
    return "completed"


def during(run: Run, epoch: int) -> str:
    """` during epoch N` (1-based) for a training run; a task has no epochs."""
    return f" during epoch {epoch + 1}" if run.kind != "task" or run.history else ""


def plain_status(run: Run) -> str:
    if run.kind == "task" and not run.history:
        took = f" in {duration(run.finished_at - run.started_at)}" if run.finished_at and run.started_at else ""
        return f"{run.status}{' (stale)' if run.stale else ''}{took}"
    of = f"/{run.total_epochs}" if run.total_epochs else ""
    return f"{run.status}{' (stale)' if run.stale else ''}, epoch {run.epochs_done}{of}"


def who_and_when(run: Run, names: Names) -> list[str]:
    parts = [f"Owner: {escape(names(run.owner))}" if run.owner else "Owner: not given"]
    if run.started_at is not None:
        end = run.finished_at if run.finished_at is not None else run.last_event_at or run.started_at
        parts.append(f"Started {run_date(run.started_at)} · {'took' if run.finished_at else 'elapsed'} "
                     f"{duration(end - run.started_at)}")
    if run.resumes:
        parts.append(resumed_text(run))
    if run.muted:
        by = f" by {escape(names(run.muted_by))}" if run.muted_by else ""
        parts.append(f"🔕 alerts muted{by} (a failure or a NaN loss still pings the owner)")
    return parts


def resumed_text(run: Run) -> str:
    last = run.resumes[-1]
    times = f" {last['n']}×" if last["n"] > 1 else ""
    went_on = f" at epoch {last['epoch'] + 1}" if run.kind != "task" else ""
    return f"↻ resumed{times}{went_on} after it {'was preempted' if last['after'] == 'preempted' else last['after']} " \
           f"· {run_date(last['at'])}"


def progress_text(run: Run) -> str:
    total = run.total_epochs
    if total:
        done = min(run.epochs_done, total)
        line = f"`{bar(done / total)}` epoch *{done}/{total}*"
    else:
        line = f"epoch *{run.epochs_done}*"
    if run.running and run.batch is not None:
        if run.total_batches:
            line += f"\n`{bar((run.batch + 1) / run.total_batches)}` batch {run.batch + 1}/{run.total_batches}"
        else:
            line += f"\nbatch {run.batch + 1}"
        line += f" of epoch {(run.batch_epoch or 0) + 1}"
    eta = eta_seconds(run)
    if eta is not None:
        line += f" · ETA {duration(eta)}"
    return line


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def metrics_table(run: Run) -> str:
    """Latest and best of each metric, in a code block so the columns line up."""
    latest = dict(run.latest)
    for name, value in run.batch_metrics.items():
        latest.setdefault(name, value)
    rows = [("metric", "latest", "best")]
    for name in list(latest)[:MAX_METRIC_ROWS]:
        best = run.best.get(name)
        best_text = f"{number(best['value'])} (epoch {best['epoch'] + 1})" if best else "–"
        label = f"{truncate(name, 24)} {ARROWS[direction(name)]}"
        rows.append((label, number(latest[name]), best_text))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a.ljust(widths[0])}  {b.rjust(widths[1])}  {c}" for a, b, c in rows]
    return "```" + escape("\n".join(lines).replace("`", "'")) + "```"


def config_text(config: dict[str, Any]) -> str:
    shown: list[str] = []
    for key, value in config.items():
        piece = "`" + escape(truncate(f"{key}={parts.value_text(value)}".replace("`", "'"), 120)) + "`"
        if sum(len(s) + 1 for s in shown) + len(piece) > 1500:
            shown.append("…")
            break
        shown.append(piece)
    return " ".join(shown)


def card_buttons(run: Run) -> list[dict[str, Any]]:
    found = []
    if run.running and not run.stop_by and "stop" in run.can:
        found.append(button("Stop", "training:stop", run.run_id, style="danger"))
    if run.running and not run.stop_by and "checkpoint" in run.can:
        found.append(button("Checkpoint now", "training:checkpoint", run.run_id))
    if run.running and not run.stop_by and "lr" in run.can:
        found.append(button("LR × 0.5", "training:lr", run.run_id))
    if run.running:
        found.append(button("Unmute" if run.muted else "Mute", "training:mute", run.run_id))
    if run.history:
        found.append(button("Curves", "training:curves", run.run_id))
    found.append(button("Run page", "training:page", run.run_id))  # answers the presser with a link of their own
    return found


def alert_line(run: Run, job: dict[str, Any]) -> str:
    return parts.alert_line(run, job)
