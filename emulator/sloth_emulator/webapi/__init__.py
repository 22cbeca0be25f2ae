"""Slack's Web API (`/api/<method>`): authentication, token kinds, rate limits, then the handler."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sloth_emulator.ratelimit import RateLimiter, RateLimits
from sloth_emulator.tokens import TokenInfo
from sloth_emulator.webapi import (
    apps,
    assistant,
    auth,
    chat,
    conversations,
    files,
    functions,
    search,
    streams,
    users,
    views,
)
from sloth_emulator.webapi.context import Answer, ApiError, Call, Method
from sloth_emulator.webapi.scoping import needed_scope, scope_headers

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

METHODS: dict[str, Method] = {
    **auth.METHODS, **apps.METHODS, **users.METHODS, **conversations.METHODS, **chat.METHODS, **files.METHODS,
    **search.METHODS, **views.METHODS, **streams.METHODS, **functions.METHODS,
    **assistant.METHODS,
}


@dataclass(frozen=True)
class ApiCall:
    """One recorded Web API call, as the emulator answered it."""

    method: str
    args: dict[str, Any]
    token: str | None
    status: int
    ok: bool
    error: str | None
    time: float
    response: dict[str, Any]


@dataclass(frozen=True)
class ApiResult:
    status: int
    body: Answer
    headers: dict[str, str]


class WebApi:
    def __init__(self, emu: Emulator, rate_limits: RateLimits | None) -> None:
        self.emu = emu
        self.limiter = RateLimiter(rate_limits) if rate_limits else None
        # method -> the answers its next calls give, e.g. {"error": "missing_scope", "needed": ...} (tests)
        self.failures: dict[str, list[dict[str, Any]]] = {}
        # method -> set when its calls, already carried out, may be answered (tests; see Emulator.hold_answers)
        self.holds: dict[str, asyncio.Event] = {}

    def handle(self, method: str, args: dict[str, Any], token: str | None,
               basic_auth: tuple[str, str] | None = None) -> ApiResult:
        info = self.emu.tokens.get(token) if token else None
        result = self._answer(method, args, token, basic_auth)
        if method in METHODS:
            result = ApiResult(result.status, result.body, {**scope_headers(method, info), **result.headers})
        self.emu.calls.append(ApiCall(method, args, token, result.status, bool(result.body.get("ok")),
                                      result.body.get("error"), time.time(), result.body))
        self.emu.changed()
        return result

    def _answer(self, method: str, args: dict[str, Any], token: str | None,
                basic_auth: tuple[str, str] | None) -> ApiResult:
        spec = METHODS.get(method)
        if spec is None:
            return ApiResult(200, {"ok": False, "error": "unknown_method", "req_method": method}, {})
        info = self.emu.tokens.get(token) if token else None
        if spec.tokens:
            if not token:
                return _failure("not_authed")
            if info is None:
                return _failure("invalid_auth")
            if info.expires is not None and self.emu.clock() >= info.expires:
                return _failure("token_expired")  # token rotation: past its 12 hours
            if info.kind not in spec.tokens:
                return _failure("not_allowed_token_type")
            needed = needed_scope(method, args, info, self.emu.workspace)
            if needed is not None:
                return _missing_scope(needed, info)
        planned = self.failures.get(method)
        if planned:
            failure = dict(planned.pop(0))
            retry_after = failure.pop("retry_after", None)
            if retry_after is not None:
                return ApiResult(429, {"ok": False, **failure}, {"Retry-After": str(retry_after)})
            return ApiResult(200, {"ok": False, **failure}, {})
        if self.limiter is not None:
            retry_after = self.limiter.check(method, info.kind if info else "none", self._channel_key(method, args))
            if retry_after is not None:
                return ApiResult(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        most, wait = self.emu.history_limit(method, token)
        if wait is not None:
            return ApiResult(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(math.ceil(wait))})
        if most is not None:
            asked = str(args.get("limit") or "")
            args = {**args, "limit": str(min(int(asked), most) if asked.isdigit() and int(asked) > 0 else most)}
        try:
            body = spec.handler(Call(self.emu, method, args, info, basic_auth))
        except ApiError as exc:
            return ApiResult(200, {"ok": False, "error": exc.error, **exc.extra}, {})
        return ApiResult(200, {"ok": True, **body}, {})


    def _channel_key(self, method: str, args: dict[str, Any]) -> str | None:
        """The channel chat.postMessage is limited on: its ID when the name resolves."""
        if method != "chat.postMessage":
            return None
        ref = str(args.get("channel") or "")
        channel = self.emu.workspace.channel(ref)
        return channel.id if channel is not None else ref


def _missing_scope(needed: str, info: TokenInfo) -> ApiResult:
    provided = ",".join(sorted(info.scopes or ()))
    return ApiResult(200, {"ok": False, "error": "missing_scope", "needed": needed, "provided": provided}, {})


def _failure(error: str) -> ApiResult:
    return ApiResult(200, {"ok": False, "error": error}, {})


__all__ = ["METHODS", "ApiCall", "ApiResult", "WebApi"]
