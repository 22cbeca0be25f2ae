"""Message text withheld from log lines however it is quoted; the rest of the line kept."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.config.problems import Problems
from bot.config.settings import load_settings
from bot.runtime.logs import WITHHELD, JsonFormatter, MessageTextFilter, TextFormatter, withhold_text
from bot.work.requests import RequestIdFilter, handling_request

TYPED = 'meet me at "the dock" \\ 9pm'


@pytest.mark.parametrize("line, kept", [
    # slack_sdk's Web API request: a dict repr
    (f"Sending a request - url: POST https://slack.com/api/chat.postMessage, params: {{}}, json: "
     f"{{'channel': 'C1', 'text': {TYPED!r}}}",
     "Sending a request - url: POST https://slack.com/api/chat.postMessage, params: "),
    # slack_sdk's response: JSON text inside a dict repr, the text nested in blocks
    (f"Received the following response - status: 200, headers: {{}}, body: "
     f"{json.dumps({'ok': True, 'message': {'blocks': [{'text': {'text': TYPED}}]}})}",
     "Received the following response - status: 200, headers: "),
    # the Socket Mode client's frame: the repr of a JSON string, so quotes are escaped twice
    (f"Received message (type: TEXT, data: {json.dumps({'payload': {'event': {'text': TYPED}}})!r}, extra: None)",
     "Received message (type: TEXT, data: '"),
    # a query string
    ("GET /api/search.messages?count=20&query=meet+me+at+the+dock HTTP/1.1", "GET /api/search.messages?count=20"),
])
def test_text_fields_are_withheld_however_quoted(line: str, kept: str) -> None:
    assert withhold_text(line) == kept + WITHHELD


def test_lines_without_text_are_kept_whole() -> None:
    line = "Received the following response - status: 200, headers: {'x': '1'}, body: {'ok': True, 'channel': 'C1'}"
    assert withhold_text(line) == line


def test_the_filter_withholds_arguments_extras_and_exceptions() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MessageTextFilter())
    logger = logging.getLogger("tests.unit.test_logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("posting %s", {"text": TYPED}, extra={"text": TYPED, "channel": "C1"})
        try:
            raise RuntimeError(f"Slack refused {{'text': {TYPED!r}}}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == "posting " + WITHHELD and first["text"] == WITHHELD and first["channel"] == "C1"
    assert "RuntimeError: Slack refused " + WITHHELD in second["exception"]
    assert "the dock" not in out.getvalue()


def test_the_setting_is_read_as_true_or_false() -> None:
    tokens = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}
    assert load_settings(tokens).log_message_text is False
    assert load_settings({**tokens, "SLOTH_LOG_MESSAGE_TEXT": "true"}).log_message_text is True
    with pytest.raises(Problems) as caught:
        load_settings({**tokens, "SLOTH_LOG_MESSAGE_TEXT": "sometimes"})
    assert caught.value.problems == ["SLOTH_LOG_MESSAGE_TEXT must be true or false."]


def test_each_line_of_a_request_carries_its_id_and_no_other_line_does() -> None:
    text, structured = io.StringIO(), io.StringIO()
    handlers = [logging.StreamHandler(text), logging.StreamHandler(structured)]
    handlers[0].setFormatter(TextFormatter())
    handlers[1].setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.unit.test_logs.requests")
    for handler in handlers:
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("before")
        with handling_request("c0ffee12") as chosen:
            logger.warning("during")
            with handling_request() as inner:
                logger.warning("inside")
        logger.warning("after")
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.propagate = True
    lines = text.getvalue().splitlines()
    assert chosen == "c0ffee12" and len(inner) == 8 and inner != chosen
    assert [line.split(" ", 3)[-1] for line in lines] == [
        "tests.unit.test_logs.requests: before", "tests.unit.test_logs.requests [c0ffee12]: during",
        f"tests.unit.test_logs.requests [{inner}]: inside", "tests.unit.test_logs.requests: after"]
    records = [json.loads(line) for line in structured.getvalue().splitlines()]
    assert [r.get("request_id") for r in records] == [None, "c0ffee12", inner, None]
