"""Buttons that run a command again: the command line travels in the button's value.

Previous/Next on a long list and "Join and try again" both carry the line the member typed,
so pressing them runs it again through the same dispatch, permission checks and guard.
"""

from __future__ import annotations

import json
from typing import Any

MAX_LINE = 1900  # a button's value holds at most 2,000 characters


def rerun_value(line: str, **extra: Any) -> str:
    return json.dumps({"c": line[:MAX_LINE], **extra}, separators=(",", ":"))


def read_rerun(value: str) -> tuple[str, dict[str, Any]] | None:
    """(the command line, the rest of the state), or None for a value no Sloth button made."""
    try:
        state = json.loads(value)
    except ValueError:
        return None
    if not isinstance(state, dict) or not isinstance(state.get("c"), str):
        return None
    return state.pop("c"), state
