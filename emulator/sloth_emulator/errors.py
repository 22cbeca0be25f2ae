"""The error every Web API handler raises to answer {"ok": false, "error": ...}."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Becomes {"ok": false, "error": error, **extra} with HTTP 200, as Slack answers."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra
