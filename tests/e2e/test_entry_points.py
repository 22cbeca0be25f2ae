"""One registry, every way in: slash command, @mention (channel and thread), DM and buttons."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.features.registry import Feature, Registry
from bot.features.router import Command, Router
from bot.pure.blocks import Reply
from bot.runtime.lifecycle import Runtime
from bot.testing import registry_for
from sloth_emulator import Emulator
from tests.e2e.harness import ask, running_bot, settle, visible_text

pytestmark = pytest.mark.both_transports  # every test here, over Socket Mode and over HTTP
MASS = ("<!everyone>", "<!channel>", "<!here>")


def bot_posts(emu: Emulator, channel: str) -> list[dict]:
    return [m for m in emu.messages(channel) if m.get("user") == emu.bot_user_id]


async def test_mention_in_channel_answers_in_that_channel(emulator: Emulator, bot: Runtime) -> None:
    delivery = await emulator.user_message(channel="random", text=f"<@{emulator.bot_user_id}> channels python")
    await delivery.acked()
    await settle(bot)
    [reply] = bot_posts(emulator, "random")
    assert "python_content" in visible_text(reply) and not reply.get("thread_ts")


async def test_mention_in_thread_answers_in_the_thread(emulator: Emulator, bot: Runtime) -> None:
    parent = emulator.messages("python_content")[0]
    delivery = await emulator.user_message(
        channel="python_content", text=f"<@{emulator.bot_user_id}> whois @wjk68", thread_ts=parent["ts"]
    )
    await delivery.acked()
    await settle(bot)
    [reply] = bot_posts(emulator, "python_content")
    assert reply["thread_ts"] == parent["ts"] and "Will Koehrsen" in visible_text(reply)


async def test_direct_message(emulator: Emulator, bot: Runtime) -> None:
    will = emulator.workspace.first_human()
    im, _ = emulator.workspace.open_im(will.id, emulator.bot_user_id)
    await (await emulator.user_message(user=will.id, channel=im.id, text="team")).acked()
    await settle(bot)
    [reply] = bot_posts(emulator, im.id)
    assert "Data Analysis" in visible_text(reply)


async def test_mention_errors_are_ephemeral_to_the_asker(emulator: Emulator, bot: Runtime) -> None:
    will = emulator.workspace.first_human()
    await (await emulator.user_message(user=will.id, channel="general",
                                       text=f"<@{emulator.bot_user_id}> teem")).acked()
    await settle(bot)
    assert bot_posts(emulator, "general") == []
    [note] = emulator.ephemerals(user=will.id, channel="general")
    assert "Did you mean `team`?" in visible_text(note)


@pytest.mark.parametrize("typed", [
    "<!everyone> hi", "help <!channel>", "users <!here>", "channels <!everyone>",
    "<@U01WJK68KS> ping", "history <!channel>", "whois <!here>",
])
async def test_user_input_is_never_echoed_as_a_ping(emulator: Emulator, bot: Runtime, typed: str) -> None:
    shown = visible_text(await ask(emulator, bot, typed))
    assert not any(m in shown for m in MASS)
    assert "<@U01WJK68KS>" not in shown


async def test_usage_for_missing_or_malformed_arguments(emulator: Emulator, bot: Runtime) -> None:
    for typed in ("whois", "history #general lots", "history #general 0"):
        body = await ask(emulator, bot, typed)
        assert body["text"].startswith("Usage:")
        assert body["response_type"] == "ephemeral"


async def test_help_lists_every_command_and_shows_usage(emulator: Emulator, bot: Runtime) -> None:
    overview = visible_text(await ask(emulator, bot, "help"))
    for command in bot.ctx.registry.listed():
        assert f"`{command.name}`" in overview
    detail = visible_text(await ask(emulator, bot, "help history"))
    assert "Usage: `/sloth history #channel [count]`" in detail and "/sloth history #random 25" in detail


async def test_a_failing_handler_gets_an_error_id_and_the_service_keeps_running(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture, transport: str
) -> None:
    async def explode(ctx, inv, args) -> Reply:  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    feature = Router("exploding")
    feature.add(Command("explode", "Always fails", explode))
    base = registry_for()
    async with running_bot(emulator, tmp_path, registry=Registry([*base.features, Feature(feature)]),
                           transport=transport) as bot:
        await failing_handler_is_answered(emulator, bot, caplog)


async def failing_handler_is_answered(emulator: Emulator, bot: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.handling.dispatch"):
        shown = visible_text(await ask(emulator, bot, "explode"))
    error_id = re.search(r"error id `([0-9a-f]+)`", shown)
    assert error_id and "disk on fire" not in shown
    logged = [r for r in caplog.records if error_id.group(1) in r.getMessage()]
    assert len(logged) == 1 and "disk on fire" in logged[0].getMessage()
    assert "Data Analysis" in visible_text(await ask(emulator, bot, "team"))
    assert bot.metrics.handler_errors.labels("command")._value.get() == 1
