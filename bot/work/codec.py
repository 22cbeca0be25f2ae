"""What crosses the job queue: a task's arguments and result as JSON, never pickle.

A job sits in Redis until a worker takes it. Pickle would let whoever can write to that Redis
run any code on every worker; JSON carries data only. The values a task takes and returns are
richer than JSON, so each is tagged: tuples (the charts' rows stay tuples), bytes (a PNG),
dates and times, dicts whose keys are not all text, and a feature's own records (a dataclass or
a NamedTuple, named by its import path). A record is rebuilt only from a class of a module that is
already imported where it is read (the worker imports the task's own module first), so a job
cannot make a worker import anything.

    dump(value) -> JSON-able data;  load(data) -> the value again
"""

from __future__ import annotations

import base64
import dataclasses
import sys
from datetime import date, datetime, time, timedelta
from typing import Any

TAG = "$"
_PLAIN = (str, int, float, bool, type(None))


class Unreadable(ValueError):
    """Data no `dump` made, or naming a class that may not be rebuilt here."""


def dump(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list):
        return [dump(v) for v in value]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple
        return {TAG: "record", "class": _path(type(value)), "fields": [dump(v) for v in value]}
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [dump(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: dump(v) for k, v in value.items()}
        return {TAG: "dict", "items": [[dump(k), dump(v)] for k, v in value.items()]}
    if isinstance(value, bytes | bytearray):
        return {TAG: "bytes", "base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return {TAG: "datetime", "iso": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "iso": value.isoformat()}
    if isinstance(value, time):
        return {TAG: "time", "iso": value.isoformat()}
    if isinstance(value, timedelta):
        return {TAG: "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, set | frozenset):
        return {TAG: "set", "items": [dump(v) for v in value]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {TAG: "dataclass", "class": _path(type(value)), "fields": fields}
    raise TypeError(f"{type(value).__name__} cannot go through the job queue; use plain data, tuples, bytes, "
                    "dates, dataclasses or NamedTuples")


def load(data: Any) -> Any:
    if isinstance(data, _PLAIN):
        return data
    if isinstance(data, list):
        return [load(v) for v in data]
    if not isinstance(data, dict):
        raise Unreadable(f"not data of the job queue: {type(data).__name__}")
    kind = data.get(TAG)
    if kind is None:
        return {k: load(v) for k, v in data.items()}
    try:
        return _load_tagged(kind, data)
    except (KeyError, TypeError, ValueError) as e:
        raise Unreadable(f"malformed {kind!r} in a job: {e}") from None


def _load_tagged(kind: str, data: dict[str, Any]) -> Any:
    if kind == "tuple":
        return tuple(load(v) for v in data["items"])
    if kind == "dict":
        return {load(k): load(v) for k, v in data["items"]}
    if kind == "bytes":
        return base64.b64decode(data["base64"], validate=True)
    if kind == "datetime":
        return datetime.fromisoformat(data["iso"])
    if kind == "date":
        return date.fromisoformat(data["iso"])
    if kind == "time":
        return time.fromisoformat(data["iso"])
    if kind == "timedelta":
        return timedelta(seconds=float(data["seconds"]))
    if kind == "set":
        return {load(v) for v in data["items"]}
    if kind == "record":
        cls = _record_class(data["class"])
        if not hasattr(cls, "_fields"):
            raise Unreadable(f"{data['class']} is not a NamedTuple")
        return cls(*(load(v) for v in data["fields"]))
    if kind == "dataclass":
        cls = _record_class(data["class"])
        if not dataclasses.is_dataclass(cls):
            raise Unreadable(f"{data['class']} is not a dataclass")
        return cls(**{str(k): load(v) for k, v in data["fields"].items()})
    raise Unreadable(f"unknown kind {kind!r} in a job")


def _path(cls: type) -> str:
    if "<locals>" in cls.__qualname__:
        raise TypeError(f"{cls.__qualname__} is defined inside a function; the job queue needs a module-level class")
    return f"{cls.__module__}:{cls.__qualname__}"


def _record_class(path: str) -> type:
    """A class by its import path, from a module imported already: loading never imports."""
    module_name, _, qualname = str(path).partition(":")
    module = sys.modules.get(module_name)
    if module is None:
        raise Unreadable(f"{path}: its module is not loaded here, so a job may not name it")
    found: Any = module
    for part in qualname.split("."):
        if part.startswith("_"):
            raise Unreadable(f"{path}: not a public class")
        found = getattr(found, part, None)
    if not isinstance(found, type):
        raise Unreadable(f"{path}: no such class")
    return found
