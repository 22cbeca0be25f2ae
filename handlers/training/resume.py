"""A job restarted after preemption continuing its run: who may, and what continuing changes. Pure.

A run belongs to the job instance that created it (`ingest.reused`). A request of another
instance continues the run only if it presents the run's current instance as its resume token
(`run.resume`, which only the job that ran before knows: it was never shown to anyone) and
names the same owner. Then the new instance owns the run: the old one, if it still runs, is
refused from now on. A request with a wrong token, or none, is another job's and refused (409).

Continuing keeps the card, its history and its best values; the run is running again, and the
first epoch (or batch) the new job reports says where it went on from: epochs from there on are
dropped, to be reported again, so the curves show what the restarted job did.
"""

from __future__ import annotations

import hmac
from typing import Any

from handlers.training import reports
from handlers.training.metric_names import is_neutral
from handlers.training.model import Run
from handlers.training.wire import RunInfo

MAX_RESUMES = 20


def may_resume(run: Run, info: RunInfo) -> bool:
    if info.resume is None or run.instance is None or info.instance is None or info.owner != run.owner:
        return False
    return hmac.compare_digest(info.resume.encode(), run.instance.encode())


def resume_run(run: Run, info: RunInfo, now: float) -> bool:
    """Hand the run to the job of `info`; False if it may not (judged again on the stored run)."""
    if not may_resume(run, info):
        return False
    count = run.resumes[-1]["n"] + 1 if run.resumes else 1
    entry: dict[str, Any] = {"n": count, "at": now, "host": info.host, "pid": info.pid, "after": run.status,
                             "epoch": run.epochs_done, "went_on_at": None}
    run.resumes = [*run.resumes, entry][-MAX_RESUMES:]
    run.instance = info.instance
    run.last_seq = 0  # the new job numbers its events from 1
    run.status, run.finished_at, run.error, run.summary, run.interrupted = "running", None, None, None, False
    run.stale, run.stop_by, run.stop_epoch, run.diverged, run.since_best = False, None, None, None, 0
    run.alerted = []
    run.rewind = True
    for press in run.presses:
        if press["status"] in ("pending", "sent"):
            press["status"], press["detail"] = "failed", "the job restarted before it answered"
    run.version += 1
    return True


def rewind_to(run: Run, epoch: int, time: float) -> None:
    """The restarted job went on at `epoch`: what the run held from there on is dropped."""
    run.rewind = False
    if run.resumes:
        run.resumes[-1].update(epoch=epoch, went_on_at=time)
    if not any(h["epoch"] >= epoch for h in run.history):
        return
    run.history = [h for h in run.history if h["epoch"] < epoch]
    run.epochs_done = min(run.epochs_done, epoch)
    run.best = {}
    for record in run.history:
        for name, value in record["metrics"].items():
            if not isinstance(value, float) or (is_neutral(name) and name != run.watch):
                continue
            best = run.best.get(name)
            if best is None or reports.better(run, name, value, best["value"]):
                run.best[name] = {"value": value, "epoch": record["epoch"]}
    if run.last_best is not None and run.last_best["epoch"] >= epoch:
        run.last_best = None
    run.version += 1
