"""The run card's protocol 2 lines: the machine, checkpoints, config changes, button presses,
what went wrong on the way, a task's result, and the alert lines for the thread. Pure functions.

Everything the job named (paths, host, metric names, messages) is escaped where it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.pure import escape, slack_date, truncate
from handlers.training.model import Run
from handlers.training.reports import CONTROL_WORDS

Names = Callable[[str], str]
PROBLEM_WORDS = {
    "not_numbers": "{count} metric values were not numbers (left out)",
    "too_many_metrics": "{count} metric values were left out: more than 50 metric names",
    "predictions_mismatch": "{count} predictions calls had images and labels of different lengths (not sent)",
    "bad_owner": "the owner given is not a Slack user ID",
    "bad_channel": "the channel given is not a channel name or ID",
    "bad_run_id": "the run id given was malformed (a new one was made)",
    "config_too_big": "the config was too big (some keys left out)",
    "predict_failed": "predicting on the validation samples failed",
    "bad_resume": "the resume file or token could not be used (a new run was started)",
    "bad_tags": "some tags were left out (at most 10 words of 1-40 letters, digits or . _ - : /)",
}


NON_FINITE_TEXT = {"nan": "NaN", "inf": "inf", "-inf": "-inf"}


def number(value: float | str | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return NON_FINITE_TEXT.get(value, "?")
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:.4f}"


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def run_date(when: float) -> str:
    """A run's time as each reader's own clock shows it; a run stored before times were checked
    may hold one no calendar can show, said so."""
    return slack_date(when, unknown="at an unknown time")


def where_text(run: Run) -> str | None:
    """host · PID · process · git commit · framework, as far as the job said."""
    parts = []
    if run.host:
        parts.append(f"🖥️ `{escape(truncate(run.host, 60))}`")
    if run.pid is not None:
        parts.append(f"PID {run.pid}")
    if run.process:
        parts.append(f"`{escape(truncate(run.process, 60))}`")
    if run.git:
        branch = f" ({escape(truncate(run.git['branch'], 40))})" if run.git.get("branch") else ""
        parts.append(f"git `{run.git['commit'][:10]}`{branch}")
    if run.framework:
        parts.append(escape(truncate(run.framework, 60)))
    return " · ".join(parts) or None


def machine_text(run: Run) -> str | None:
    """Per-GPU utilisation and memory when the job has GPUs it can read, else CPU and RAM."""
    system = run.system
    if not system:
        return None
    gpus = system.get("gpus") or []
    if gpus:
        return " · ".join(gpu_text(gpu) for gpu in gpus[:8]) + (f" · and {len(gpus) - 8} more" if len(gpus) > 8 else "")
    parts = []
    if system.get("cpu_percent") is not None:
        parts.append(f"CPU {system['cpu_percent']:.0f} %")
    if system.get("process_cpu_percent") is not None:
        parts.append(f"job {system['process_cpu_percent']:.0f} % of a core")
    if system.get("ram_used_mb") is not None and system.get("ram_total_mb"):
        parts.append(f"RAM {system['ram_used_mb'] / 1024:.1f}/{system['ram_total_mb'] / 1024:.1f} GiB")
    if system.get("process_rss_mb") is not None:
        parts.append(f"job {system['process_rss_mb'] / 1024:.2f} GiB")
    return ("🧮 " + " · ".join(parts) + " · no GPU figures") if parts else None


def gpu_text(gpu: dict[str, Any]) -> str:
    used, total = gpu["mem_used_mb"], gpu["mem_total_mb"]
    util = "?" if gpu.get("util_percent") is None else f"{gpu['util_percent']:.0f} %"
    share = f" ({100 * used / total:.0f} %)" if total else ""
    warn = " ⚠️" if total and used / total > 0.95 else ""
    return (f"GPU {gpu['index']} {escape(truncate(gpu['name'], 30))}: {util} · "
            f"{used / 1024:.1f}/{total / 1024:.1f} GiB{share}{warn}")


def score_text(score: Any, monitor: str | None) -> str:
    if score is None:
        return ""
    shown = f"{score:.4g}" if isinstance(score, float) else str(score)
    return f" ({escape(truncate(monitor, 40)) + ' ' if monitor else ''}{shown})"


def checkpoints_text(run: Run) -> str | None:
    if not run.checkpoints and not run.best_checkpoint:
        return None
    parts = []
    if run.best_checkpoint:
        best = run.best_checkpoint
        parts.append(f"best `{escape(truncate(best['path'], 120))}`{score_text(best['score'], best['monitor'])}")
    if run.checkpoints:
        latest = run.checkpoints[-1]
        if not run.best_checkpoint or latest["path"] != run.best_checkpoint["path"]:
            parts.append(f"latest `{escape(truncate(latest['path'], 120))}`")
        parts.append(f"{len(run.checkpoints)} saved" if len(run.checkpoints) > 1 else "1 saved")
    return "💾 Checkpoints: " + " · ".join(parts)


def changes_text(run: Run, names: Names) -> str | None:
    if not run.config_changes:
        return None
    lines = []
    for change in run.config_changes[-3:]:
        pairs = ", ".join(f"{escape(truncate(str(k), 30))}={escape(truncate(value_text(v), 40))}"
                          for k, v in change["changes"].items())
        why = f" ({CONTROL_WORDS.get(change['kind'] or '', 'a press')} by {escape(names(change['by']))})" \
            if change.get("by") else ""
        lines.append(f"`{pairs}`{why} {run_date(change['time'])}")
    return "🔧 Config changed: " + " · ".join(lines)


def value_text(value: Any) -> str:
    """A config value as a person would write it: floats to 6 significant digits (0.001375, not
    0.0013750000000000001), also inside lists and objects."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def best_text(run: Run) -> str:
    """The latest new best of the watched metric, drawn on the card instead of a message per epoch."""
    best = run.last_best or {}
    times = f" · {run.improvements} improvements" if run.improvements > 1 else ""
    return (f"📈 New best *{escape(truncate(best['metric'], 60))}*: {number(best['value'])} at epoch "
            f"{best['epoch'] + 1} (was {number(best['was'])}){times}")


def presses_text(run: Run, names: Names) -> str | None:
    if not run.presses:
        return None
    words = {"pending": "waiting for the job", "sent": "sent", "applied": "done", "failed": "failed",
             "received": "received"}
    lines = []
    for entry in run.presses[-5:]:
        detail = f": {escape(truncate(entry['detail'], 120))}" if entry.get("detail") else ""
        lines.append(f"*{CONTROL_WORDS[entry['kind']]}* by {escape(names(entry['by']))} {run_date(entry['at'])} "
                     f"· {words.get(entry['status'], entry['status'])}{detail}")
    return "👆 " + "\n".join(lines)


def trouble_text(run: Run) -> str | None:
    """What the job could not send as given, and what Sloth noticed: said here so the owner sees it."""
    lines = [PROBLEM_WORDS.get(kind, escape(truncate(entry["message"], 120))).format(count=entry["count"])
             for kind, entry in run.problems.items() if kind != "bug"]
    lines += [escape(truncate(text, 200)) for text in run.notices]
    return ("⚠️ " + "; ".join(lines)) if lines else None


def task_text(run: Run) -> str | None:
    if run.kind != "task":
        return None
    if run.summary:
        shown = escape(truncate(run.summary.replace("`", "'"), 400))
        return f"Result: `{shown}`"
    return None


def traceback_text(run: Run) -> str | None:
    lines: list[str] = (run.error or {}).get("traceback") or []
    if not lines:
        return None
    text = "\n".join(lines[-12:]).replace("`", "'")
    return "```" + escape(truncate(text, 2500)) + "```"


def alert_line(run: Run, job: dict[str, Any]) -> str:
    icons = {"diverged": "🔥", "plateau": "📉", "stale": "⏸️", "gpu_memory": "🧯"}
    who = f"<@{run.owner}> " if run.owner else ""
    return f"{icons.get(job['alert'], '⚠️')} {who}*{escape(truncate(run.name, 80))}*: {escape(job['text'])}"


def diverged_words(run: Run) -> str | None:
    if run.diverged is None:
        return None
    step = f", step {run.diverged['step'] + 1}" if run.diverged.get("step") is not None else ""
    return f"*diverged at epoch {run.diverged['epoch'] + 1}{step}*"
