"""The Web API client every part of Sloth shares: one aiohttp session, retries, metrics."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot import guard
from bot.slack.fallback import METHODS as BLOCK_METHODS
from bot.slack.fallback import BlockSupport
from bot.work.metrics import Metrics

if TYPE_CHECKING:
    from bot.slack.access import Access


class MeteredWebClient(AsyncWebClient):
    """AsyncWebClient that counts every call by method and outcome, passes every message it
    sends through `bot.guard` (so no feature can make Sloth ping people it should not) and, with
    `access` set (the bot's own client), keeps each member's request to the conversations that
    member may see (`bot.slack.access`) and, with `blocks` set, says a message again with older
    blocks when the workspace refuses a newer kind in it (`bot.slack.fallback`)."""

    metrics: Metrics | None = None
    access: Access | None = None
    team: str = ""  # the workspace this client calls for (its team id, once auth.test said it): counted by team
    blocks: BlockSupport | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        if self.access is not None:
            await self.access.check(api_method, _arguments(kwargs))
        if self.blocks is not None and api_method in BLOCK_METHODS:
            return await self.blocks.send(kwargs, lambda args: self._sent(api_method, args))
        return await self._sent(api_method, kwargs)

    async def _sent(self, api_method: str, kwargs: dict[str, Any]) -> AsyncSlackResponse:
        """The call itself: guarded (every attempt: a message said again is checked again), counted."""
        outcome = "ok"
        if api_method in guard.GUARDED_METHODS:
            kwargs = await guard.checked(kwargs)
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as e:
            outcome = str(e.response.get("error", "error"))
            raise
        except Exception as e:
            outcome = type(e).__name__
            raise
        finally:
            if self.metrics is not None:
                self.metrics.api_calls.labels(api_method, outcome).inc()
                self.metrics.team_calls.labels(self.team or "unknown", _kind(outcome)).inc()


def _kind(outcome: str) -> str:
    """ok, ratelimited (Slack's 429 outlasted every retry) or error: few values, as teams may be many."""
    return outcome if outcome in ("ok", "ratelimited") else "error"


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments, wherever the SDK put them (JSON body, form or query string)."""
    found: dict[str, Any] = {}
    for part in ("params", "data", "json"):
        if isinstance(kwargs.get(part), dict):
            found.update(kwargs[part])
    return found


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """Waits as long as Slack's Retry-After says before retrying a 429.

    slack_sdk's own handler reads only the first character of the header ("30" -> 3 s), which
    retries too early and burns the retry budget on more 429s.
    """

    async def prepare_for_next_attempt_async(
        self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        await asyncio.sleep(retry_after_seconds(response.headers) + random.random() * 0.5)
        state.increment_current_attempt()


def retry_after_seconds(headers: Mapping[str, Any]) -> float:
    """Seconds to wait from a Retry-After header (a number of seconds); 1 when absent or odd."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(str(raw).strip()))
            except ValueError:
                return 1.0
    return 1.0


def retry_handlers() -> list[Any]:
    # Slack's SDK retries connection errors once and never retries 429 by default. Sloth rides
    # out rate limits (honouring Retry-After) and brief outages instead of failing the user.
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=3),
        RetryAfterHandler(max_retry_count=20),
    ]


def sdk_logger() -> logging.Logger:
    """The client's logger, with its own level set to what is really enabled.

    slack_sdk decides whether to build its debug lines from `logger.level`, not from the
    effective level. With the default (NOTSET, 0) it formats every response body, a 400 KB page
    of history taking some 6 ms of the event loop, and the line is then dropped anyway.
    """
    logger = logging.getLogger("slack_sdk.web.sloth")
    logger.setLevel(logger.getEffectiveLevel())
    return logger


def make_client(
    token: str | None, api_url: str, session: aiohttp.ClientSession, metrics: Metrics | None = None
) -> MeteredWebClient:
    client = MeteredWebClient(
        token=token, base_url=api_url, session=session, retry_handlers=retry_handlers(), timeout=30,
        logger=sdk_logger(),
    )
    client.metrics = metrics
    return client
