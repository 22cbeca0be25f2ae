"""One POST to Sloth with the standard library, and what its answer means."""

from __future__ import annotations

import http.client
import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 10.0
CONTROL_KINDS = ("stop", "checkpoint", "lr")


@dataclass(frozen=True)
class Reply:
    """How one POST went: "ok", "retry", "drop" (discard those events) or "fatal" (give up)."""

    outcome: str
    problem: str = ""
    stop: bool = False
    stopped_by: str | None = None
    controls: tuple[dict[str, Any], ...] = ()
    notices: tuple[str, ...] = field(default=())
    reached: bool = True  # False: no answer at all (refused, unreachable, timed out)


def reply_for_status(status: int, raw: bytes = b"") -> Reply:
    reason = _error_text(raw)
    said = f"HTTP {status}" + (f": {reason}" if reason else "")
    if status in (401, 403):
        return Reply("fatal", said if reason else f"HTTP {status}: check SLOTH_MONITOR_TOKEN")
    if status == 409:  # the run id belongs to another job: nothing this client sends can be applied
        return Reply("fatal", said)
    if status in (408, 425, 429) or status >= 500:
        return Reply("retry", f"HTTP {status}")
    return Reply("drop", said)


def _error_text(raw: bytes) -> str:
    try:
        answer = json.loads(raw)
    except ValueError:
        return ""
    error = answer.get("error") if isinstance(answer, dict) else None
    return error[:300] if isinstance(error, str) else ""


def reply_for_body(raw: bytes) -> Reply:
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return Reply("drop", "the answer is not Sloth's JSON; is the URL right?")
    stopped_by = answer.get("stopped_by")
    notices = answer.get("notices")
    return Reply("ok", stop=answer.get("stop") is True,
                 stopped_by=stopped_by if isinstance(stopped_by, str) else None,
                 controls=tuple(parse_controls(answer.get("controls"))),
                 notices=tuple(n[:300] for n in notices if isinstance(n, str)) if isinstance(notices, list) else ())


def parse_controls(value: Any) -> list[dict[str, Any]]:
    """Protocol 2 controls: [{"id", "kind", "factor"?, "by"?}]; anything unreadable is skipped."""
    found = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or item.get("kind") not in CONTROL_KINDS:
            continue
        factor = item.get("factor")
        if item["kind"] == "lr" and (isinstance(factor, bool) or not isinstance(factor, (int, float))
                                     or not 0 < factor < 100):
            continue
        by = item.get("by")
        found.append({"id": item["id"][:64], "kind": item["kind"], "factor": factor,
                      "by": by if isinstance(by, str) else None})
    return found


class Transport:
    """One blocking POST with the standard library. Never raises."""

    def __init__(self, url: str, run_id: str, token: str | None, timeout: float = REQUEST_TIMEOUT) -> None:
        self.run_id = run_id
        self.url = url
        self.endpoint = f"{url}/monitor/v1/runs/{run_id}/events"
        self.timeout = timeout
        self._headers = {"Content-Type": "application/json", "User-Agent": "sloth-monitor/3"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        # A proxy from HTTP_PROXY cannot reach this machine's loopback.
        handlers = [urllib.request.ProxyHandler({})] if _is_loopback(self.endpoint) else []
        self._opener = urllib.request.build_opener(*handlers)

    def post(self, body: bytes) -> Reply:
        request = urllib.request.Request(self.endpoint, data=body, headers=self._headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return reply_for_body(response.read())
        except urllib.error.HTTPError as exc:
            try:
                raw = exc.read(4096)
            except (OSError, http.client.HTTPException):
                raw = b""
            exc.close()
            return reply_for_status(exc.code, raw)
        except ValueError as exc:  # a malformed SLOTH_URL: retrying cannot help
            return Reply("fatal", f"bad URL: {exc}")
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            return Reply("retry", f"{type(exc).__name__}: {reason}", reached=False)


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
