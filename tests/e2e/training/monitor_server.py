"""A stand-in Sloth for the monitor client's tests: a real HTTP server on 127.0.0.1:0 that records what it receives."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

OK = {"ok": True, "stop": False, "stopped_by": None}
STOP = {"ok": True, "stop": True, "stopped_by": "U999"}


@dataclass(frozen=True)
class Received:
    index: int
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float = 0.0  # time.monotonic()

    @property
    def events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.body["events"]
        return events


# An answer gets the server and the request; it may wait on server.release to play a slow Sloth.
Answer = Callable[["RecordingServer", Received], tuple[int, dict[str, Any]]]


class RecordingServer:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.changed = threading.Condition()
        self.release = threading.Event()
        self.answer: Answer = lambda server, request: (200, OK)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, payload = server.record(self.path, dict(self.headers), body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def record(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.changed:
            request = Received(len(self.received), path, headers, body, time.monotonic())
            self.received.append(request)
            self.changed.notify_all()
        return self.answer(self, request)

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 5.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: condition(self.received), timeout), self.received

    def events(self, *, system: bool = False) -> list[dict[str, Any]]:
        """Every event once, as the server would apply them (by seq, duplicates ignored); machine
        samples only when asked for, since they come on the sender thread's own schedule."""
        with self.changed:
            by_seq = {e["seq"]: e for request in self.received for e in request.events}
        return [by_seq[seq] for seq in sorted(by_seq) if system or by_seq[seq]["type"] != "system"]


def serving() -> Iterator[RecordingServer]:
    """A started RecordingServer, shut down afterwards (the `server` fixture of tests/e2e)."""
    recorder = RecordingServer()
    recorder._thread.start()
    yield recorder
    recorder.release.set()
    recorder.httpd.shutdown()
    recorder.httpd.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (the `closed_port` fixture)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def monitor_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("sloth_monitor") and r.levelno >= logging.WARNING]


def has_finish(requests: list[Received]) -> bool:
    return any(e["type"] == "finish" for r in requests for e in r.events)


