"""Playing Sloth's games through the emulator: start one, read its message, click its buttons."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from bot.runtime.lifecycle import Runtime
from handlers.games.sweeper import sweep
from sloth_emulator import Emulator
from tests.e2e.harness import settle

GENERAL = "C01GENERAL"
WILL, AMELIA, JONAS, PRIYA, KENJI = "U01WJK68KS", "U01AMHART1", "U01JBECKER", "U01PNAIR01", "U01KSATO01"


async def settle_all(runtimes: Iterable[Runtime]) -> None:
    # Twice: work on one replica can be waiting on a store write the other just made.
    for _ in range(2):
        for runtime in runtimes:
            await settle(runtime)


def game_messages(emu: Emulator, channel: str = GENERAL) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if (m.get("metadata") or {}).get("event_type") == "sloth_game"]


def message(emu: Emulator, ts: str, channel: str = GENERAL) -> dict[str, Any]:
    return next(m for m in emu.messages(channel) if m["ts"] == ts)


def payload(msg: dict[str, Any]) -> dict[str, Any]:
    return decoded(msg["metadata"]["event_payload"])


def drawn_payload(call: Any) -> dict[str, Any]:
    """The sloth_game payload a recorded chat.postMessage / chat.update call drew."""
    metadata = call.args["metadata"]
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    return decoded(metadata["event_payload"])


def decoded(raw: dict[str, Any]) -> dict[str, Any]:
    """The documented `sloth_game` payload read back into lists, for assertions: players and
    member lists from comma-separated text, "" as None, the grid (or rps rounds, or the trivia
    scoreboard) as `board` rows."""
    out = dict(raw)
    players = raw["players"].split(",") if raw["players"] else []
    out.update(players=players, turn=raw["turn"] or None, winner=raw["winner"] or None)
    if "board" in raw:
        out["board"] = [["" if cell == "." else cell for cell in row] for row in raw["board"].split("/")]
    if raw["game"] == "rps":
        picked = set(raw["picked"].split(",")) if raw["picked"] else set()
        out.update(score=[int(s) for s in raw["score"].split("-")], picked=[p in picked for p in players],
                   board=[[*r["picks"].split(","), r["winner"]] for r in raw["rounds"]])
    if raw["game"] == "trivia":
        out.update(answered=raw["answered"].split(",") if raw["answered"] else [],
                   board=[[entry["user"], str(entry["points"])] for entry in raw["scoreboard"]])
    return out


async def start(emu: Emulator, runtimes: Runtime | list[Runtime], text: str, user: str = WILL,
                channel: str = GENERAL) -> dict[str, Any]:
    """Run `/sloth <text>` and return the game message it posted."""
    runtimes = runtimes if isinstance(runtimes, list) else [runtimes]
    before = {m["ts"] for m in game_messages(emu, channel)}
    delivery = await emu.slash_command(text=text, user=user, channel=channel)
    await delivery.acked()
    await settle_all(runtimes)
    [posted] = [m for m in game_messages(emu, channel) if m["ts"] not in before]
    return posted


def buttons(msg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every button in the message's attachments, by action_id."""
    found: dict[str, dict[str, Any]] = {}
    for attachment in msg.get("attachments") or []:
        for block in attachment.get("blocks") or []:
            for element in block.get("elements") or []:
                if isinstance(element, dict) and element.get("type") == "button":
                    found[element["action_id"]] = element
    return found


async def click(emu: Emulator, runtimes: Runtime | list[Runtime], msg: dict[str, Any], action_id: str,
                user: str, value: str | None = None, channel: str = GENERAL) -> dict[str, Any]:
    """Press a button on the game message as `user`; the message as it is afterwards."""
    runtimes = runtimes if isinstance(runtimes, list) else [runtimes]
    delivery = await emu.click(channel, msg["ts"], action_id, user=user, value=value)
    await delivery.acked()
    await settle_all(runtimes)
    return message(emu, msg["ts"], channel)


async def click_many(emu: Emulator, runtimes: list[Runtime], msg: dict[str, Any],
                     presses: list[tuple[str, str]], channel: str = GENERAL) -> dict[str, Any]:
    """Press several buttons at once (action_id, user); the message once all are handled."""
    deliveries = await asyncio.gather(*(emu.click(channel, msg["ts"], action, user=user) for action, user in presses))
    await asyncio.gather(*(delivery.acked() for delivery in deliveries))
    await settle_all(runtimes)
    return message(emu, msg["ts"], channel)


async def tick(runtime: Runtime) -> None:
    """One sweeper pass, as the background loop would run it, then its effects settled."""
    await sweep(runtime.ctx.of("games"))
    await settle(runtime)


def notes_to(emu: Emulator, user: str, channel: str = GENERAL) -> list[str]:
    """The texts of every ephemeral message `user` was shown in `channel`."""
    return [note.get("text", "") for note in emu.ephemerals(user=user, channel=channel)]


def seen_by_channel(emu: Emulator, channel: str = GENERAL) -> str:
    """Everything anyone in the channel can see of its messages, metadata included."""
    return json.dumps(emu.messages(channel), ensure_ascii=False)
