"""Reading an ingest request: every field of protocol version 2 (monitor/PROTOCOL.md) checked.

Version 1 requests (no `protocol` field) are a subset and read the same way.

Pure functions. Anything wrong raises `Malformed` with a reason the training side can read;
nothing partially valid is applied. Text that will be shown in Slack is checked for type and
length here and escaped later, where it is drawn.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_BODY = 1024 * 1024  # bytes; a predictions event with 16 images of 64x64 fits with room to spare
MAX_EVENTS = 200
MAX_METRICS = 50
MAX_NAME = 200
MAX_CONFIG_TEXT = 4000
MAX_PREDICTIONS = 16
MAX_IMAGE_SIDE = 64
MAX_CLASSES = 1000
MAX_PNG_BYTES = 256 * 1024
MAX_GPUS = 16
MAX_TRACEBACK = 20
MAX_PROBLEMS = 20
STATUSES = ("completed", "stopped", "failed")
EVENT_TYPES = ("start", "batch", "epoch", "predictions", "finish", "system", "checkpoint", "config", "control")
KINDS = ("training", "task")
CONTROLS = ("stop", "checkpoint", "lr")
CONTROL_STATUSES = ("applied", "failed", "received")
NON_FINITE = ("nan", "inf", "-inf")  # protocol 2's metric values for NaN and infinities
Metric = float | str | None

RUN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
CHANNEL = re.compile(r"^(#?[a-z0-9][a-z0-9._\-]{0,79}|[CGD][A-Z0-9]{2,20})$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Malformed(ValueError):
    """The request does not follow the protocol; the message says where."""


@dataclass(frozen=True)
class RunInfo:
    name: str
    channel: str
    owner: str | None
    total_epochs: int | None
    config: dict[str, Any]
    kind: str = "training"
    instance: str | None = None
    host: str | None = None
    pid: int | None = None
    process: str | None = None
    git: dict[str, Any] | None = None
    framework: str | None = None
    watch: str | None = None
    mode: str | None = None
    patience: int | None = None
    controls: tuple[str, ...] = ("stop",)


@dataclass(frozen=True)
class Batch:
    run: RunInfo
    events: list[dict[str, Any]]  # validated and sorted by seq
    dropped: int
    protocol: int = 1
    problems: dict[str, dict[str, Any]] | None = None  # None: the client did not say (version 1)


def check_run_id(run_id: str) -> str:
    if not RUN_ID.match(run_id):
        raise Malformed("run_id in the path must be 8-64 letters, digits, '-' or '_'")
    return run_id


def parse_batch(body: Any) -> Batch:
    obj = _object(body, "body")
    _only(obj, "body", {"protocol", "run", "events", "dropped", "problems"})
    protocol = _int(obj.get("protocol", 1), "protocol", low=1, high=2)
    run = parse_run(obj.get("run"))
    events = obj.get("events")
    if not isinstance(events, list):
        raise Malformed("events must be a list")
    if len(events) > MAX_EVENTS:
        raise Malformed(f"at most {MAX_EVENTS} events per request")
    parsed = [parse_event(event, f"events[{i}]") for i, event in enumerate(events)]
    seqs = [e["seq"] for e in parsed]
    if len(set(seqs)) != len(seqs):
        raise Malformed("two events have the same seq")
    dropped = _int(obj.get("dropped", 0), "dropped", low=0)
    problems = None if "problems" not in obj else _problems(obj["problems"])
    return Batch(run, sorted(parsed, key=lambda e: e["seq"]), dropped, protocol, problems)


def _problems(value: Any) -> dict[str, dict[str, Any]]:
    problems = _object(value, "problems")
    if len(problems) > MAX_PROBLEMS:
        raise Malformed(f"problems: at most {MAX_PROBLEMS} kinds")
    out = {}
    for kind, entry in problems.items():
        where = f"problems.{str(kind)[:40]}"
        _text(kind, "problems kind", 40)
        item = _object(entry, where)
        _only(item, where, {"count", "message"})
        out[kind] = {"count": _int(item.get("count"), f"{where}.count", low=1),
                     "message": _text(item.get("message", ""), f"{where}.message", 300, empty=True)}
    return out


def parse_run(value: Any) -> RunInfo:
    run = _object(value, "run")
    _only(run, "run", {"name", "channel", "owner", "total_epochs", "config", *V2_RUN_FIELDS})
    name = _text(run.get("name"), "run.name", MAX_NAME)
    channel = _text(run.get("channel"), "run.channel", 90)
    if not CHANNEL.match(channel):
        raise Malformed("run.channel must be a channel name like #ml or an ID like C0123ABC")
    owner = run.get("owner")
    if owner is not None and (not isinstance(owner, str) or not USER_ID.match(owner)):
        raise Malformed("run.owner must be null or a Slack user ID like U012AB3CD")
    total = run.get("total_epochs")
    total_epochs = None if total is None else _int(total, "run.total_epochs", low=1, high=1_000_000)
    config = _object(run.get("config", {}), "run.config")
    if len(_compact(config)) > MAX_CONFIG_TEXT:
        raise Malformed(f"run.config is too big (at most {MAX_CONFIG_TEXT} characters as JSON)")
    return RunInfo(name, channel, owner, total_epochs, config, **_run_v2(run))


V2_RUN_FIELDS = ("kind", "instance", "host", "pid", "process", "git", "framework", "watch", "mode", "patience",
                 "controls")


def _run_v2(run: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kind = run.get("kind", "training")
    if kind not in KINDS:
        raise Malformed(f"run.kind must be one of {', '.join(KINDS)}")
    out["kind"] = kind
    instance = _optional_text(run, "instance", 64)
    if instance is not None and not RUN_ID.match(instance):
        raise Malformed("run.instance must be 8-64 letters, digits, '-' or '_'")
    out["instance"] = instance
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
    out["controls"] = tuple(c for c in CONTROLS if c in controls or c == "stop")
    return out


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


def parse_event(value: Any, where: str) -> dict[str, Any]:
    event = _object(value, where)
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise Malformed(f"{where}.type must be one of {', '.join(EVENT_TYPES)}")
    out: dict[str, Any] = {
        "type": kind,
        "seq": _int(event.get("seq"), f"{where}.seq", low=1),
        "time": _number(event.get("time"), f"{where}.time", low=0),
    }
    common = {"type", "seq", "time"}
    if kind == "start":
        _only(event, where, common)
    elif kind == "batch":
        _only(event, where, common | {"epoch", "batch", "total_batches", "metrics"})
        out["epoch"] = _int(event.get("epoch"), f"{where}.epoch", low=0)
        out["batch"] = _int(event.get("batch"), f"{where}.batch", low=0)
        total = event.get("total_batches")
        out["total_batches"] = None if total is None else _int(total, f"{where}.total_batches", low=1)
        out["metrics"] = _metrics(event.get("metrics"), f"{where}.metrics")
    elif kind == "epoch":
        _only(event, where, common | {"epoch", "metrics"})
        out["epoch"] = _int(event.get("epoch"), f"{where}.epoch", low=0, high=10_000_000)
        out["metrics"] = _metrics(event.get("metrics"), f"{where}.metrics")
    elif kind == "predictions":
        _only(event, where, common | {"y_true", "y_pred", "class_names", "images", "png_b64"})
        out.update(_predictions(event, where))
    elif kind == "finish":
        _only(event, where, common | {"status", "error", "summary"})
        if event.get("status") not in STATUSES:
            raise Malformed(f"{where}.status must be one of {', '.join(STATUSES)}")
        out["status"] = event["status"]
        out["error"] = _error(event.get("error"), f"{where}.error")
        summary = event.get("summary")
        out["summary"] = None if summary is None else _text(summary, f"{where}.summary", 2000, empty=True)
    else:
        out.update(V2_EVENTS[kind](event, where, common))
    return out


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


def _ids(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 20:
        raise Malformed(f"{where} must be a list of at most 20 ids")
    return [_text(item, f"{where}[{i}]", 64) for i, item in enumerate(value)]


def _optional_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where, low=0)


def _optional_number(value: Any, where: str) -> float | None:
    return None if value is None else _number(value, where, low=0)


def _predictions(event: dict[str, Any], where: str) -> dict[str, Any]:
    y_true = _labels(event.get("y_true"), f"{where}.y_true")
    y_pred = _labels(event.get("y_pred"), f"{where}.y_pred")
    if len(y_true) != len(y_pred):
        raise Malformed(f"{where}: y_true and y_pred must have the same length")
    names = event.get("class_names", [])
    if not isinstance(names, list) or len(names) > MAX_CLASSES:
        raise Malformed(f"{where}.class_names must be a list of at most {MAX_CLASSES} strings")
    class_names = [_text(n, f"{where}.class_names[{i}]", 100, empty=True) for i, n in enumerate(names)]
    has_images, has_png = "images" in event, "png_b64" in event
    if has_images == has_png:
        raise Malformed(f"{where} must have either images or png_b64")
    out: dict[str, Any] = {"y_true": y_true, "y_pred": y_pred, "class_names": class_names}
    if has_images:
        images = event["images"]
        if not isinstance(images, list) or len(images) != len(y_true):
            raise Malformed(f"{where}.images must be a list with one image per label")
        out["images"] = [_image(image, f"{where}.images[{i}]") for i, image in enumerate(images)]
    else:
        pngs = event["png_b64"]
        if not isinstance(pngs, list) or len(pngs) != len(y_true):
            raise Malformed(f"{where}.png_b64 must be a list with one PNG per label")
        for i, png in enumerate(pngs):
            _png(png, f"{where}.png_b64[{i}]")
        out["png_b64"] = pngs
    return out


def _labels(value: Any, where: str) -> list[int | str]:
    if not isinstance(value, list) or len(value) > MAX_PREDICTIONS:
        raise Malformed(f"{where} must be a list of at most {MAX_PREDICTIONS} labels")
    labels: list[int | str] = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise Malformed(f"{where}[{i}] must be an int or a string")
        labels.append(item if isinstance(item, int) else _text(item, f"{where}[{i}]", 100, empty=True))
    return labels


def _image(value: Any, where: str) -> list[list[float]]:
    if not isinstance(value, list) or len(value) > MAX_IMAGE_SIDE:
        raise Malformed(f"{where} must be a list of at most {MAX_IMAGE_SIDE} rows")
    width = len(value[0]) if value and isinstance(value[0], list) else 0
    for row in value:
        if not isinstance(row, list) or len(row) != width or not 0 < width <= MAX_IMAGE_SIDE:
            raise Malformed(f"{where} must have rows of one length, at most {MAX_IMAGE_SIDE}")
        for pixel in row:
            if isinstance(pixel, bool) or not isinstance(pixel, (int, float)) or not math.isfinite(pixel):
                raise Malformed(f"{where} must hold finite numbers")
    return value


def _png(value: Any, where: str) -> None:
    if not isinstance(value, str) or len(value) > MAX_PNG_BYTES * 4 // 3 + 4:
        raise Malformed(f"{where} must be a base64 PNG of at most {MAX_PNG_BYTES // 1024} KiB")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed(f"{where} is not valid base64") from None
    if not raw.startswith(PNG_SIGNATURE):
        raise Malformed(f"{where} is not a PNG image")


def _error(value: Any, where: str) -> dict[str, str] | None:
    if value is None:
        return None
    error = _object(value, where)
    _only(error, where, {"type", "message", "traceback"})
    out: dict[str, Any] = {"type": _text(error.get("type"), f"{where}.type", 200),
                           "message": _text(error.get("message"), f"{where}.message", 2000, empty=True)}
    if "traceback" in error:
        lines = error["traceback"]
        if not isinstance(lines, list) or len(lines) > MAX_TRACEBACK:
            raise Malformed(f"{where}.traceback must be a list of at most {MAX_TRACEBACK} lines")
        out["traceback"] = [_text(line, f"{where}.traceback[{i}]", 300, empty=True) for i, line in enumerate(lines)]
    return out


def _metrics(value: Any, where: str) -> dict[str, Metric]:
    metrics = _object(value, where)
    if len(metrics) > MAX_METRICS:
        raise Malformed(f"{where}: at most {MAX_METRICS} metrics")
    out: dict[str, Metric] = {}
    for name, number in metrics.items():
        _text(name, f"{where} name", 100)
        out[name] = _metric(number, f"{where}.{name[:100]}")
    return out


def _metric(number: Any, where: str) -> Metric:
    """A finite float, null (not reported) or one of "nan", "inf", "-inf" (kept as that string)."""
    if number is None or number in NON_FINITE:
        return number
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        raise Malformed(f"{where} must be a finite number, null, \"nan\", \"inf\" or \"-inf\"")
    return float(number)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} must be an object")
    return value


def _only(obj: dict[str, Any], where: str, allowed: set[str]) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise Malformed(f"{where} has unknown fields: {', '.join(str(e)[:40] for e in extra[:5])}")


def _text(value: Any, where: str, limit: int, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()) or len(value) > limit:
        raise Malformed(f"{where} must be a {'' if empty else 'non-empty '}string of at most {limit} characters")
    return value


def _int(value: Any, where: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{where} must be an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise Malformed(f"{where} is out of range")
    return value


def _number(value: Any, where: str, low: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Malformed(f"{where} must be a finite number")
    if low is not None and value < low:
        raise Malformed(f"{where} is out of range")
    return float(value)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)
