"""Reading an ingest request: every field of protocol version 3 (monitor/PROTOCOL.md) checked.

Version 1 requests (no `protocol` field) and version 2 ones are subsets and read the same way.

Pure functions. Anything wrong raises `Malformed` with a reason the training side can read;
nothing partially valid is applied. Text that will be shown in Slack is checked for type and
length here and escaped later, where it is drawn.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from typing import Any

from handlers.training.fields import (
    MAX_DEPTH,
    Malformed,
    Metric,
    _compact,
    _int,
    _metric,
    _nesting,
    _number,
    _object,
    _only,
    _text,
)
from handlers.training.wire_v2 import MAX_CONFIG_DEPTH, V2_EVENTS, V2_RUN_FIELDS, _run_v2

MAX_BODY = 1024 * 1024  # bytes; a predictions event with 16 images of 64x64 fits with room to spare
MAX_EVENTS = 200
MAX_METRICS = 50
MAX_NAME = 200
MAX_CONFIG_TEXT = 4000
MAX_PREDICTIONS = 16
MAX_IMAGE_SIDE = 64
MAX_CLASSES = 1000
MAX_PNG_BYTES = 256 * 1024
MAX_TRACEBACK = 20
MAX_PROBLEMS = 20
EARLIEST = 946_684_800.0  # 2000-01-01: an earlier event time is a mistake (seconds since start, ...)
AHEAD = 86_400.0  # an event time more than a day past Sloth's clock is a mistake (nanoseconds, ...)
STATUSES = ("completed", "stopped", "failed", "preempted")
PROTOCOL = 3  # the newest version this Sloth reads
EVENT_TYPES = ("start", "batch", "epoch", "predictions", "finish", "system", "checkpoint", "config", "control")

RUN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
CHANNEL = re.compile(r"^(#?[a-z0-9][a-z0-9._\-]{0,79}|[CGD][A-Z0-9]{2,20})$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
    resume: str | None = None  # the instance of the job this one continues (its resume token)
    ping_after: float | None = 300.0  # a completion this many seconds after the start mentions the owner
    tags: tuple[str, ...] = ()  # short words to find the run by on the runs page


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


def parse_batch(body: Any, now: float) -> Batch:
    """The request `body`, checked; event times must lie between 2000 and a day past `now`
    (Sloth's clock)."""
    _nesting(body, "body", MAX_DEPTH)
    obj = _object(body, "body")
    _only(obj, "body", {"protocol", "run", "events", "dropped", "problems"})
    protocol = _int(obj.get("protocol", 1), "protocol", low=1, high=PROTOCOL)
    run = parse_run(obj.get("run"), protocol)
    if protocol >= 2 and run.instance is None:
        raise Malformed("run.instance is required in protocol 2: a random id the job keeps for its whole "
                        "life, so that no other job can report under its run id")
    events = obj.get("events")
    if not isinstance(events, list):
        raise Malformed("events must be a list")
    if len(events) > MAX_EVENTS:
        raise Malformed(f"at most {MAX_EVENTS} events per request")
    parsed = [parse_event(event, f"events[{i}]", now) for i, event in enumerate(events)]
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


def parse_run(value: Any, protocol: int = PROTOCOL) -> RunInfo:
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
    _nesting(config, "run.config", MAX_CONFIG_DEPTH)
    if len(_compact(config)) > MAX_CONFIG_TEXT:
        raise Malformed(f"run.config is too big (at most {MAX_CONFIG_TEXT} characters as JSON)")
    return RunInfo(name, channel, owner, total_epochs, config, **_run_v2(run, protocol))


def parse_event(value: Any, where: str, now: float) -> dict[str, Any]:
    event = _object(value, where)
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise Malformed(f"{where}.type must be one of {', '.join(EVENT_TYPES)}")
    out: dict[str, Any] = {
        "type": kind,
        "seq": _int(event.get("seq"), f"{where}.seq", low=1),
        "time": _time(event.get("time"), f"{where}.time", now),
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
        _only(event, where, common | {"status", "error", "summary", "interrupted"})
        if event.get("status") not in STATUSES:
            raise Malformed(f"{where}.status must be one of {', '.join(STATUSES)}")
        out["status"] = event["status"]
        interrupted = event.get("interrupted", False)
        if not isinstance(interrupted, bool):
            raise Malformed(f"{where}.interrupted must be true or false")
        out["interrupted"] = interrupted
        out["error"] = _error(event.get("error"), f"{where}.error")
        summary = event.get("summary")
        out["summary"] = None if summary is None else _text(summary, f"{where}.summary", 2000, empty=True)
    else:
        out.update(V2_EVENTS[kind](event, where, common))
    return out


def _time(value: Any, where: str, now: float) -> float:
    when = _number(value, where)
    if not EARLIEST <= when <= now + AHEAD:
        raise Malformed(f"{where} must be Unix time in seconds, after 2000 and at most a day ahead of "
                        f"Sloth's clock (got {when:.6g}; time.time(), not time.time_ns() or seconds since start)")
    return when


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
