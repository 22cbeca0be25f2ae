"""No answer Sloth gives carries a ping it should not: fuzzed input through every command.

Each input is a command line with mass mentions, a mention of another member with a label, a
link whose label disguises where it goes, and ordinary words, sent by a member who is not an
admin as a slash command, an @mention or a DM. Every message Sloth then sent (Web API calls and
response_url posts, blocks and attachments included) is checked.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from bot.guard import GUARDED_METHODS
from bot.testing import FakeClock
from sloth_emulator import Emulator
from sloth_emulator.default_data import AMELIA, JONAS
from tests.e2e.harness import running_bot

INPUTS = 2000
MASS = ("<!everyone>", "<!channel>", "<!here>", "<!here|here>", "<!subteam^S0DEVS|@devs>")
NAMED = f"<@{AMELIA}|boss>"
DISGUISED = "<http://evil.example|https://slack.com>"
WORDS = ("#general", "#random", "5", "2h", "tomorrow", "in", "20m", "activity", "tictactoe", "as", "icon",
         ":snake:", "clear", "@amelia", "x" * 30, "best", "of", "3")
SENT = GUARDED_METHODS
_MASS = re.compile(r"<!(?:everyone|channel|here|subteam\^)")


def line(rng: random.Random, names: list[str]) -> str:
    parts = [rng.choice(names)]
    for _ in range(rng.randint(0, 5)):
        parts.append(rng.choice((*MASS, NAMED, DISGUISED, *WORDS, *WORDS)))
    return " ".join(parts)


def texts(value: Any) -> list[str]:
    """Every string in a message body, except button values (never shown)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return texts(decoded) if isinstance(decoded, (list, dict)) else [value]
    if isinstance(value, list):
        return [t for item in value for t in texts(item)]
    if isinstance(value, dict):
        return [t for key, item in value.items() if key not in ("value", "action_id", "block_id") for t in texts(item)]
    return []


def outgoing(emu: Emulator, calls_from: int, posts_from: int) -> list[tuple[str, str]]:
    found = [(c.method, t) for c in emu.calls[calls_from:] if c.method in SENT
             for key in ("text", "blocks", "attachments", "initial_comment") for t in texts(c.args.get(key))]
    return found + [("response_url", t) for p in emu.responses[posts_from:] for t in texts(p.body)]


async def test_fuzzed_input_never_makes_sloth_ping_anyone(emulator: Emulator, tmp_path: Path) -> None:
    rng = random.Random(20261201)
    async with running_bot(emulator, tmp_path, clock=FakeClock()) as bot:
        registry = bot.ctx.registry
        names = [c.name for c in registry.listed()]
        meant = {c.name for c in registry.listed() if c.mentions != "none"}  # `say`, `play`: mentions meant
        as_typed = {c.name for c in registry.listed() if c.mentions == "all"}  # `say` posts labelled links as typed
        im, _ = emulator.workspace.open_im(emulator.bot_user_id, JONAS)
        leaks: list[str] = []
        for number in range(INPUTS):
            typed = line(rng, names)
            calls, posts = len(emulator.calls), len(emulator.responses)
            if number % 10 == 0:
                delivery = await emulator.user_message(user=JONAS, channel=im.id, text=typed)
            elif number % 10 == 1:
                delivery = await emulator.user_message(user=JONAS, channel="general",
                                                       text=f"<@{emulator.bot_user_id}> {typed}")
            else:
                delivery = await emulator.slash_command(text=typed, user=JONAS, channel="general")
            await delivery.acked()
            await bot.pool.queue.join()
            for where, text in outgoing(emulator, calls, posts):
                if _MASS.search(text):
                    leaks.append(f"mass mention in {where} for {typed!r}: {text[:120]!r}")
                if "<http://evil.example|" in text and typed.split()[0] not in as_typed:
                    leaks.append(f"disguised link in {where} for {typed!r}: {text[:120]!r}")
                if f"<@{AMELIA}" in text and typed.split()[0] not in meant:
                    leaks.append(f"mention of {AMELIA} in {where} for {typed!r}: {text[:120]!r}")
        answered = sum(1 for c in emulator.calls if c.method in SENT) + len(emulator.responses)
    assert answered >= INPUTS * 0.9  # (nearly) every input was answered, so every answer was looked at
    assert leaks == [], "\n".join(leaks[:20])
