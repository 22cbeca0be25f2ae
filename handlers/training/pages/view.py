"""What a run's page shows besides its curves, as JSON for the page's script. Pure.

Everything here is the run as the store keeps it, written as text the page inserts as text
(never as HTML): names, settings and paths come from the training job or from members.
"""

from __future__ import annotations

from typing import Any

from handlers.training import card_parts as parts
from handlers.training.model import Run
from handlers.training.pages.curves import machine_charts, metric_charts

PRESSED = {"stop": "Stop", "checkpoint": "Checkpoint now", "lr": "LR × 0.5"}


def members_named(run: Run) -> set[str]:
    """The member IDs the page names (the owner, who pressed, who muted), to look up first."""
    found = {p["by"] for p in run.presses} | {c["by"] for c in run.config_changes if c.get("by")}
    return {m for m in (*found, run.owner, run.muted_by, run.stop_by) if m}


def status_of(run: Run) -> str:
    return run.status + (" (stale)" if run.stale else "")


def run_view(run: Run, steps: list[dict[str, Any]], machine: list[dict[str, Any]],
             names: dict[str, str]) -> dict[str, Any]:
    def name(member: str | None) -> str | None:
        return None if member is None else names.get(member, member)

    return {
        "version": run.version,
        "running": run.running,
        "summary": summary(run, name),
        "curves": metric_charts(run, steps),
        "machine": machine_charts(machine),
        "config": config_rows(run),
        "checkpoints": [{**c, "time": c.get("time")} for c in reversed(run.checkpoints)],
        "best_checkpoint": run.best_checkpoint,
        "events": events(run, name),
    }


def summary(run: Run, name: Any) -> dict[str, Any]:
    of = f"/{run.total_epochs}" if run.total_epochs else ""
    rows = [("status", status_of(run)), ("owner", name(run.owner) or "not given"),
            ("epoch", f"{run.epochs_done}{of}"), ("framework", run.framework), ("where", where(run)),
            ("started", run.started_at),
            ("took", parts.duration(run.finished_at - run.started_at)
             if run.finished_at is not None and run.started_at is not None else None),
            ("best", best(run)),
            ("tags", ", ".join(run.tags) or None), ("result", run.summary)]
    return {"name": run.name, "run_id": run.run_id, "status": run.status, "card": run.card_link,
            "rows": [[label, value] for label, value in rows if value], "times": ["started"]}


def where(run: Run) -> str | None:
    said = [run.host, f"PID {run.pid}" if run.pid is not None else None, run.process,
            f"git {run.git['commit'][:10]}" + (f" ({run.git['branch']})" if run.git.get("branch") else "")
            if run.git else None]
    return " · ".join(s for s in said if s) or None


def best(run: Run) -> str | None:
    found = run.best.get(run.watch) if run.watch else None
    if found is None:
        return None
    return f"{run.watch} {parts.number(found['value'])} at epoch {found['epoch'] + 1}"


def config_rows(run: Run) -> list[list[Any]]:
    """[setting, value it started with, value now (when the buttons changed it)]."""
    started = run.start_config if run.start_config is not None else run.config
    rows = []
    for key in dict.fromkeys([*started, *run.config]):
        before, now = started.get(key), run.config.get(key)
        rows.append([key, parts.value_text(before), parts.value_text(now) if now != before else ""])
    return rows


def events(run: Run, name: Any) -> list[dict[str, Any]]:
    """The presses, the settings changed, the alerts, resumes and the end, oldest first."""
    found: list[dict[str, Any]] = []
    for press in run.presses:
        detail = f": {press['detail']}" if press.get("detail") else ""
        found.append({"time": press["at"], "kind": "press",
                      "text": f"{name(press['by'])} pressed {PRESSED.get(press['kind'], press['kind'])} "
                              f"({press['status']}{detail})"})
    for change in run.config_changes:
        said = ", ".join(f"{k}={parts.value_text(v)}" for k, v in change["changes"].items())
        by = f" after {name(change['by'])}'s press" if change.get("by") else ""
        found.append({"time": change["time"], "kind": "config", "text": f"settings changed{by}: {said}"})
    for alert in run.alerts_said:
        found.append({"time": alert.get("time"), "kind": "alert", "text": alert["text"]})
    for resume in run.resumes:
        found.append({"time": resume.get("at"), "kind": "resume",
                      "text": f"resumed from epoch {resume.get('epoch')} on {resume.get('host') or 'another job'}"})
    if run.muted:
        found.append({"time": None, "kind": "mute", "text": f"muted by {name(run.muted_by) or 'someone'}"})
    if run.error:
        found.append({"time": run.finished_at, "kind": "error",
                      "text": f"{run.error.get('type', 'error')}: {run.error.get('message', '')}"})
    if not run.running:
        found.append({"time": run.finished_at, "kind": "end", "text": f"the run ended: {status_of(run)}"})
    return sorted(found, key=lambda e: (e["time"] is None, e["time"] or 0.0))
