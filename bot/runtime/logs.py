"""Logging set-up: plain text for people, one JSON object per line for log pipelines.

What members type and what Sloth posts stays out of the logs unless SLOTH_LOG_MESSAGE_TEXT
asks for it. At DEBUG, slack_sdk logs every Web API request and response with its body
(`json: {'text': …, 'blocks': …}`, `body: {'messages': […]}`), Bolt logs the events it skips
(Sloth's own posts, with their text), and aiosqlite every statement with the values stored. A
filter on Sloth's handler cuts a line where the first structure holding such a field begins;
the start of the line (which call, which status) stays. aiosqlite is kept at INFO. Tokens never
reach a log line in the first place: slack_sdk redacts the Authorization header itself.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import IO, Any

from bot.work.requests import RequestIdFilter

_STANDARD = set(vars(logging.makeLogRecord({})))
# Fields of Slack payloads (and Sloth's stored records) whose values are what someone wrote.
TEXT_FIELDS = ("text", "blocks", "attachments", "fallback", "pretext", "title", "value", "initial_comment",
               "content", "preview", "query", "status_text", "topic", "purpose", "alt_text")
_NAMES = "|".join(TEXT_FIELDS)
# A field as a dict or JSON key, at any depth of quoting ('text':, "text":, \"text\":), or a
# query-string parameter (?query=…).
_TEXT_FIELD = re.compile(rf"""\\*["'](?:{_NAMES})\\*["']\s*:|[?&](?:{_NAMES})=""")
WITHHELD = "… (withheld: may hold message text; SLOTH_LOG_MESSAGE_TEXT=true logs it)"


def withhold_text(text: str) -> str:
    """`text` with each line cut where a structure holding message text begins."""
    if not _TEXT_FIELD.search(text):
        return text
    return "\n".join(_cut(line) for line in text.split("\n"))


def _cut(line: str) -> str:
    found = _TEXT_FIELD.search(line)
    if found is None:
        return line
    head = line[:found.start()]
    starts = [i for i in (head.find("{"), head.find("[")) if i >= 0]
    return line[:min(starts, default=found.start())] + WITHHELD


class MessageTextFilter(logging.Filter):
    """Withholds message text from every record that reaches the handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        shown = withhold_text(message)
        if shown != message:
            record.msg, record.args = shown, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = withhold_text(record.exc_text)
        for name in TEXT_FIELDS:  # `extra={"text": …}`, which the JSON format would print
            if name in record.__dict__:
                setattr(record, name, WITHHELD)
        return True


class TextFormatter(logging.Formatter):
    """`time LEVEL logger [request id]: message`; the id only on records of a request."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(request)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request_id", "")
        record.request = f" [{request}]" if request else ""
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items()
                      if k not in _STANDARD and k != "request" and not k.startswith("_")})
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, default=str)


def configure(level: str = "INFO", fmt: str = "text", message_text: bool = False,
              stream: IO[str] | None = None) -> None:
    """Sloth's one handler (on stderr unless `stream`) on the root logger; `message_text` lets
    what members typed and what Sloth posted into the log (off: withheld)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    handler.addFilter(RequestIdFilter())  # one request followed across replicas and workers
    if not message_text:
        handler.addFilter(MessageTextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The SDKs log every frame at DEBUG and some routine reconnects at INFO/ERROR; keep them
    # one notch quieter than Sloth's own logs.
    quiet = max(logging.getLevelName(level), logging.WARNING) if level != "DEBUG" else logging.DEBUG
    for name in ("slack_sdk", "slack_bolt", "aiohttp.access"):
        logging.getLogger(name).setLevel(quiet)
    # Two lines per statement, with the values stored: noise, and members' text in the values.
    logging.getLogger("aiosqlite").setLevel(logging.DEBUG if message_text and level == "DEBUG" else logging.INFO)
    # The job queue logs each job at INFO (Sloth's worker says the same with the request id) and
    # its arguments at DEBUG (a channel's messages, for an export).
    logging.getLogger("saq").setLevel(quiet if level != "DEBUG" else logging.DEBUG if message_text else logging.INFO)
