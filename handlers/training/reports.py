"""What protocol 2 adds to a run: the job's machine and settings, checkpoints, config changes,
button presses and their answers, and the alerts for the card's thread. Pure: no Slack, no I/O.

Alerts go to the card's thread as jobs, at most once per run and kind: a loss that turned NaN or
infinite, no improvement of the watched metric for `patience` epochs, a job silent past the stale
limit, a GPU's memory above 95 %. Mute silences all but the NaN alert (`CRITICAL`): the owner
hears of a diverged run whoever muted it.
"""

from __future__ import annotations

from typing import Any

from handlers.training.fields import NON_FINITE
from handlers.training.model import Run, lower_is_better
from handlers.training.wire import RunInfo

MAX_CHECKPOINTS = 5
MAX_CHANGES = 10
MAX_PRESSES = 20
GPU_MEMORY_ALERT = 0.95
CONTROL_WORDS = {"stop": "Stop", "checkpoint": "Checkpoint now", "lr": "LR × 0.5"}
LR_FACTOR = 0.5
EVENTS = ("system", "checkpoint", "config", "control")
CRITICAL = ("diverged",)  # alerts Mute never silences


def take_info(run: Run, info: RunInfo) -> None:
    """The run fields of a request: where the job runs, its alert settings, what it can do."""
    before = (run.host, run.pid, run.process, run.git, run.framework, run.can, run.watch, run.mode, run.patience)
    run.kind = info.kind  # the instance is the creating job's for good (see ingest.reused)
    run.host, run.pid, run.process, run.git, run.framework = info.host, info.pid, info.process, info.git, info.framework
    run.can = list(info.controls)
    run.watch = info.watch or run.watch
    run.mode, run.patience = info.mode, info.patience
    run.ping_after = info.ping_after
    run.tags = list(info.tags)
    after = (run.host, run.pid, run.process, run.git, run.framework, run.can, run.watch, run.mode, run.patience)
    if after != before:
        run.version += 1


def better(run: Run, metric: str, value: float, best: float) -> bool:
    mode = run.mode if metric == run.watch and run.mode else ("min" if lower_is_better(metric) else "max")
    return value < best if mode == "min" else value > best


def apply(run: Run, event: dict[str, Any]) -> None:
    """A protocol 2 event: system, checkpoint, config or control."""
    kind = event["type"]
    if kind == "system":
        run.system = {k: v for k, v in event.items() if k not in ("type", "seq")}
        check_gpu_memory(run)
    elif kind == "checkpoint":
        record_checkpoint(run, event)
    elif kind == "config":
        change_config(run, event["changes"], event["control"], event["time"])
    elif kind == "control":
        answer_press(run, event["id"], event["status"], event["detail"])


def record_checkpoint(run: Run, event: dict[str, Any]) -> None:
    saved = {k: event[k] for k in ("path", "score", "monitor", "best", "epoch", "step", "time")}
    run.checkpoints = [*run.checkpoints, saved][-MAX_CHECKPOINTS:]
    if event["best_path"]:
        run.best_checkpoint = {"path": event["best_path"], "score": event["best_score"], "monitor": event["monitor"]}
    elif event["best"]:
        run.best_checkpoint = {"path": event["path"], "score": event["score"], "monitor": event["monitor"]}
    for control in event["controls"]:
        answer_press(run, control, "applied", f"saved {event['path']}")


def change_config(run: Run, changes: dict[str, Any], control: str | None, time: float) -> None:
    run.config = {**run.config, **changes}
    press = next((p for p in run.presses if p["id"] == control), None)
    entry = {"time": time, "changes": changes, "by": press["by"] if press else None,
             "kind": press["kind"] if press else None}
    run.config_changes = [*run.config_changes, entry][-MAX_CHANGES:]


def press(run: Run, kind: str, user: str, now: float) -> dict[str, Any]:
    """Record a button press; checkpoint and lr presses wait for the job to answer."""
    entry: dict[str, Any] = {"id": f"{kind}-{len(run.presses) + 1}-{int(now)}", "kind": kind, "by": user, "at": now,
                             "status": "pending" if kind != "stop" else "sent", "detail": ""}
    if kind == "lr":
        entry["factor"] = LR_FACTOR
    run.presses = [*run.presses, entry][-MAX_PRESSES:]
    run.version += 1
    return entry


def answer_press(run: Run, control_id: str, status: str, detail: str) -> None:
    for entry in run.presses:
        if entry["id"] == control_id and entry["status"] in ("pending", "sent"):
            entry["status"], entry["detail"] = status, detail


def close_presses(run: Run) -> None:
    """The run ended: a Stop the job never acknowledged did its work all the same; any other press
    still waiting never will be answered."""
    for entry in run.presses:
        if entry["status"] == "sent":
            entry["status"] = "applied"
            entry["detail"] = "the job stopped" if run.status == "stopped" else f"the run ended ({run.status})"
        elif entry["status"] == "pending":
            entry["status"], entry["detail"] = "failed", f"the run ended ({run.status}) before the job answered"


def pending_controls(run: Run, names: Any) -> list[dict[str, Any]]:
    """The presses the job has not answered yet, for the ingest answer (a Stop until the job says
    it saw it: `stop` in the answer already tells older clients)."""
    found = []
    for entry in run.presses:
        if entry["status"] in ("pending", "sent") and run.running:
            control = {"id": entry["id"], "kind": entry["kind"], "by": names(entry["by"])}
            found.append({**control, "factor": entry["factor"]} if "factor" in entry else control)
    return found


def waiting(run: Run, kind: str) -> bool:
    return any(p["kind"] == kind and p["status"] == "pending" for p in run.presses)


# ---- alerts --------------------------------------------------------------------------------

def alert(run: Run, kind: str, text: str) -> bool:
    """Queue one alert for the card's thread; False if this kind was said already, or the run is
    muted and the alert is not critical."""
    if kind in run.alerted or (run.muted and kind not in CRITICAL):
        return False
    run.alerted.append(kind)
    run.alerts_said.append({"kind": kind, "text": text.replace("*", ""), "time": run.last_event_at})
    run.jobs.append({"id": f"alert-{kind}", "kind": "alert", "alert": kind, "text": text})
    return True


def check_divergence(run: Run, metrics: dict[str, Any], epoch: int, step: int | None) -> None:
    """A loss that became NaN or infinite: the card turns red and the owner hears of it once."""
    if run.diverged is not None:
        return
    bad = next((name for name, value in metrics.items() if value in NON_FINITE and "loss" in name.lower()), None)
    if bad is None:
        return
    run.diverged = {"epoch": epoch, "step": step, "metric": bad, "value": metrics[bad]}
    where = f"epoch {epoch + 1}" + (f", step {step + 1}" if step is not None else "")
    alert(run, "diverged", f"*{bad}* is {metrics[bad]}: diverged at {where}.")


def after_epoch(run: Run, improved: bool) -> None:
    """Count epochs without improvement of the watched metric; alert once past `patience`."""
    if run.watch is None:
        return
    run.since_best = 0 if improved else run.since_best + 1
    if run.patience and run.since_best >= run.patience:
        best = run.best.get(run.watch)
        was = f" (best {best['value']:.4g} at epoch {best['epoch'] + 1})" if best else ""
        alert(run, "plateau", f"No improvement in *{run.watch}* for {run.since_best} epochs{was}.")


def check_gpu_memory(run: Run) -> None:
    for gpu in (run.system or {}).get("gpus", []):
        total = gpu["mem_total_mb"]
        if total and gpu["mem_used_mb"] / total > GPU_MEMORY_ALERT:
            alert(run, "gpu_memory", f"GPU {gpu['index']} ({gpu['name']}) memory is at "
                  f"{100 * gpu['mem_used_mb'] / total:.0f} % ({gpu['mem_used_mb'] / 1024:.1f} of "
                  f"{total / 1024:.1f} GiB).")
            return


def stale_alert(run: Run, minutes: float) -> None:
    shown = f"{minutes:.0f}" if minutes >= 1 else f"{minutes * 60:.0f}"
    unit = ("minute" if minutes >= 1 else "second") + ("" if shown == "1" else "s")
    alert(run, "stale", f"The job has not reported for {shown} {unit}: it may have died or lost "
          "its connection to Sloth.")
