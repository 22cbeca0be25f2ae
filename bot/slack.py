"""The Web API client every part of Sloth shares: one aiohttp session, retries, metrics."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.metrics import Metrics


class MeteredWebClient(AsyncWebClient):
    """AsyncWebClient that counts every call by method and outcome."""

    metrics: Metrics | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        outcome = "ok"
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


def retry_handlers() -> list[Any]:
    # Slack's SDK retries connection errors once and never retries 429 by default. Sloth rides
    # out rate limits (honouring Retry-After) and brief outages instead of failing the user.
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=3),
        AsyncRateLimitErrorRetryHandler(max_retry_count=20),
    ]


def make_client(
    token: str | None, api_url: str, session: aiohttp.ClientSession, metrics: Metrics | None = None
) -> MeteredWebClient:
    client = MeteredWebClient(
        token=token, base_url=api_url, session=session, retry_handlers=retry_handlers(), timeout=30
    )
    client.metrics = metrics
    return client
