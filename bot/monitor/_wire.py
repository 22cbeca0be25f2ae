"""Pure helpers: what a training process hands us, made into protocol-ready JSON values."""

from __future__ import annotations

import base64
import itertools
import math
import os
from collections.abc import Mapping
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


def clean_number(value: Any) -> float | None:
    """A JSON-safe float (numpy / tensor scalars included); None for nan, inf and non-numbers."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def clean_metrics(metrics: Mapping[str, Any]) -> dict[str, float | None]:
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
