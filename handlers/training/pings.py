"""The one message that mentions a run's owner when the run ends: when it fails, when it is
preempted, and when it completes after running at least `ping_after` seconds (the job's choice;
five minutes unless it says otherwise). Pure: it decides and words; the follower posts it in the
card's thread, where a mention notifies the owner (an edited card notifies nobody).

Each end of each start of a run is said once (a resumed run that fails again is said again).
Mute silences the completion ping, never a failure or a preemption. A run stopped on purpose
(Stop on the card, Ctrl-C at the job) pings nobody: whoever stopped it knows.
"""

from __future__ import annotations

from bot.pure import escape, truncate
from handlers.training.card_parts import duration, number
from handlers.training.metric_names import is_neutral
from handlers.training.model import Run
from handlers.training.reports import better

MAX_FIGURES = 4
ICONS = {"failed": "❌", "preempted": "⏸️", "completed": "✅", "stopped": "⏹️"}


def start_number(run: Run) -> int:
    return int(run.resumes[-1]["n"]) if run.resumes else 0


def due(run: Run) -> str | None:
    """How the run ended, if that is worth a ping; None otherwise."""
    if run.owner is None or run.running:
        return None
    if run.status in ("failed", "preempted"):
        return run.status
    if run.status == "stopped" and (run.stop_by or run.interrupted):
        return None
    # Completed, or stopped by the training code itself (early stopping): the run's normal end.
    took = took_seconds(run)
    if run.muted or run.ping_after is None or took is None or took < run.ping_after:
        return None
    return run.status


def queue(run: Run) -> None:
    """Add the ping job if the run's end is worth one and was not told yet."""
    end = due(run)
    if end is None:
        return
    key = f"{end}-{start_number(run)}"
    if key in run.pinged:
        return
    run.pinged = [*run.pinged, key][-20:]
    run.jobs.append({"id": f"ping-{key}", "kind": "ping", "end": end})


def took_seconds(run: Run) -> float | None:
    if run.started_at is None or run.finished_at is None:
        return None
    return max(0.0, run.finished_at - run.started_at)


def ping_text(run: Run) -> str:
    """`<@owner> *name* failed after 12m 03s at epoch 7/10: ValueError: … · val_loss 0.31 (best …)`."""
    name = escape(truncate(run.name, 80))
    took = took_seconds(run)
    after = f" after {duration(took)}" if took is not None else ""
    where = ""
    if run.kind != "task" or run.history:
        of = f"/{run.total_epochs}" if run.total_epochs else ""
        where = f" at epoch {run.epochs_done}{of}"
    lead = f"{ICONS.get(run.status, '⚠️')} <@{run.owner}> *{name}*"
    if run.status == "failed":
        error = run.error or {}
        kind = escape(truncate(error.get("type", "error"), 80))
        message = escape(truncate(error.get("message", ""), 300))
        text = f"{lead} failed{after}{where}" + (f": *{kind}*: {message}" if run.error else "")
    elif run.status == "preempted":
        text = f"{lead} was preempted{after}{where}: the job got SIGTERM."
        if run.checkpoints:
            text += f" Last checkpoint: `{escape(truncate(run.checkpoints[-1]['path'], 200))}`."
        text += " Start it again with its resume file (or token) to continue this card."
    elif run.status == "stopped":
        text = f"{lead} stopped by the training code{after}{where}."
    else:
        text = f"{lead} completed{' in ' + duration(took) if took is not None else ''}{where}."
    figures = final_figures(run)
    if figures:
        text += "\n" + figures
    if run.kind == "task" and run.summary:
        result = escape(truncate(run.summary.replace("`", "'"), 300))
        text += f"\nResult: `{result}`"
    return text


def final_figures(run: Run) -> str:
    """The watched metric with its best, then a few other scores, as the last epoch left them."""
    latest = run.latest
    shown: list[str] = []
    names = [run.watch] if run.watch in latest else []
    names += [n for n in latest if n != run.watch and not is_neutral(n)]
    for metric in names[:MAX_FIGURES]:
        value = latest[metric]
        text = f"{escape(truncate(metric, 40))} {number(value)}"
        best = run.best.get(metric)
        if best is not None and isinstance(value, float) and best["epoch"] + 1 != run.epochs_done \
                and better(run, metric, best["value"], value):
            text += f" (best {number(best['value'])} at epoch {best['epoch'] + 1})"
        shown.append(text)
    return " · ".join(shown)
