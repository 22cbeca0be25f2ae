"""`sloth doctor`: check a real workspace with the settings `sloth run` would use.

It prints one table (check, result, what to change) and exits 0 when every check passed or was
skipped, 1 when any failed, 2 when the settings themselves are wrong (as `sloth run` does):

- the tokens: valid, whose, which workspace, and their scopes against the loaded commands';
- Socket Mode: one connection opens and Slack says hello; both tokens belong to one app; in HTTP
  mode instead, Slack's request URL answers a signed url_verification (bot.doctor.requests);
- the app's settings (interactivity, events, …) when SLACK_CONFIG_TOKEN allows reading them;
- with `--channel`, a message (with metadata) and a file posted, edited, read back and deleted;
- Sloth's HTTP side at SLOTH_PUBLIC_URL and the OAuth redirect URL `connect` needs.

    outcome = await check_workspace(env, channel="#sloth-test")   # .code, .checks, .problems
    code = await doctor(env, channel="#sloth-test")                 # prints the table; the exit code
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

import aiohttp

from bot.config.problems import Problems
from bot.config.settings import Settings
from bot.doctor.app_settings import config_checks, read_config_token
from bot.doctor.channel import channel_checks
from bot.doctor.http import health_check, redirect_check
from bot.doctor.report import Check, exit_code, render, skipped
from bot.doctor.requests import request_checks, socket_skipped
from bot.doctor.socket import same_app_check, socket_checks
from bot.doctor.tokens import bot_checks, user_checks
from bot.features.registry import Registry
from bot.runtime.configure import configure
from bot.slack.client import make_client

__all__ = ["Check", "Outcome", "check_workspace", "diagnose", "doctor", "main"]


async def diagnose(settings: Settings, registry: Registry, *, channel: str | None = None,
                   config_token: str | None = None) -> list[Check]:
    """Every check, in the table's order."""
    async with aiohttp.ClientSession() as session:
        bot_client = make_client(settings.bot_token, settings.api_url, session)
        checks, bot = await bot_checks(bot_client, settings, registry)
        user_client = make_client(settings.user_token, settings.api_url, session) if settings.user_token else None
        checks += await user_checks(user_client, registry, bot)
        if settings.transport == "http" or not settings.app_token:
            checks += socket_skipped(settings)
            _, app_id = await same_app_check(bot_client, bot, None)  # the bot's app, from bots.info
            checks.append(skipped("one app", "HTTP mode uses no app token: nothing to compare"))
        else:
            socket = await socket_checks(settings.app_token, make_client(None, settings.api_url, session))
            checks += socket.checks
            same_app, app_id = await same_app_check(bot_client, bot, socket.app_id)
            checks.append(same_app)
        config_client = make_client(config_token, settings.api_url, session) if config_token else None
        checks += await config_checks(config_client, app_id, settings, registry)
        checks += await channel_checks(bot_client, channel, bot)
        checks.append(await health_check(session, settings.public_url))
        checks += await request_checks(session, settings)
        checks.append(redirect_check(settings, registry))
    return checks


@dataclass(frozen=True)
class Outcome:
    code: int  # the exit code: 0 passed or skipped, 1 something failed, 2 the settings are wrong
    checks: list[Check]
    problems: list[str]  # what is wrong with the settings (then nothing was checked)


async def check_workspace(env: Mapping[str, str], channel: str | None = None) -> Outcome:
    """Read the settings `sloth run` would use (bot.runtime.configure) and SLACK_CONFIG_TOKEN, then check."""
    problems: list[str] = []
    try:
        settings, registry = configure(env)
    except Problems as e:
        problems += e.problems
    config_token = read_config_token(env, problems)
    if problems:
        return Outcome(2, [], problems)
    checks = await diagnose(settings, registry, channel=channel, config_token=config_token)
    return Outcome(exit_code(checks), checks, [])


async def doctor(env: Mapping[str, str], channel: str | None = None, out: TextIO | None = None,
                 width: int | None = None) -> int:
    """Check, print the table to `out` (stdout by default) or the settings' problems to stderr,
    and return the exit code."""
    outcome = await check_workspace(env, channel)
    if outcome.problems:
        print("sloth doctor cannot check anything yet; fix these settings:", file=sys.stderr)
        for problem in outcome.problems:
            print(f"  - {problem}", file=sys.stderr)
        return outcome.code
    (out or sys.stdout).write(render(outcome.checks, width or max(100, shutil.get_terminal_size((120, 40)).columns)))
    return outcome.code


def main(env: Mapping[str, str], channel: str | None = None) -> int:
    return asyncio.run(doctor(env, channel))
