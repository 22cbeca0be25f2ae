"""Sloth's core settings: one typed, frozen object read once from the environment.

Every problem is collected and reported together, naming the variable to set; token values
never appear in a message. Features declare their own settings beside their commands
(`bot.config.feature_settings`); `load_all` reads both and reports every problem of either at once.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

from bot.config.limits import Limit, parse_limits
from bot.config.model import VARIABLES as MODEL_VARIABLES
from bot.config.model import ModelSettings, read_model_settings
from bot.config.problems import Problems

SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_COMMAND = re.compile(r"^/[a-z0-9_\-]{1,31}$")
# Every variable Sloth's core reads (here, and SLOTH_FEATURES/SLOTH_DISABLE in bot.features.loader, the
# doctor's SLACK_CONFIG_TOKEN): no feature's setting may read one (bot.features.ownership).
CORE_VARIABLES = frozenset({
    "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_USER_TOKEN", "SLACK_API_URL", "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET", "SLACK_CONFIG_TOKEN", "SLOTH_COMMAND", "SLOTH_ADMINS", "SLOTH_DATA_DIR",
    "SLOTH_PUBLIC_URL", "SLOTH_SECRET_KEY", "SLOTH_STORE_URL", "SLOTH_RENDER_WORKERS",
    "SLOTH_LOOP_BLOCK_SECONDS", "SLOTH_LOG_MESSAGE_TEXT", "SLOTH_HTTP_PORT", "SLOTH_HTTP_HEADER_TIMEOUT",
    "SLOTH_HTTP_BODY_TIMEOUT", "SLOTH_HTTP_IDLE_TIMEOUT", "SLOTH_HTTP_MAX_CONNECTIONS",
    "SLOTH_HTTP_MAX_PER_CLIENT", "SLOTH_FEATURES", "SLOTH_DISABLE", "LOG_LEVEL", "LOG_FORMAT",
    "SLOTH_LIMITS", "SLOTH_TRANSPORT", "SLACK_SIGNING_SECRET", "SLOTH_QUEUE", "SLOTH_WORKSPACES",
}) | MODEL_VARIABLES
Transport = Literal["socket", "http"]
Workspaces = Literal["single", "many"]


@dataclass(frozen=True)
class HttpLimits:
    """How long Sloth's HTTP side waits for a client, and how many connections it holds (bot.http.timeouts)."""

    header_seconds: float = 10.0  # a request's headers, from its first byte (or from connecting)
    body_seconds: float = 30.0  # a request's whole body, once its headers are in; then 408
    idle_seconds: float = 75.0  # a kept-alive connection between requests (above most balancers' 60 s)
    max_connections: int = 256  # in all; beyond, the longest-waiting idle one goes, or 503
    max_per_client: int = 64  # from one address (0: no cap); beyond, 503


@dataclass(frozen=True)
class Settings:
    bot_token: str = field(repr=False)  # "" with many workspaces: each installation has its own
    app_token: str | None = field(default=None, repr=False)  # Socket Mode's; unused in HTTP mode
    user_token: str | None = field(default=None, repr=False)
    api_url: str = SLACK_API_URL
    # How Slack reaches Sloth: "socket" (Socket Mode, bot.socket) or "http" (requests to
    # /slack/events, bot.http.slack), each request signed with `signing_secret`.
    transport: Transport = "socket"
    signing_secret: str | None = field(default=None, repr=False)
    command: str = "/sloth"
    admins: frozenset[str] = frozenset()
    http_host: str = "0.0.0.0"
    http_port: int = 8080
    data_dir: Path = Path("data")
    store_url: str = field(default="sqlite:///data/sloth.db", repr=False)  # a Redis URL may hold a password
    log_level: str = "INFO"
    log_format: str = "text"
    log_message_text: bool = False  # what members typed and Sloth posted, in DEBUG logs (bot.runtime.logs)
    # Where browsers and training jobs reach Sloth's HTTP side.
    public_url: str = "http://localhost:8080"
    # Seals members' tokens and signs OAuth states (bot.connect.sealing, bot.connect.tokens).
    secret_key: str | None = field(default=None, repr=False)
    # The app's OAuth credentials (Basic Information -> App Credentials), for `connect`.
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    render_workers: int = 0  # worker processes for charts and exports; 0: one fewer than the CPUs
    # "auto": with a Redis store, heavy work goes to the job queue `sloth worker` runs (bot.work.queue);
    # "off": always in this process's own worker processes.
    queue: str = "auto"
    # A handler holding the event loop longer than this is logged (once) and counted (bot.runtime.loop_watch).
    loop_block_seconds: float = 0.5
    # Per-member limits changed from what commands declare (SLOTH_LIMITS): (command, limit or
    # None for none), see bot.config.limits.
    member_limits: tuple[tuple[str, Limit | None], ...] = ()
    # Tuning knobs with sensible defaults; not part of the documented environment.
    workers: int = 32
    drain_seconds: float = 10.0
    # Envelopes acked and not yet handled; past it, Sloth takes no more (bot.socket.thread).
    max_unfinished: int = 2000
    # A replica silent this long counts as dead: what it acked and left is taken over (bot.store.journal).
    journal_lease_seconds: float = 5.0
    directory_resync_seconds: float = 3600.0
    edits_per_window: int = 8  # chat.update budget for the workspace (bot.slack.pacing)
    edit_window_seconds: float = 12.0
    http_limits: HttpLimits = field(default_factory=HttpLimits)
    # "single": one workspace, SLACK_BOT_TOKEN; "many": installed into workspaces through
    # /slack/install, each with its own bot token and its own part of the store (bot.workspaces).
    workspaces: Workspaces = "single"
    # The language model behind the agent (bot.config.model); None: no agent, nothing changes.
    model: ModelSettings | None = None

    @property
    def limit_overrides(self) -> dict[str, Limit | None]:
        return dict(self.member_limits)

    @property
    def authorize_url(self) -> str:
        """Slack's OAuth v2 authorize page, next to the Web API (https://slack.com/oauth/v2/authorize)."""
        root = self.api_url.removesuffix("/").removesuffix("/api")
        return f"{root}/oauth/v2/authorize"


def _token(env: Mapping[str, str], name: str, prefix: str, problems: list[str], required: bool) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        if required:
            problems.append(f"{name} is not set: set it to your app's token that starts with '{prefix}'.")
        return None
    if not value.startswith(prefix) or len(value) < len(prefix) + 4 or any(c.isspace() for c in value):
        problems.append(f"{name} does not look like a token: it must start with '{prefix}'.")
        return None
    return value


def _transport(env: Mapping[str, str], problems: list[str]) -> tuple[Transport, str | None]:
    """SLOTH_TRANSPORT and, in HTTP mode, SLACK_SIGNING_SECRET (required there: every request is checked)."""
    raw = env.get("SLOTH_TRANSPORT", "socket").strip().lower() or "socket"
    transport: Transport = "http" if raw == "http" else "socket"
    if raw not in ("socket", "http"):
        problems.append(f"SLOTH_TRANSPORT must be 'socket' (Socket Mode, the default) or 'http' (Slack sends "
                        f"requests to SLOTH_PUBLIC_URL/slack/events), not {raw[:20]!r}.")
    secret = env.get("SLACK_SIGNING_SECRET", "").strip() or None
    where = "Basic Information -> App Credentials -> Signing Secret"
    if secret is not None and (len(secret) < 16 or secret.startswith(("xox", "xapp-"))
                               or any(c.isspace() for c in secret)):
        problems.append(f"SLACK_SIGNING_SECRET does not look like a signing secret: copy it from your app's {where}.")
        secret = None
    elif secret is None and transport == "http":
        problems.append(f"SLACK_SIGNING_SECRET is not set: HTTP mode (SLOTH_TRANSPORT=http) checks every request "
                        f"from Slack with it; copy it from your app's {where}.")
    return transport, secret


def _port(env: Mapping[str, str], problems: list[str]) -> int:
    raw = env.get("SLOTH_HTTP_PORT", "8080").strip()
    if raw.isdigit() and 0 <= int(raw) <= 65535:
        return int(raw)
    problems.append(f"SLOTH_HTTP_PORT must be a port number between 0 and 65535, not {raw!r}.")
    return 8080


def _admins(env: Mapping[str, str], problems: list[str]) -> frozenset[str]:
    ids = [part.strip() for part in env.get("SLOTH_ADMINS", "").split(",") if part.strip()]
    bad = [i for i in ids if not _USER_ID.match(i)]
    if bad:
        problems.append(
            "SLOTH_ADMINS must be comma-separated Slack user IDs like U012AB3CD; "
            f"these are not: {', '.join(bad)}."
        )
    return frozenset(i for i in ids if _USER_ID.match(i))


def _store_url(env: Mapping[str, str], data_dir: Path, problems: list[str]) -> str:
    url = env.get("SLOTH_STORE_URL", "").strip()
    if not url:
        return f"sqlite:///{data_dir / 'sloth.db'}"
    if url.startswith(("sqlite:///", "redis://", "rediss://", "unix://")):
        return url
    problems.append("SLOTH_STORE_URL must be sqlite:///path/to/file.db or redis://host:port/db.")
    return url


def _flag(env: Mapping[str, str], name: str, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    problems.append(f"{name} must be true or false.")
    return False


def _positive(
    env: Mapping[str, str], name: str, default: str, problems: list[str], what: str, zero: bool = False,
    whole: bool = False,
) -> float:
    raw = env.get(name, default).strip() or default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    # `zero` allows 0 and asks for a whole number (a count that can be "none"); `whole` asks for one above 0.
    fraction = (zero or whole) and not value.is_integer()
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero) or fraction or value > 1e6:
        problems.append(f"{name} must be {what}, not {raw!r}.")
        return float(default)
    return value


def _http_limits(env: Mapping[str, str], problems: list[str]) -> HttpLimits:
    d = HttpLimits()
    seconds = "a number of seconds above 0"
    return HttpLimits(
        header_seconds=_positive(env, "SLOTH_HTTP_HEADER_TIMEOUT", str(d.header_seconds), problems, seconds),
        body_seconds=_positive(env, "SLOTH_HTTP_BODY_TIMEOUT", str(d.body_seconds), problems, seconds),
        idle_seconds=_positive(env, "SLOTH_HTTP_IDLE_TIMEOUT", str(d.idle_seconds), problems, seconds),
        max_connections=int(_positive(env, "SLOTH_HTTP_MAX_CONNECTIONS", str(d.max_connections), problems,
                                      "a whole number of connections above 0", whole=True)),
        max_per_client=int(_positive(env, "SLOTH_HTTP_MAX_PER_CLIENT", str(d.max_per_client), problems,
                                     "a whole number of connections (0: no cap)", zero=True)),
    )


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float,
             problems: list[str]) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not low <= value <= high:
        problems.append(f"{name} must be a number of seconds from {low:g} to {high:g}, not {raw!r}.")
        return default
    return value


def _member_limits(env: Mapping[str, str], problems: list[str]) -> tuple[tuple[str, Limit | None], ...]:
    try:
        return tuple(parse_limits(env.get("SLOTH_LIMITS", "")).items())
    except ValueError as e:
        problems.append(f"SLOTH_LIMITS: {e}; e.g. 'remind 5 at once, 50/hour; export 10/day; plot off'.")
        return ()


def environment(env_file: str | Path | None = ".env") -> dict[str, str]:
    """os.environ over the values of a .env file, if there is one."""
    merged: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def load_settings(env: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    """Build Settings from `env` (default: os.environ, over a .env file if present)."""
    problems: list[str] = []
    settings = read_settings(environment(env_file) if env is None else env, problems)
    if problems or settings is None:
        raise Problems(problems)
    return settings


def _workspaces(env: Mapping[str, str], problems: list[str]) -> Workspaces:
    """SLOTH_WORKSPACES; unset, "many" when the app's OAuth credentials are set and no bot token is."""
    many_by_default = bool(env.get("SLACK_CLIENT_ID", "").strip() and env.get("SLACK_CLIENT_SECRET", "").strip()
                           and not env.get("SLACK_BOT_TOKEN", "").strip())
    raw = env.get("SLOTH_WORKSPACES", "").strip().lower() or ("many" if many_by_default else "single")
    if raw not in ("single", "many"):
        problems.append(f"SLOTH_WORKSPACES must be 'single' (one workspace, SLACK_BOT_TOKEN) or 'many' (installed "
                        f"into workspaces through /slack/install), not {raw[:20]!r}.")
        return "single"
    if raw == "single":
        return "single"
    needs = [name for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLOTH_SECRET_KEY", "SLACK_SIGNING_SECRET")
             if not env.get(name, "").strip()]
    if needs:
        problems.append(f"Many workspaces (SLOTH_WORKSPACES=many) need {', '.join(needs)}: the app's OAuth "
                        "credentials for /slack/install, the key that seals each workspace's bot token, and the "
                        "signing secret of HTTP mode.")
    if env.get("SLOTH_TRANSPORT", "").strip().lower() != "http":
        problems.append("Many workspaces (SLOTH_WORKSPACES=many) take Slack's requests in HTTP mode: set "
                        "SLOTH_TRANSPORT=http.")
    if env.get("SLACK_BOT_TOKEN", "").strip():
        problems.append("SLACK_BOT_TOKEN is for one workspace: with SLOTH_WORKSPACES=many each workspace's bot "
                        "token comes from its installation; unset it.")
    return "many"


def read_settings(env: Mapping[str, str], problems: list[str]) -> Settings | None:
    """The core settings from `env`, or None; every problem is appended to `problems`."""
    workspaces = _workspaces(env, problems)
    bot_token = _token(env, "SLACK_BOT_TOKEN", "xoxb-", problems, required=workspaces == "single")
    transport, signing_secret = _transport(env, problems)
    # Socket Mode connects with the app-level token; in HTTP mode Slack calls Sloth instead.
    app_token = _token(env, "SLACK_APP_TOKEN", "xapp-", problems,
                       required=transport == "socket" and workspaces == "single")
    user_token = _token(env, "SLACK_USER_TOKEN", "xoxp-", problems, required=False)
    api_url = env.get("SLACK_API_URL", SLACK_API_URL).strip() or SLACK_API_URL
    if not api_url.startswith(("http://", "https://")):
        problems.append("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.")
    command = env.get("SLOTH_COMMAND", "/sloth").strip() or "/sloth"
    if not _COMMAND.match(command):
        problems.append("SLOTH_COMMAND must be a slash command like /sloth (lowercase, up to 32 characters).")
    log_level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")
    log_format = env.get("LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        problems.append("LOG_FORMAT must be 'text' or 'json'.")
    log_message_text = _flag(env, "SLOTH_LOG_MESSAGE_TEXT", problems)
    data_dir = Path(env.get("SLOTH_DATA_DIR", "data").strip() or "data")
    public_url = env.get("SLOTH_PUBLIC_URL", "").strip().rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        problems.append("SLOTH_PUBLIC_URL must be the http(s) address where Slack and browsers reach Sloth.")
    secret_key = env.get("SLOTH_SECRET_KEY", "").strip() or None
    if secret_key is not None and len(secret_key) < 16:
        problems.append("SLOTH_SECRET_KEY must be at least 16 characters (e.g. from `openssl rand -hex 32`).")
    client_id = env.get("SLACK_CLIENT_ID", "").strip() or None
    client_secret = env.get("SLACK_CLIENT_SECRET", "").strip() or None
    if bool(client_id) != bool(client_secret):
        problems.append("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both (App Credentials) or neither.")
    render_workers = _positive(env, "SLOTH_RENDER_WORKERS", "0", problems, "a whole number of processes", zero=True)
    loop_block_seconds = _seconds(env, "SLOTH_LOOP_BLOCK_SECONDS", Settings.loop_block_seconds, 0.05, 60.0,
                                  problems)
    member_limits = _member_limits(env, problems)
    queue = env.get("SLOTH_QUEUE", "auto").strip().lower() or "auto"
    if queue not in ("auto", "off"):
        problems.append("SLOTH_QUEUE must be 'auto' (the job queue when the store is Redis) or 'off'.")
    admins = _admins(env, problems)
    http_port = _port(env, problems)
    store_url = _store_url(env, data_dir, problems)
    http_limits = _http_limits(env, problems)
    model = read_model_settings(env, problems)
    if problems or not (bot_token or workspaces == "many"):
        return None
    return Settings(
        bot_token=bot_token or "",
        workspaces=workspaces,
        app_token=app_token,
        transport=transport,
        signing_secret=signing_secret,
        user_token=user_token,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        command=command,
        data_dir=data_dir,
        log_level=log_level,
        log_format=log_format,
        log_message_text=log_message_text,
        admins=admins,
        http_port=http_port,
        store_url=store_url,
        public_url=public_url or f"http://localhost:{http_port}",
        secret_key=secret_key,
        client_id=client_id,
        client_secret=client_secret,
        render_workers=int(render_workers),
        queue=queue,
        http_limits=http_limits,
        loop_block_seconds=loop_block_seconds,
        member_limits=member_limits,
        model=model,
    )
