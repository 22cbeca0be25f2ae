"""The field checks every part of an ingest request goes through. Pure; `Malformed` says where."""

from __future__ import annotations

import json
import math
from typing import Any

NON_FINITE = ("nan", "inf", "-inf")  # protocol 2's metric values for NaN and infinities
MAX_INT = 2**53 - 1  # the largest integer every JSON reader keeps exactly
MAX_DEPTH = 32  # nesting of a whole request; a legitimate one is under 10 deep
Metric = float | str | None


class Malformed(ValueError):
    """The request does not follow the protocol; the message says where."""


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


def _int(value: Any, where: str, low: int | None = None, high: int = MAX_INT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"{where} must be an integer")
    if (low is not None and value < low) or value > high:
        raise Malformed(f"{where} is out of range")
    return value


def _number(value: Any, where: str, low: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Malformed(f"{where} must be a finite number")
    if low is not None and value < low:
        raise Malformed(f"{where} is out of range")
    return float(value)


def _nesting(value: Any, where: str, limit: int) -> None:
    """Refuse objects and lists nested deeper than `limit`: copying or drawing a deep value
    recurses once per level, and a few hundred levels would end in RecursionError."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                raise Malformed(f"{where} is nested too deeply (at most {limit} levels of objects and lists)")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _metric(number: Any, where: str) -> Metric:
    """A finite float, null (not reported) or one of "nan", "inf", "-inf" (kept as that string)."""
    if number is None or number in NON_FINITE:
        return number
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        raise Malformed(f"{where} must be a finite number, null, \"nan\", \"inf\" or \"-inf\"")
    return float(number)


def _optional_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where, low=0)


def _optional_number(value: Any, where: str) -> float | None:
    return None if value is None else _number(value, where, low=0)


def _ids(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or len(value) > 20:
        raise Malformed(f"{where} must be a list of at most 20 ids")
    return [_text(item, f"{where}[{i}]", 64) for i, item in enumerate(value)]
