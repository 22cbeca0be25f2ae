"""HTTP mode (`SLOTH_TRANSPORT=http`): Slack's Events API, interactivity and slash commands, all as
POST requests to `/slack/events` on Sloth's HTTP side, one request URL for all three.

Each request is checked before anything is read from it: the `v0` signature Slack computes with
the app's signing secret, HMAC-SHA256 over `v0:{X-Slack-Request-Timestamp}:{body}`, compared in
constant time, with a timestamp within five minutes of now. The same rule as slack_sdk's
`SignatureVerifier`, written over the raw bytes here because that one raises on a timestamp that
is not a number or a body that is not UTF-8 instead of refusing them. A request signed correctly
but seen before (its signature is noted in the journal, in the same write as the envelope) is a
replay and is refused too (`once_key`). Anything refused gets 401 and nothing runs.

Then it travels as a Socket Mode envelope does, in the same shape (`type`, `payload`,
`retry_attempt`): the intake journals and queues it (bot.handling.intake), and the response is
the ack, sent before any work: 200, with an answer in the body only when the ack carries one:
a view submission's `response_action`, worked out by the same function as Socket Mode's ack
(`ack_answer`, bot.handling.ack_answer), or a busy note. Slack's retries of an event
(`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`: the ack was late or lost) are one event_id,
handled once across every replica sharing the store (bot.handling.envelopes), so any number of
replicas can stand behind a load balancer. Also answered: `url_verification` (Slack checking a
new request URL: its challenge back, after the signature check) and `ssl_check` (Slack checking
the certificate of a slash command's URL).

The ack is written on the main loop here (the HTTP side's), unlike Socket Mode's, which has a
thread of its own: a feature that blocks the main loop delays HTTP acks by as long (the loop
watch names it; bench/ack_latency.py measures both transports).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from bot.handling.ack_answer import AckAnswer, busy_answer, no_answer
from bot.handling.intake import Intake, Offer
from bot.work.metrics import Metrics

log = logging.getLogger(__name__)
PATH = "/slack/events"
MAX_AGE = 5 * 60  # seconds between a request's timestamp and now, either way (Slack's rule)
LOG_EVERY = 60.0  # seconds between two log lines about refused requests


class Malformed(Exception):
    """Signed by Slack, yet not a request Slack sends."""


class SlackRequests:
    def __init__(self, signing_secret: str, intake: Intake, metrics: Metrics, ack_answer: AckAnswer = no_answer,
                 clock: Callable[[], float] = time.time) -> None:
        self.secret = signing_secret.encode()
        self.intake, self.metrics, self.ack_answer, self.clock = intake, metrics, ack_answer, clock
        self._logged = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        started = time.perf_counter()
        why = self.refusal(body, request.headers)
        if why is not None:
            return self._refused(why)
        try:
            kind, payload = parse(body, request.content_type)
        except Malformed as e:
            self.metrics.refused_requests.labels("malformed").inc()
            return web.Response(status=400, text=f"{e}\n")
        if kind == "url_verification":
            return web.json_response({"challenge": payload.get("challenge")})
        if kind in ("ssl_check", "ignored"):
            return web.Response()
        frame: dict[str, Any] = {"type": kind, "payload": payload, "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            frame["retry_attempt"] = _number(request.headers.get("X-Slack-Retry-Num"))
            frame["retry_reason"] = request.headers.get("X-Slack-Retry-Reason", "")
        offer = self.intake.offer(frame, once=once_key(request.headers, kind))
        if offer is Offer.REPEATED:
            return self._refused("replayed")
        if offer is Offer.BUSY:
            self.metrics.refused.labels(kind).inc()
            answer = busy_answer(kind)
            if answer is not None:
                return web.json_response(answer)
            # Not 2xx: Slack delivers an event again later, and tells a member their click failed.
            return web.Response(status=503, text="busy\n", headers={"Retry-After": "5"})
        answer = self.ack_answer(payload) if kind == "interactive" else None
        self.metrics.ack_latency.observe(time.perf_counter() - started)
        self.metrics.envelopes.labels(kind).inc()
        return web.json_response(answer) if answer is not None else web.Response()

    def refusal(self, body: bytes, headers: Mapping[str, str]) -> str | None:
        """Why the request is not one Slack signed just now ("signature", "stale"), or None."""
        stamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
        if not (stamp.isascii() and stamp.isdigit() and signature):
            return "signature"
        if abs(self.clock() - int(stamp)) > MAX_AGE:
            return "stale"
        digest = hmac.new(self.secret, b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(f"v0={digest}".encode(), signature.encode("utf-8", "replace")):
            return "signature"
        return None

    def _refused(self, why: str) -> web.Response:
        self.metrics.refused_requests.labels(why).inc()
        now = time.monotonic()
        if now - self._logged >= LOG_EVERY:
            self._logged = now
            log.warning("refused a request to %s (%s): not signed by Slack with SLACK_SIGNING_SECRET just now, or "
                        "sent before; counted in sloth_slack_requests_refused_total, logged at most once a minute",
                        PATH, why)
        return web.Response(status=401, text="This request was not signed by Slack just now.\n")


def once_key(headers: Mapping[str, str], kind: str) -> str:
    """What a replay repeats: the signature. Slack's retry of an event can come within the same
    second as the first try, with the same body and so the same signature; it differs in the
    (unsigned) retry number, which is part of the key. A replay that changes that number gets
    past this check, but not past the event_id dedupe; commands and clicks are never retried."""
    signature = headers["X-Slack-Signature"]
    return f"{signature}:{headers.get('X-Slack-Retry-Num', '0')}" if kind == "events_api" else signature


def parse(body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """(the envelope type Socket Mode would give it, the payload): `events_api`, `slash_commands`,
    `interactive`, or `url_verification`, `ssl_check`, `ignored` (nothing to do, answered 200)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the body is not UTF-8") from None
    if content_type == "application/json":
        data = _json(text)
        if data.get("type") == "url_verification":
            return "url_verification", data
        return ("events_api" if data.get("type") == "event_callback" else "ignored"), data
    if content_type != "application/x-www-form-urlencoded":
        raise Malformed(f"Slack sends JSON or a form, not {content_type or 'no content type'}")
    form = {name: values[0] for name, values in parse_qs(text, keep_blank_values=True).items()}
    if "ssl_check" in form:
        return "ssl_check", form
    if "payload" in form:
        return "interactive", _json(form["payload"])
    if "command" in form:
        return "slash_commands", form
    raise Malformed("a form with neither a command nor a payload")


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise Malformed("the body is not JSON") from None
    if not isinstance(data, dict):
        raise Malformed("the body is not a JSON object")
    return data


def _number(raw: str | None) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() else 0
