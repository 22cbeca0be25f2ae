"""Pure helpers: what a training process hands us, made into protocol-ready JSON values."""

from __future__ import annotations

import base64
import itertools
import json
import math
import os
from collections.abc import Callable, Mapping
from typing import Any

MAX_PREDICTIONS = 16
MAX_IMAGE_SIDE = 64
# Launchers set one of these per process; any non-zero value means "not the reporting rank".
_RANK_VARIABLES = ("RANK", "LOCAL_RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK",
                   "SLURM_PROCID", "MV2_COMM_WORLD_RANK", "HOROVOD_RANK")


def is_primary_process(environ: Mapping[str, str] = os.environ) -> bool:
    """False when a distributed launcher says this process is not rank 0."""
    for name in _RANK_VARIABLES:
        try:
            if int(environ.get(name, "0")) != 0:
                return False
        except ValueError:
            continue
    return True


NON_FINITE = {math.inf: "inf", -math.inf: "-inf"}
MAX_METRIC_NAMES = 50  # distinct metric names per run; the service refuses more per event
MAX_METRIC_NAME = 100
MAX_CONFIG_TEXT = 4000


def clean_number(value: Any) -> float | None:
    """A JSON-safe finite float (numpy / tensor scalars included); None for nan, inf and non-numbers."""
    number = to_float(value)
    return number if number is not None and math.isfinite(number) else None


def to_float(value: Any) -> float | None:
    """float(value) for numbers, numpy / tensor scalars and numeric strings; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except Exception:  # a tensor of several elements raises RuntimeError, a broken __float__ anything
        return None


def wire_number(number: float) -> float | str:
    """Protocol 2: a finite float as itself, nan / inf / -inf as those strings (null means missing)."""
    if math.isnan(number):
        return "nan"
    return NON_FINITE.get(number, number)


class Problems:
    """What the training code handed us that could not be sent as it was: counts per kind.

    Sent with every request (protocol 2, ``problems``) so the card can say what is wrong, and
    warned about once per kind in the job's log.
    """

    def __init__(self, warn: Callable[[str, str], None] | None = None) -> None:
        self.counts: dict[str, int] = {}
        self.messages: dict[str, str] = {}
        self.warn = warn

    def add(self, kind: str, message: str, count: int = 1) -> None:
        first = kind not in self.counts
        self.counts[kind] = self.counts.get(kind, 0) + count
        self.messages[kind] = message[:300]
        if first and self.warn is not None:
            self.warn(kind, message)

    def wire(self) -> dict[str, dict[str, Any]]:
        return {kind: {"count": count, "message": self.messages[kind]} for kind, count in self.counts.items()}


class MetricCleaner:
    """Metrics as protocol 2 numbers: names kept to the first MAX_METRIC_NAMES of the run."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.names: set[str] = set()

    def clean(self, metrics: Mapping[str, Any]) -> dict[str, float | str | None]:
        out: dict[str, float | str | None] = {}
        for key, value in metrics.items():
            name = str(key)[:MAX_METRIC_NAME]
            if name not in self.names:
                if len(self.names) >= MAX_METRIC_NAMES:
                    self.problems.add("too_many_metrics", f"more than {MAX_METRIC_NAMES} metric names; "
                                      f"{name!r} and later new names are left out")
                    continue
                self.names.add(name)
            if value is None:
                out[name] = None
                continue
            number = to_float(value)
            if number is None:
                self.problems.add("not_numbers", f"metric {name!r} is not a number "
                                  f"({type(value).__name__}); it is left out")
                continue
            out[name] = wire_number(number)
        return out


def clean_metrics(metrics: Mapping[str, Any]) -> dict[str, float | None]:
    """Protocol 1 metrics: non-finite values and non-numbers as null."""
    return {str(name): clean_number(value) for name, value in metrics.items()}


def jsonable(value: Any) -> Any:
    """Config values as JSON: arrays via tolist(), non-finite floats as None, the rest as str."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def fit_config(config: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """The config as JSON values, keys dropped from the end until it fits the service's limit."""
    kept: dict[str, Any] = {}
    size = 2
    for key, value in config.items():
        piece = len(json.dumps({key: value}, separators=(",", ":"), default=str)) - 1
        if size + piece > MAX_CONFIG_TEXT:
            problems.add("config_too_big", f"the config is over {MAX_CONFIG_TEXT} characters as JSON; "
                         f"{len(config) - len(kept)} keys from {key!r} on are left out")
            break
        kept[key] = value
        size += piece
    return kept


def head(values: Any, limit: int = MAX_PREDICTIONS) -> list[Any]:
    """The first `limit` items of a list, array-like or iterable, as plain Python lists."""
    if not hasattr(values, "__getitem__"):
        return list(itertools.islice(values, limit))
    values = values[:limit]
    return list(values.tolist() if hasattr(values, "tolist") else values)


def label(value: Any) -> int | str:
    """A class label: an index, the argmax of a one-hot / probability row, or a string."""
    if isinstance(value, (list, tuple)) and len(value) == 1:  # one sigmoid output
        return int(float(value[0]) >= 0.5)
    if isinstance(value, (list, tuple)):
        return max(range(len(value)), key=lambda i: value[i]) if value else ""
    if isinstance(value, str):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def grayscale_2d(image: Any) -> list[list[float]]:
    """One image as rows of floats, at most MAX_IMAGE_SIDE a side; [] if the shape is unknown."""
    rows = _as_rows(image)
    if not rows or not rows[0]:
        return []
    step = max(1, math.ceil(max(len(rows), len(rows[0])) / MAX_IMAGE_SIDE))
    return [[_pixel(v) for v in row[::step]] for row in rows[::step]]


def _pixel(value: Any) -> float:
    number = clean_number(value)
    return 0.0 if number is None else round(number, 3)


def _as_rows(image: Any) -> list[Any]:
    if not isinstance(image, list) or not image:
        return []
    if not isinstance(image[0], list):  # flattened: square images only
        side = math.isqrt(len(image))
        return [image[i * side:(i + 1) * side] for i in range(side)] if side * side == len(image) else []
    if not isinstance(image[0][0], list):
        return image
    if len(image[0][0]) in (1, 3, 4):  # height x width x channels
        return [[sum(pixel[:3]) / len(pixel[:3]) for pixel in row] for row in image]
    if len(image) in (1, 3):  # channels x height x width
        return [[sum(pixels) / len(pixels) for pixels in zip(*rows, strict=True)]
                for rows in zip(*image, strict=True)]
    return []


def wire_predictions(event: dict[str, Any]) -> dict[str, Any]:
    """Turn the raw samples captured by log_predictions into the protocol's image fields."""
    samples = event.pop("samples", None)
    if samples is None:
        return event
    if samples and all(isinstance(s, (bytes, bytearray)) for s in samples):
        event["png_b64"] = [base64.b64encode(bytes(s)).decode("ascii") for s in samples]
    else:
        event["images"] = [_image_or_empty(s) for s in samples]
    return event


def _image_or_empty(sample: Any) -> list[list[float]]:
    try:
        return grayscale_2d(sample)
    except (TypeError, ValueError, IndexError):
        return []
