"""Protocol 2's and 3's additions to an ingest request: the run's job fields and the new event types."""

from __future__ import annotations

import re
from typing import Any

from handlers.training.fields import (
    Malformed,
    _compact,
    _ids,
    _int,
    _metric,
    _nesting,
    _number,
    _object,
    _only,
    _optional_int,
    _optional_number,
    _text,
)

MAX_GPUS = 16
MAX_CONFIG_TEXT = 4000
MAX_CONFIG_DEPTH = 10
KINDS = ("training", "task")
CONTROLS = ("stop", "checkpoint", "lr")
CONTROL_STATUSES = ("applied", "failed", "received")
RUN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

V2_RUN_FIELDS = ("kind", "instance", "host", "pid", "process", "git", "framework", "watch", "mode", "patience",
                 "controls", "resume", "ping_after", "tags")
MAX_PING_AFTER = 30 * 86400.0
MAX_TAGS = 10
TAG = re.compile(r"[A-Za-z0-9._:/-]{1,40}")


def _run_v2(run: dict[str, Any], protocol: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = run.get("kind", "training")
    if kind not in KINDS:
        raise Malformed(f"run.kind must be one of {', '.join(KINDS)}")
    out["kind"] = kind
    instance = _optional_text(run, "instance", 64)
    if instance is not None and not RUN_ID.match(instance):
        raise Malformed("run.instance must be 8-64 letters, digits, '-' or '_'")
    out["instance"] = instance
    resume = _optional_text(run, "resume", 64)
    if resume is not None and not RUN_ID.match(resume):
        raise Malformed("run.resume must be 8-64 letters, digits, '-' or '_' (an earlier job's instance)")
    out["resume"] = resume
    if "ping_after" in run:
        ping_after = run["ping_after"]
        out["ping_after"] = None if ping_after is None else min(_number(ping_after, "run.ping_after", low=0),
                                                                  MAX_PING_AFTER)
    for name, limit in (("host", 200), ("process", 200), ("framework", 100), ("watch", 100)):
        out[name] = _optional_text(run, name, limit)
    out["pid"] = None if run.get("pid") is None else _int(run["pid"], "run.pid", low=0, high=2**31)
    mode = run.get("mode")
    if mode not in (None, "min", "max"):
        raise Malformed("run.mode must be null, \"min\" or \"max\"")
    out["mode"] = mode
    patience = run.get("patience")
    out["patience"] = None if patience is None else _int(patience, "run.patience", low=1, high=100_000)
    out["git"] = _git(run.get("git"))
    controls = run.get("controls", ["stop"])
    if not isinstance(controls, list) or any(c not in CONTROLS for c in controls):
        raise Malformed(f"run.controls must be a list of {', '.join(CONTROLS)}")
    # Before version 3 every job could stop; from 3 on a job says so (a @notify task cannot).
    out["controls"] = tuple(c for c in CONTROLS if c in controls or (c == "stop" and protocol < 3))
    out["tags"] = _tags(run.get("tags", []))
    return out


def _tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_TAGS or not all(
            isinstance(tag, str) and TAG.fullmatch(tag) for tag in value):
        raise Malformed(f"run.tags must be a list of at most {MAX_TAGS} tags, each 1-40 letters, digits or . _ - : /")
    return tuple(dict.fromkeys(value))


def _git(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    git = _object(value, "run.git")
    _only(git, "run.git", {"commit", "branch"})
    commit = _text(git.get("commit"), "run.git.commit", 64)
    if not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        raise Malformed("run.git.commit must be a hex commit id")
    branch = git.get("branch")
    return {"commit": commit, "branch": None if branch is None else _text(branch, "run.git.branch", 200)}


def _optional_text(obj: dict[str, Any], name: str, limit: int) -> str | None:
    value = obj.get(name)
    return None if value is None else _text(value, f"run.{name}", limit)


def _system(event: dict[str, Any], where: str, common: set[str]) -> dict[str, Any]:
    figures = ("cpu_percent", "process_cpu_percent", "ram_used_mb", "ram_total_mb", "process_rss_mb")
    _only(event, where, common | {"source", "gpus", *figures})
    source = event.get("source", "none")
    if source not in ("nvml", "nvidia-smi", "none"):
        raise Malformed(f"{where}.source must be nvml, nvidia-smi or none")
    gpus = event.get("gpus", [])
    if not isinstance(gpus, list) or len(gpus) > MAX_GPUS:
        raise Malformed(f"{where}.gpus must be a list of at most {MAX_GPUS} GPUs")
    out: dict[str, Any] = {"source": source, "gpus": [_gpu(gpu, f"{where}.gpus[{i}]") for i, gpu in enumerate(gpus)]}
    for name in figures:
        out[name] = _optional_number(event.get(name), f"{where}.{name}")
    return out


def _gpu(value: Any, where: str) -> dict[str, Any]:
    gpu = _object(value, where)
    _only(gpu, where, {"index", "name", "util_percent", "mem_used_mb", "mem_total_mb"})
    return {"index": _int(gpu.get("index"), f"{where}.index", low=0, high=1024),
            "name": _text(gpu.get("name", "GPU"), f"{where}.name", 100, empty=True),
            "util_percent": _optional_number(gpu.get("util_percent"), f"{where}.util_percent"),
            "mem_used_mb": _number(gpu.get("mem_used_mb"), f"{where}.mem_used_mb", low=0),
            "mem_total_mb": _number(gpu.get("mem_total_mb"), f"{where}.mem_total_mb", low=0)}


def _checkpoint(event: dict[str, Any], where: str, common: set[str]) -> dict[str, Any]:
    _only(event, where, common | {"path", "score", "monitor", "best", "best_path", "best_score", "epoch", "step",
                                  "controls"})
    best = event.get("best")
    if best is not None and not isinstance(best, bool):
        raise Malformed(f"{where}.best must be true, false or null")
    best_path = event.get("best_path")
    monitor = event.get("monitor")
    return {"path": _text(event.get("path"), f"{where}.path", 500), "best": best,
            "score": _metric(event.get("score"), f"{where}.score"),
            "monitor": None if monitor is None else _text(monitor, f"{where}.monitor", 100),
            "best_path": None if best_path is None else _text(best_path, f"{where}.best_path", 500),
            "best_score": _metric(event.get("best_score"), f"{where}.best_score"),
            "epoch": _optional_int(event.get("epoch"), f"{where}.epoch"),
            "step": _optional_int(event.get("step"), f"{where}.step"),
            "controls": _ids(event.get("controls", []), f"{where}.controls")}


def _config(event: dict[str, Any], where: str, common: set[str]) -> dict[str, Any]:
    _only(event, where, common | {"changes", "control"})
    changes = _object(event.get("changes"), f"{where}.changes")
    _nesting(changes, f"{where}.changes", MAX_CONFIG_DEPTH)
    if len(_compact(changes)) > MAX_CONFIG_TEXT:
        raise Malformed(f"{where}.changes is too big (at most {MAX_CONFIG_TEXT} characters as JSON)")
    control = event.get("control")
    return {"changes": changes, "control": None if control is None else _text(control, f"{where}.control", 64)}


def _control(event: dict[str, Any], where: str, common: set[str]) -> dict[str, Any]:
    _only(event, where, common | {"id", "kind", "status", "detail"})
    if event.get("kind") not in CONTROLS:
        raise Malformed(f"{where}.kind must be one of {', '.join(CONTROLS)}")
    if event.get("status") not in CONTROL_STATUSES:
        raise Malformed(f"{where}.status must be one of {', '.join(CONTROL_STATUSES)}")
    return {"id": _text(event.get("id"), f"{where}.id", 64), "kind": event["kind"], "status": event["status"],
            "detail": _text(event.get("detail", ""), f"{where}.detail", 300, empty=True)}


V2_EVENTS = {"system": _system, "checkpoint": _checkpoint, "config": _config, "control": _control}
