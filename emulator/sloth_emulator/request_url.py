"""HTTP delivery: Slack calling the app's request URL instead of writing to a Socket Mode connection.

Switched on with `Emulator.use_request_url(url)`, which checks the URL first as Slack's app
settings page does (a signed `url_verification` request whose `challenge` must come back). From
then on every slash command, interaction and event is a POST to that URL, carrying the payload a
Socket Mode envelope would carry, shaped as Slack sends it over HTTP (docs.slack.dev: "Verifying
requests from Slack", "Handling user interaction", "Implementing slash commands", the Events API):

- events: a JSON body, the `event_callback` itself;
- interactions (`block_actions`, `view_submission`, …): a form with one field, `payload`, the JSON;
- slash commands: a form of the command's fields (`command`, `text`, `user_id`, `response_url`, …).

Each request carries `X-Slack-Request-Timestamp` (wall-clock seconds, whatever clock the
emulator was given: Slack signs with real time) and `X-Slack-Signature`, `v0=` and the hex
HMAC-SHA256 of `v0:{timestamp}:{body}` under the app's signing secret (`Emulator.signing_secret`).

The response is the ack: 2xx within 3 seconds. Its body is the ack's payload: JSON (a slash
command's message, a view submission's `response_action`) or, for a slash command, plain text
shown as a message. An event not acked so (a timeout, an error status, no connection) is sent
again, up to `max_redeliveries` times, `redelivery_delay` seconds after the failure (Slack waits
about a minute, then five), with `X-Slack-Retry-Num` (1, 2, 3) and `X-Slack-Retry-Reason`
(`http_timeout`, `http_error`, `connection_failed`) and a fresh signature. Slash commands and
interactions are never retried: the member sees that it failed (listed in `failed_requests`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp

from sloth_emulator.delivery import Delivery, Envelope
from sloth_emulator.payloads import VERIFICATION_TOKEN

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

log = logging.getLogger(__name__)
ACK_SECONDS = 3.0  # Slack's deadline for the response
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


class RequestUrlRefused(AssertionError):
    """The request URL did not answer Slack's url_verification as Slack requires."""


@dataclass(frozen=True)
class SentRequest:
    """One request Slack made to the app, and what came back."""

    kind: str  # events_api, slash_commands, interactive, url_verification, ssl_check
    headers: dict[str, str]
    body: bytes
    status: int | None  # None: no response (timeout, connection refused, or lost)
    outcome: str  # "acked", or the retry reason Slack would give


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), b"v0:" + str(timestamp).encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def encode(kind: str, payload: dict[str, Any]) -> tuple[bytes, str]:
    """The body of the request that carries `payload`, and its content type."""
    if kind == "slash_commands":
        return urlencode({k: str(v) for k, v in payload.items()}).encode(), "application/x-www-form-urlencoded"
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
    return json.dumps(payload).encode(), "application/json"


class RequestUrl:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.url: str | None = None
        self.signing_secret = secrets.token_hex(16)
        self.sent: list[SentRequest] = []
        self.failed: list[Delivery] = []  # commands and interactions the member saw fail
        self.responses_to_lose = 0
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def use(self, url: str) -> None:
        """Send everything to `url` from now on, once it has answered url_verification."""
        challenge = secrets.token_urlsafe(24)
        body = json.dumps({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}).encode()
        status, answer, _ = await self._post("url_verification", url, body, "application/json", {})
        if status != 200 or answer is None or challenge not in (answer.get("challenge"), answer.get("text")):
            raise RequestUrlRefused(f"{url} did not answer Slack's url_verification with its challenge "
                                    f"(HTTP {status}); Slack would not save it as a request URL")
        self.url = url

    async def ssl_check(self, url: str | None = None) -> int | None:
        """Slack's check of a slash command URL's certificate: a signed form with `ssl_check=1`; the status."""
        body = urlencode({"ssl_check": "1", "token": VERIFICATION_TOKEN}).encode()
        status, _, _ = await self._post("ssl_check", url or self.url or "", body,
                                        "application/x-www-form-urlencoded", {})
        return status

    def deliver(self, kind: str, payload: dict[str, Any]) -> Delivery:
        envelope: Envelope = {"envelope_id": str(uuid.uuid4()), "payload": payload, "type": kind,
                              "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update({"retry_attempt": 0, "retry_reason": ""})
        delivery = Delivery(envelope)
        task = asyncio.create_task(self._until_acked(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    async def _until_acked(self, delivery: Delivery) -> None:
        retries = self.emu.max_redeliveries if delivery.type == "events_api" else 0
        for attempt in range(retries + 1):
            envelope = delivery.envelopes[-1]
            headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": envelope["retry_reason"]} \
                if attempt else {}
            body, content_type = encode(delivery.type, delivery.payload)
            delivery.mark_sent(envelope["envelope_id"])
            self.emu.events_sent.append(envelope)
            self.emu.changed()
            _, answer, reason = await self._post(delivery.type, self.url or "", body, content_type, headers)
            if reason is None:
                frame = {"envelope_id": envelope["envelope_id"], "payload": answer}  # as a Socket Mode ack reads
                self.emu.acks.setdefault(envelope["envelope_id"], frame)
                if delivery.settle(envelope["envelope_id"], frame):
                    self.emu.on_ack(delivery, frame)
                self.emu.changed()
                return
            if attempt == retries:
                break
            await asyncio.sleep(self.emu.redelivery_delay)  # how long Slack waits before retrying
            delivery.envelopes.append({**delivery.envelope, "envelope_id": str(uuid.uuid4()),
                                       "retry_attempt": attempt + 1, "retry_reason": reason})
        if delivery.type != "events_api":
            self.failed.append(delivery)
            self.emu.changed()

    async def _post(self, kind: str, url: str, body: bytes, content_type: str,
                    extra: dict[str, str]) -> tuple[int | None, dict[str, Any] | None, str | None]:
        """(the status, None without a response; the ack's payload; the retry reason Slack would
        give, None when it counts as acked)."""
        stamp = int(time.time())
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, "X-Slack-Request-Timestamp": str(stamp),
                   "X-Slack-Signature": sign(self.signing_secret, body, stamp), **extra}
        status: int | None = None
        answer: dict[str, Any] | None = None
        reason: str | None = "http_timeout"
        try:
            async with self.session.post(url, data=body, headers=headers, allow_redirects=False,
                                         timeout=aiohttp.ClientTimeout(total=ACK_SECONDS)) as response:
                status = response.status
                answer = _answer(await response.read(), response.content_type)
            reason = None if 200 <= status < 300 else "http_error"
        except TimeoutError:
            pass
        except aiohttp.ClientError as e:
            log.info("request to %s failed: %s", url, e)
            reason = "connection_failed"
        if self.responses_to_lose > 0 and kind not in ("url_verification", "ssl_check") and reason is None:
            self.responses_to_lose -= 1  # fault injection: answered, but the answer never reached Slack
            status, answer, reason = None, None, "http_timeout"
        self.sent.append(SentRequest(kind, headers, body, status, reason or "acked"))
        self.emu.changed()
        return status, answer, reason

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # Never through a proxy: the app listens on this machine.
            self._session = aiohttp.ClientSession(trust_env=False)
        return self._session

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()


def _answer(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """The ack's payload: a JSON object, or plain text as a message's text; None when empty."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return None
    if content_type == "application/json":
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return {"text": text}
