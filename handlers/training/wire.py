"""Reading an ingest request: every field of protocol version 1 (see bot.monitor) checked.

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
STATUSES = ("completed", "stopped", "failed")
EVENT_TYPES = ("start", "batch", "epoch", "predictions", "finish")

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


@dataclass(frozen=True)
class Batch:
    run: RunInfo
    events: list[dict[str, Any]]  # validated and sorted by seq
    dropped: int


def check_run_id(run_id: str) -> str:
    if not RUN_ID.match(run_id):
        raise Malformed("run_id in the path must be 8-64 letters, digits, '-' or '_'")
    return run_id


def parse_batch(body: Any) -> Batch:
    obj = _object(body, "body")
    _only(obj, "body", {"run", "events", "dropped"})
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
    return Batch(run, sorted(parsed, key=lambda e: e["seq"]), dropped)


def parse_run(value: Any) -> RunInfo:
    run = _object(value, "run")
    _only(run, "run", {"name", "channel", "owner", "total_epochs", "config"})
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
    return RunInfo(name, channel, owner, total_epochs, config)


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
    else:
        _only(event, where, common | {"status", "error"})
        if event.get("status") not in STATUSES:
            raise Malformed(f"{where}.status must be one of {', '.join(STATUSES)}")
        out["status"] = event["status"]
        out["error"] = _error(event.get("error"), f"{where}.error")
    return out


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
    _only(error, where, {"type", "message"})
    return {"type": _text(error.get("type"), f"{where}.type", 200),
            "message": _text(error.get("message"), f"{where}.message", 2000, empty=True)}


def _metrics(value: Any, where: str) -> dict[str, float | None]:
    metrics = _object(value, where)
    if len(metrics) > MAX_METRICS:
        raise Malformed(f"{where}: at most {MAX_METRICS} metrics")
    out: dict[str, float | None] = {}
    for name, number in metrics.items():
        _text(name, f"{where} name", 100)
        if number is None:
            out[name] = None
        elif isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise Malformed(f"{where}.{name[:100]} must be a finite number or null")
        else:
            out[name] = float(number)
    return out


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
